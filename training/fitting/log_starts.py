"""Short histories in training: a share of athletes is given a late ``log_start``, so the model learns to score new
users from what is known (missing features) instead of from rest days nobody logged."""

from __future__ import annotations

import dataclasses
import zlib

import numpy as np
import pandas as pd

from training.fitting.chunks import Chunk, Periods, chunk_rows
from training.simulation.simulate import Simulation

_LOG_START_STREAM = 0x106  # a stream of its own: drawing log starts must not shift any other random choice


def with_random_log_starts(simulation: Simulation, share: float, seed: int, latest_share: float = 0.7) -> Simulation:
    """The simulation with ``share`` of its athletes given a log_start drawn uniformly over the first
    ``latest_share`` of the simulated days (the rest keep a complete log). ``share`` 0 returns it unchanged."""
    if share <= 0:
        return simulation
    profiles = simulation.cohort.profiles
    rng = np.random.default_rng([seed, _LOG_START_STREAM])
    chosen = rng.random(len(profiles)) < share
    offsets = rng.integers(0, max(int(simulation.config.days * latest_share), 1), len(profiles))
    first = pd.Timestamp(simulation.config.start_date)
    starts = pd.Series(first + pd.to_timedelta(offsets, unit="D"), index=profiles.index).where(chosen)
    cohort = dataclasses.replace(simulation.cohort, profiles=profiles.assign(log_start=starts.astype("datetime64[ns]")))
    return dataclasses.replace(simulation, cohort=cohort)


def from_log_start(rows: pd.DataFrame, simulation: Simulation) -> pd.DataFrame:
    """Rows on or after their athlete's log_start: a day before it has no log to score."""
    starts = simulation.cohort.profiles.set_index(simulation.cohort.profiles["athlete_id"].astype(object))["log_start"]
    start = rows["athlete_id"].astype(object).map(starts)
    known = start.isna() | (rows["date"] >= start)
    return rows if bool(known.all()) else rows[known.to_numpy()]


def with_log_starts(chunk: Chunk, share: float, seed: int) -> Chunk:
    """The chunk with ``share`` of its athletes given a random late log_start, as new users."""
    first = str(chunk.roles.index[0]) if len(chunk.roles) else ""
    # Seeded by the chunk's first athlete, so an athlete gets the same log_start in every pass over the chunks.
    chunk_seed = (seed << 32) + zlib.crc32(first.encode())
    return dataclasses.replace(chunk, simulation=with_random_log_starts(chunk.simulation, share, chunk_seed))


def known_chunk_rows(chunk: Chunk, role: str, horizon_days: int, span: Periods, day_stride: int = 1) -> pd.DataFrame:
    """``chunk_rows`` on and after each athlete's log_start: features that would need earlier days are missing."""
    rows = chunk_rows(chunk, role, horizon_days, span, day_stride)
    return from_log_start(rows, chunk.simulation) if len(rows) else rows

"""Short histories in training: a share of athletes is given a late ``log_start``, so the model learns to score new
users from what is known (missing features) instead of from rest days nobody logged."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd

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

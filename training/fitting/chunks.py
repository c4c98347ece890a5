"""Cohorts too large to hold at once: simulated, featurised and labelled chunk by chunk of athletes.

A ``ChunkedCohort`` is a recipe, not data: chunk k is the simulator run with a seed of its own and ids after the
previous chunks', so any chunk can be made again, and each is made only when the pipeline reaches it. Whole chunks
take one role (training, calibration or test athletes), so the test chunks are simulated only after the model is
fitted and scored as they come. A ``WholeSimulation`` (a cohort already in memory, e.g. read from disk) is cut into
chunks of athletes instead, with roles drawn per athlete.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Protocol

import numpy as np
import pandas as pd

from training.fitting.labels import labelled_span
from training.simulation.simulate import Simulation, SimulationConfig, simulate

ROLES = ("train", "calibration", "test")
_SPLIT_STREAM = 0x5B117  # any constant: it only has to differ from the simulator's unkeyed stream
_CHUNK_STREAM = 0xC4C  # seeds of the chunks of a chunked cohort


@dataclass(frozen=True)
class Shares:
    """How athletes and days are split; the fields of ``TrainingConfig`` of the same names."""

    seed: int
    test_share: float
    calibration_share: float
    test_period_share: float


@dataclass(frozen=True)
class Chunk:
    simulation: Simulation
    roles: pd.Series  # 'train', 'calibration' or 'test' per athlete id of the chunk


class CohortSource(Protocol):
    """Where a training run's athletes come from."""

    @property
    def config(self) -> SimulationConfig: ...  # the cohort's shape (athletes, days, start date, seed)

    def plan(self, shares: Shares, roles: frozenset[str]) -> list[int]: ...  # the chunks holding athletes of roles

    def chunk(self, shares: Shares, roles: frozenset[str], k: int) -> Chunk: ...  # chunk k of the plan, made now


def chunks(source: CohortSource, shares: Shares, roles: frozenset[str]) -> Iterator[Chunk]:
    """The source's chunks holding athletes of ``roles``, each made when reached."""
    for k in source.plan(shares, roles):
        yield source.chunk(shares, roles, k)


def split_athletes(athlete_ids: pd.Series, shares: Shares) -> pd.Series:
    """'train', 'calibration' or 'test' per athlete: athletes never cross sets, so test athletes are unseen."""
    ids = np.sort(athlete_ids.unique())
    # A stream of its own: default_rng(seed) is also the simulator's generator, whose first draw (novice or not) would
    # then pick the test athletes. With equal seeds every test athlete was a novice.
    rng = np.random.default_rng([shares.seed, _SPLIT_STREAM])
    draw = rng.random(len(ids))
    role = np.where(
        draw < shares.test_share,
        "test",
        np.where(draw < shares.test_share + shares.calibration_share, "calibration", "train"),
    )
    return pd.Series(role, index=ids)


def chunk_roles(chunks: int, shares: Shares) -> list[str]:
    """A role per chunk: round(share x chunks) test and calibration chunks (at least one of each role when there
    are three chunks or more), interleaved evenly so that no role sits at one end of the seeds."""
    test = min(max(round(chunks * shares.test_share), 1), max(chunks - 2, 0))
    calibration = min(max(round(chunks * shares.calibration_share), 1), max(chunks - test - 1, 0))
    counts = {"test": test, "calibration": calibration, "train": chunks - test - calibration}
    keyed = sorted(((i + 0.5) / count, role) for role, count in counts.items() for i in range(count))
    return [role for _, role in keyed]


@dataclass(frozen=True)
class WholeSimulation:
    """A simulation already in memory, cut into chunks of ``chunk_athletes`` athletes for feature building."""

    simulation: Simulation
    chunk_athletes: int = 2000

    @property
    def config(self) -> SimulationConfig:
        return self.simulation.config

    def _wanted(self, shares: Shares, roles: frozenset[str]) -> pd.Series:
        role = split_athletes(self.simulation.cohort.profiles["athlete_id"], shares)
        return role[role.isin(roles)]

    def plan(self, shares: Shares, roles: frozenset[str]) -> list[int]:
        return list(range(-(-len(self._wanted(shares, roles)) // self.chunk_athletes)))

    def chunk(self, shares: Shares, roles: frozenset[str], k: int) -> Chunk:
        begin = k * self.chunk_athletes
        return Chunk(self.simulation, self._wanted(shares, roles).iloc[begin : begin + self.chunk_athletes])


@dataclass(frozen=True)
class ChunkedCohort:
    """``config.athletes`` athletes simulated ``chunk_athletes`` at a time, each chunk from its own seed."""

    config: SimulationConfig
    chunk_athletes: int = 2000

    @property
    def count(self) -> int:
        # At least three chunks, so that training, calibration and test athletes each get one.
        return max(-(-self.config.athletes // self.chunk_athletes), min(3, self.config.athletes))

    def chunk_config(self, k: int) -> SimulationConfig:
        seed = int(np.random.SeedSequence([self.config.seed, _CHUNK_STREAM, k]).generate_state(1)[0])
        begin, end = (self.config.athletes * i // self.count for i in (k, k + 1))
        update = {"athletes": end - begin, "seed": seed, "first_athlete": self.config.first_athlete + begin}
        return self.config.model_copy(update=update)

    def plan(self, shares: Shares, roles: frozenset[str]) -> list[int]:
        return [k for k, role in enumerate(chunk_roles(self.count, shares)) if role in roles]

    def chunk(self, shares: Shares, roles: frozenset[str], k: int) -> Chunk:
        simulation = simulate(self.chunk_config(k))
        ids = simulation.cohort.profiles["athlete_id"].astype(object).to_numpy()
        return Chunk(simulation, pd.Series(chunk_roles(self.count, shares)[k], index=ids))


@dataclass(frozen=True)
class Periods:
    """Scored days: training and calibration rows end (label window included) before the test period starts."""

    first: pd.Timestamp
    test_start: pd.Timestamp
    last: pd.Timestamp


def periods(config: SimulationConfig, warmup_days: int, test_period_share: float) -> Periods:
    first = pd.Timestamp(config.start_date) + pd.Timedelta(days=warmup_days)
    last = pd.Timestamp(config.start_date) + pd.Timedelta(days=config.days - 1)
    test_start = first + pd.Timedelta(days=int((last - first).days * (1 - test_period_share)))
    return Periods(first, test_start, last)


def chunk_rows(chunk: Chunk, role: str, horizon_days: int, span: Periods, day_stride: int = 1) -> pd.DataFrame:
    """Labelled rows of the chunk's athletes of ``role`` in that role's days (every ``day_stride``-th day of each
    athlete, ``scored_days``); test rows with the 28-day labels and true risks too."""
    athletes = pd.Index(chunk.roles.index[chunk.roles == role])
    if role == "test":
        first, last = span.test_start, span.last
    else:
        first, last = span.first, span.test_start - pd.Timedelta(days=horizon_days + 1)
    if not len(athletes) or first > last:
        return pd.DataFrame()
    # Only test rows are judged over 28 days as well; training rows stay as they were.
    return labelled_span(
        chunk.simulation, horizon_days, first, last, athletes, long_horizon=role == "test", day_stride=day_stride
    )

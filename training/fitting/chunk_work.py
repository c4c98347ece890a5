"""A chunk's work, done in worker processes when the cohort is large: simulate the chunk, build its labelled rows and
reduce them to what the main process keeps (a weighted sample of fitting rows, or the scored test days).

Making a chunk is nearly all the CPU time of a large run and chunks are independent, so a chunked cohort's chunks are
made by a pool of processes, one per core by default, and handed back in chunk order. Whatever the number of
workers, each chunk is reduced with a random stream of its own (keyed by the chunk's index), so one worker and many
give the same rows, the same model and the same figures.
"""

from __future__ import annotations

import resource
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from itertools import islice
from multiprocessing import get_context
from types import TracebackType
from typing import TypeVar

import numpy as np
import pandas as pd
from threadpoolctl import threadpool_limits

from training.domain.schema import INJURIES
from training.features import FEATURES
from training.fitting.chunks import Chunk, ChunkedCohort, CohortSource, Periods, Shares
from training.fitting.held_out import WEIGHT
from training.fitting.labels import label_column
from training.fitting.log_starts import known_chunk_rows, with_log_starts

FITTING_ROLES = frozenset({"train", "calibration"})
TEST_ROLES = frozenset({"test"})
MIN_POOLED_CHUNKS = 4  # below this, starting worker processes (a few seconds each) costs more than it saves
_SAMPLE_STREAM = 0xF17  # the sampling draws of chunk k come from default_rng([seed, _SAMPLE_STREAM, k])

Item = TypeVar("Item")
Result = TypeVar("Result")


def sample_rows(rows: pd.DataFrame, negative_fraction: float, rng: np.random.Generator) -> pd.DataFrame:
    """Every row with an onset of any kind ahead and a random ``negative_fraction`` of the others, with the weight
    ``WEIGHT`` (1 / chance of being kept) that makes weighted sums match all rows; features as float32, which the
    trees bin anyway."""
    labels = rows[[label_column(k) for k in INJURIES]]
    onset = (labels == 1).any(axis=1).to_numpy()
    keep = onset | (rng.random(len(rows)) < negative_fraction)
    sample = rows[keep].astype({f: np.float32 for f in FEATURES})
    return sample.assign(**{WEIGHT: np.where(onset[keep], 1.0, 1.0 / negative_fraction)})


@dataclass(frozen=True)
class ChunkRecipe:
    """How any chunk of a run is made: small enough to send to a worker process."""

    source: CohortSource
    shares: Shares
    log_start_share: float
    seed: int
    horizon_days: int
    span: Periods

    def chunk(self, roles: frozenset[str], k: int) -> Chunk:
        return with_log_starts(self.source.chunk(self.shares, roles, k), self.log_start_share, self.seed)

    def rows(self, chunk: Chunk, role: str, day_stride: int = 1) -> pd.DataFrame:
        return known_chunk_rows(chunk, role, self.horizon_days, self.span, day_stride)


@dataclass(frozen=True)
class SampledRows:
    """A chunk's sampled training and calibration rows, and how many rows and athletes they were drawn from."""

    parts: dict[str, pd.DataFrame]
    counts: dict[str, int]


@dataclass(frozen=True)
class FittingWork:
    """Chunk k's fitting rows, sampled."""

    recipe: ChunkRecipe
    negative_fraction: float

    def __call__(self, k: int) -> SampledRows:
        chunk = self.recipe.chunk(FITTING_ROLES, k)
        rng = np.random.default_rng([self.recipe.seed, _SAMPLE_STREAM, k])
        parts: dict[str, pd.DataFrame] = {}
        counts: dict[str, int] = {}
        for role in ("train", "calibration"):
            rows = self.recipe.rows(chunk, role)
            if len(rows):
                parts[role] = sample_rows(rows, self.negative_fraction, rng)
                counts[f"{role}_rows"] = len(rows)
                counts[f"{role}_athletes"] = int(rows["athlete_id"].nunique())
        return SampledRows(parts, counts)


@dataclass(frozen=True)
class ScoringWork:
    """Chunk k's test rows on the days that are scored."""

    recipe: ChunkRecipe
    day_stride: int

    def __call__(self, k: int) -> pd.DataFrame:
        return self.recipe.rows(self.recipe.chunk(TEST_ROLES, k), "test", self.day_stride)


class ChunkWorkers:
    """Worker processes for a run's chunks (a context manager); in-process when one worker is asked for, when the
    source is a simulation already in memory (sending it to workers would copy it), or when there are few chunks."""

    def __init__(self, source: CohortSource, workers: int, chunks: int) -> None:
        pooled = workers > 1 and isinstance(source, ChunkedCohort) and chunks >= MIN_POOLED_CHUNKS
        self.workers = workers if pooled else 1
        self._pool: ProcessPoolExecutor | None = None

    def __enter__(self) -> ChunkWorkers:
        if self.workers > 1:
            # spawn, not fork: the parent may already run threads (BLAS, numba, MLflow) that a fork would copy
            # mid-flight.
            self._pool = ProcessPoolExecutor(self.workers, mp_context=get_context("spawn"), initializer=_one_thread)
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)

    def map(self, work: Callable[[Item], Result], items: Iterable[Item]) -> Iterator[Result]:
        """``work`` of each item (a chunk's index, or any picklable work), in the order given. With a pool the first
        items are handed to the workers at once, so they run while the caller does other work before it reads the
        results; at most an item per worker and one more are in flight, so finished results never pile up in memory
        ahead of the consumer. In-process, each item is worked on when its result is read."""
        if self._pool is None:
            return (work(item) for item in items)
        waiting = iter(items)
        pending = deque(self._pool.submit(work, item) for item in islice(waiting, self.workers + 1))
        return self._results(self._pool, work, waiting, pending)

    @staticmethod
    def _results(
        pool: ProcessPoolExecutor,
        work: Callable[[Item], Result],
        waiting: Iterator[Item],
        pending: deque[Future[Result]],
    ) -> Iterator[Result]:
        while pending:
            done = pending.popleft().result()
            following = next(waiting, None)
            if following is not None:
                pending.append(pool.submit(work, following))
            yield done

    def peak_rss_gb(self) -> float:
        """Peak resident memory of the run: this process's own, plus, for a pool, ``workers`` times the largest
        finished worker's (an upper bound: the workers need not peak at once). Read after the pool is shut down."""
        own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # kilobytes on Linux
        children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss if self.workers > 1 else 0
        return (own + self.workers * children) / 1e6


def _one_thread() -> None:
    # Each worker process is one of the run's parallel lanes: its numeric libraries stay on one thread each.
    threadpool_limits(1)

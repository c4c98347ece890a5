"""The local batch engine: pandas and numpy over many athletes at once, in chunks of athletes to bound memory.

Chunks are scored on a few threads at once: the trees' kernel releases the GIL, as do most numpy operations of the
feature code, so threads use the cores without copying chunks to other processes. Results reach the sink in chunk
order, and at most two chunks per thread wait in memory.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import TypeVar

import numpy as np
import pandas as pd
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from service.batch.frames import scored_results
from service.batch.output import ResultSink
from service.batch.tally import Tally
from training.domain.schema import Cohort
from training.model.registry import ServedModel

# About 400 days x 1,000 athletes of feature arrays stay near 300 MB; larger chunks gain little speed.
DEFAULT_CHUNK_ATHLETES = 1000


def score_local(
    cohort: Cohort,
    spans: pd.DataFrame,
    served: ServedModel,
    sink: ResultSink,
    chunk_athletes: int = DEFAULT_CHUNK_ATHLETES,
    console: Console | None = None,
    threads: int = 1,
) -> Tally:
    """Score every athlete-day of ``spans`` chunk by chunk and hand each chunk's results to ``sink``."""
    console = console or Console(stderr=True)
    tally = Tally()
    chunks = _Chunks.of(cohort, spans, chunk_athletes)

    def score_chunk(number: int) -> pd.DataFrame:
        return scored_results(*chunks.part(number), served)

    with Progress(
        TextColumn("scoring"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("athlete-days"),
        TimeRemainingColumn(),
        console=console,
        disable=not console.is_terminal,
    ) as progress:
        task = progress.add_task("score", total=int(_days(spans).sum()))
        for result in _ordered_map(score_chunk, range(chunks.count), threads):
            sink.write(result)
            tally.add(result)
            progress.advance(task, len(result))
    return tally


_In = TypeVar("_In")
_Out = TypeVar("_Out")


def _ordered_map(work: Callable[[_In], _Out], items: Iterable[_In], threads: int) -> Iterator[_Out]:
    """``map(work, items)`` on ``threads`` threads, in order, with at most ``2 * threads`` results pending.

    Twice as many as threads so that every thread still has work while the caller writes a result.
    """
    with ThreadPoolExecutor(max_workers=threads, thread_name_prefix="score") as pool:
        pending: deque[Future[_Out]] = deque()
        for item in items:
            pending.append(pool.submit(work, item))
            if len(pending) >= 2 * threads:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()


def _days(spans: pd.DataFrame) -> np.ndarray:
    return ((spans["end"] - spans["start"]).dt.days + 1).clip(lower=0).to_numpy()


@dataclass(frozen=True)
class _Chunks:
    """Groups of at most ``size`` athletes. Each table's rows are ordered by group once; a group's rows are then one
    slice of that order, taken by the thread that scores it, so the main thread does not copy the cohort first."""

    cohort: Cohort
    spans: pd.DataFrame
    table_rows: tuple[_Grouped, ...]  # per table of the cohort
    span_rows: _Grouped
    count: int

    @classmethod
    def of(cls, cohort: Cohort, spans: pd.DataFrame, size: int) -> _Chunks:
        athletes = pd.Index(pd.unique(spans["athlete_id"].astype(object)))
        group_of_athlete = np.arange(len(athletes)) // max(size, 1)
        count = int(group_of_athlete[-1]) + 1 if len(athletes) else 0

        def grouped(ids: pd.Series) -> _Grouped:
            code = athletes.get_indexer(ids.astype(object))
            return _Grouped.of(np.where(code >= 0, group_of_athlete[np.maximum(code, 0)], -1), count)

        return cls(
            cohort=cohort,
            spans=spans,
            table_rows=tuple(grouped(table["athlete_id"]) for table in cohort.tables()),
            span_rows=grouped(spans["athlete_id"]),
            count=count,
        )

    def part(self, number: int) -> tuple[Cohort, pd.DataFrame]:
        tables = (g.rows(t, number) for t, g in zip(self.cohort.tables(), self.table_rows, strict=True))
        return Cohort(*tables), self.span_rows.rows(self.spans, number)


@dataclass(frozen=True)
class _Grouped:
    """A table's row positions sorted by group (stable, so each group keeps the table's order), and where each
    group's run starts; rows of no group (-1) come first and belong to none."""

    order: np.ndarray
    starts: np.ndarray  # (groups + 1,)

    @classmethod
    def of(cls, groups: np.ndarray, count: int) -> _Grouped:
        order = np.argsort(groups, kind="stable")
        return cls(order, np.searchsorted(groups[order], np.arange(count + 1), side="left"))

    def rows(self, table: pd.DataFrame, number: int) -> pd.DataFrame:
        return table.take(self.order[self.starts[number] : self.starts[number + 1]]).reset_index(drop=True)

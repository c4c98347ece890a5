"""The local batch engine: pandas and numpy over many athletes at once, in chunks of athletes to bound memory.

Chunks are scored on a few threads at once: the trees' kernel releases the GIL, as do most numpy operations of the
feature code, so threads use the cores without copying chunks to other processes. Results reach the sink in chunk
order, and at most one chunk per thread waits in memory.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from typing import TypeVar

import numpy as np
import pandas as pd
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from training.batch import scored_results
from training.batch_output import ResultSink
from training.batch_tally import Tally
from training.registry import ServedModel
from training.schema import Cohort

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
    chunks = list(_chunks(cohort, spans, chunk_athletes))

    def score_chunk(chunk: tuple[Cohort, pd.DataFrame]) -> pd.DataFrame:
        return scored_results(chunk[0], chunk[1], served)

    with Progress(
        TextColumn("scoring"), BarColumn(), MofNCompleteColumn(), TextColumn("athlete-days"), TimeRemainingColumn(),
        console=console, disable=not console.is_terminal,
    ) as progress:
        task = progress.add_task("score", total=int(_days(spans).sum()))
        for result in _ordered_map(score_chunk, chunks, threads):
            sink.write(result)
            tally.add(result)
            progress.advance(task, len(result))
    return tally


_In = TypeVar("_In")
_Out = TypeVar("_Out")


def _ordered_map(work: Callable[[_In], _Out], items: Iterable[_In], threads: int) -> Iterator[_Out]:
    """``map(work, items)`` on ``threads`` threads, in order, with at most ``threads`` results pending."""
    with ThreadPoolExecutor(max_workers=threads, thread_name_prefix="score") as pool:
        pending: deque[Future[_Out]] = deque()
        for item in items:
            pending.append(pool.submit(work, item))
            if len(pending) >= threads:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()


def _days(spans: pd.DataFrame) -> np.ndarray:
    return ((spans["end"] - spans["start"]).dt.days + 1).clip(lower=0).to_numpy()


def _chunks(cohort: Cohort, spans: pd.DataFrame, size: int) -> Iterator[tuple[Cohort, pd.DataFrame]]:
    """Cohorts of at most ``size`` athletes; each table is split once by a chunk number, not filtered per chunk."""
    chunk_of = pd.Series(np.arange(len(spans)) // max(size, 1), index=spans["athlete_id"].astype(object).to_numpy())
    chunk_of = chunk_of[~chunk_of.index.duplicated(keep="last")]
    count = int(chunk_of.max()) + 1 if len(chunk_of) else 0
    split = [_split(table, chunk_of, count) for table in cohort.tables()]
    span_chunk = chunk_of.reindex(spans["athlete_id"].astype(object)).to_numpy()
    for number in range(count):
        part = Cohort(*(pieces[number] for pieces in split))
        yield part, spans[span_chunk == number].reset_index(drop=True)


def _split(table: pd.DataFrame, chunk_of: pd.Series, count: int) -> list[pd.DataFrame]:
    number = chunk_of.reindex(table["athlete_id"].astype(object)).to_numpy()
    groups = {int(k): g for k, g in table.groupby(number, sort=False)} if len(table) else {}
    empty = table.iloc[0:0]
    return [groups.get(k, empty).reset_index(drop=True) for k in range(count)]

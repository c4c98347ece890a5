"""The local batch engine: pandas and numpy over many athletes at once, in chunks of athletes to bound memory."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pandas as pd
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from training.batch import result_frame, score_explained
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
) -> Tally:
    """Score every athlete-day of ``spans`` chunk by chunk and hand each chunk's results to ``sink``."""
    console = console or Console(stderr=True)
    tally = Tally()
    chunks = list(_chunks(cohort, spans, chunk_athletes))
    with Progress(
        TextColumn("scoring"), BarColumn(), MofNCompleteColumn(), TextColumn("athlete-days"), TimeRemainingColumn(),
        console=console, disable=not console.is_terminal,
    ) as progress:
        task = progress.add_task("score", total=int(_days(spans).sum()))
        for part, part_spans in chunks:
            result = result_frame(score_explained(part, part_spans, served.model), served.name, served.version)
            sink.write(result)
            tally.add(result)
            progress.advance(task, len(result))
    return tally


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

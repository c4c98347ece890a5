"""One batch run: read and check the input, score every athlete-day with an engine, store results and a summary.

Exit codes (documented in the README, used by `injury-risk score`): 0 every row scored; 3 results written but some
input rows were rejected (see the rejects file); 2 the input cannot be scored (missing, malformed or empty, or no
sound row left); 1 any other failure (for example no registered model). Results are replaced day by day, never
appended, so a failed or repeated run can simply be run again.
"""

from __future__ import annotations

import datetime as dt
import json
import time
from dataclasses import asdict, dataclass, field
from enum import IntEnum
from pathlib import Path
from typing import Literal

import pandas as pd
from rich.console import Console

from training.batch_input import BatchInputError, read_checked
from training.batch_output import ParquetSink, write_rejects
from training.batch_tally import Tally
from training.features import days_to_score
from training.registry import ServedModel, load_served_model
from training.schema import Cohort
from training.settings import Settings

Engine = Literal["local", "spark"]


class ExitCode(IntEnum):
    ok = 0
    failed = 1
    bad_input = 2
    rows_rejected = 3


@dataclass(frozen=True)
class BatchRequest:
    """What to score: the input folder, the days (first to last, inclusive), the engine and where results go."""

    input: Path
    out: Path
    first_day: dt.date
    last_day: dt.date
    engine: Engine = "local"
    master: str = "local[*]"
    rejects: Path | None = None
    summary: Path | None = None

    def rejects_path(self) -> Path:
        return self.rejects or self.out / "_rejects.csv"

    def summary_path(self) -> Path:
        return self.summary or self.out / "_summary.json"


@dataclass
class BatchSummary:
    engine: str
    input: str
    out: str
    first_day: str
    last_day: str
    model_name: str
    model_version: str
    rows_read: int
    rows_rejected: int
    rejects_file: str
    athletes_scored: int
    athlete_days_scored: int
    high_risk_athletes: dict[str, int] = field(default_factory=dict)
    duration_seconds: float = 0.0
    exit_code: int = 0

    def to_json(self) -> str:
        return json.dumps(asdict(self), indent=1)


def run_batch(request: BatchRequest, settings: Settings, console: Console | None = None) -> BatchSummary:
    """Score the request; raise BatchInputError when nothing can be scored. Writes results, rejects and summary."""
    started = time.perf_counter()
    if request.first_day > request.last_day:
        raise BatchInputError(f"the first day {request.first_day} is after the last day {request.last_day}")
    checked = read_checked(request.input)
    write_rejects(checked.rejects, request.rejects_path())
    if checked.cohort.profiles.empty:
        raise BatchInputError(
            f"{request.input}: no athlete has a sound profile ({len(checked.rejects)} rows rejected, "
            f"reasons in {request.rejects_path()})"
        )
    spans = days_to_score(
        checked.cohort, as_of=pd.Timestamp(request.last_day), start=pd.Timestamp(request.first_day)
    )
    served = load_served_model(settings)
    sink = ParquetSink(request.out)
    try:
        tally = _score(request, checked.cohort, spans, served, sink, settings, console)
        sink.commit()
    finally:
        sink.discard()
    rejected = len(checked.rejects)
    summary = BatchSummary(
        engine=request.engine,
        input=str(request.input),
        out=str(request.out),
        first_day=str(request.first_day),
        last_day=str(request.last_day),
        model_name=served.name,
        model_version=served.version,
        rows_read=checked.rows_read,
        rows_rejected=rejected,
        rejects_file=str(request.rejects_path()),
        athletes_scored=tally.athletes,
        athlete_days_scored=tally.athlete_days,
        high_risk_athletes=tally.high_risk_athletes,
        duration_seconds=round(time.perf_counter() - started, 3),
        exit_code=int(ExitCode.rows_rejected if rejected else ExitCode.ok),
    )
    path = request.summary_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(summary.to_json() + "\n", encoding="utf-8")
    return summary


def _score(
    request: BatchRequest,
    cohort: Cohort,
    spans: pd.DataFrame,
    served: ServedModel,
    sink: ParquetSink,
    settings: Settings,
    console: Console | None,
) -> Tally:
    if request.engine == "spark":
        from training.batch_spark import score_spark, spark_session

        return score_spark(cohort, spans, served, sink, spark_session(request.master))
    from training.batch_local import score_local

    return score_local(cohort, spans, served, sink, console=console, threads=settings.batch_threads)

"""One batch run: read and check the input, score every athlete-day with an engine, store results and a summary.

Input is a cohort folder (``batch_input``) or one tenant of the service database (``batch_db_input``); results go
to a parquet dataset (``batch_output.ParquetSink``) or to ``risk_assessments`` (``batch_db_output.DatabaseSink``).
With ``since_last_run`` only the athlete-days the served model version has not scored yet are scored.

Exit codes (documented in the README, used by `injury-risk score`): 0 every row scored; 3 results written but some
input rows were rejected (see the rejects file); 2 the input cannot be scored (missing, malformed or empty, an
unknown tenant or one without athletes, or no sound row left); 1 any other failure (for example no registered
model). Results are replaced per athlete-day (database) or day (parquet), never appended, so a failed or repeated
run can simply be run again.
"""

from __future__ import annotations

import datetime as dt
import json
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from enum import IntEnum
from pathlib import Path
from typing import Literal

import pandas as pd
from rich.console import Console

from service.batch.db_input import read_tenant
from service.batch.db_output import DatabaseSink
from service.batch.input import BatchInputError, CheckedInput, checked_tables, read_scorable
from service.batch.local_engine import score_local
from service.batch.output import ParquetSink, ResultSink, write_rejects
from service.batch.spark_engine import score_spark, spark_session
from service.batch.tally import Tally
from service.batch.unscored import unscored_spans
from service.db.session import Database, make_engine
from service.imports.importer import limits_of
from training.domain.schema import Cohort
from training.features import days_to_score
from training.model.registry import ServedModel, load_served_model
from training.settings import Settings

Engine = Literal["local", "spark"]


class ExitCode(IntEnum):
    ok = 0
    failed = 1
    bad_input = 2
    rows_rejected = 3


@dataclass(frozen=True)
class BatchRequest:
    """What to score: an input folder or a tenant, the days (first to last, inclusive), the engine and where results
    go (a results folder or the database). Without a results folder, rejects and summary are written only where
    ``rejects`` and ``summary`` say."""

    first_day: dt.date
    last_day: dt.date
    input: Path | None = None
    tenant: str | None = None
    out: Path | None = None
    to_db: bool = False
    since_last_run: bool = False
    engine: Engine = "local"
    master: str = "local[*]"
    rejects: Path | None = None
    summary: Path | None = None

    def __post_init__(self) -> None:
        if (self.input is None) == (self.tenant is None):
            raise BatchInputError("give exactly one input: a cohort folder (--input) or a tenant (--tenant)")
        if (self.out is None) == (not self.to_db):
            raise BatchInputError("give exactly one place for results: a folder (--out) or the database (--to-db)")

    def rejects_path(self) -> Path | None:
        return self.rejects or (self.out / "_rejects.csv" if self.out is not None else None)

    def summary_path(self) -> Path | None:
        return self.summary or (self.out / "_summary.json" if self.out is not None else None)

    def source(self) -> str:
        return str(self.input) if self.input is not None else f"tenant {self.tenant}"

    def destination(self) -> str:
        return str(self.out) if self.out is not None else "database table risk_assessments"


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
    # With since_last_run: athlete-days left alone because the served model version had already scored them.
    athlete_days_skipped: int = 0
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
    # Once a folder's tables are read, the model loads (MLflow, then the trees' tables) while they are checked: both
    # take seconds. A missing or malformed input fails before any model work, with nothing to wait for.
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="load-model") as pool:
        if request.input is not None:
            scorable = read_scorable(request.input, limits_of(settings))
            loading = pool.submit(load_served_model, settings)
            checked = checked_tables(scorable.tables, scorable.refused_files, scorable.files_read)
        else:
            checked = _read_tenant(request, settings)
            loading = pool.submit(load_served_model, settings)
        rejects_path = request.rejects_path()
        if rejects_path is not None:
            write_rejects(checked.rejects, rejects_path)
        if checked.cohort.profiles.empty:
            where = f"reasons in {rejects_path}" if rejects_path is not None else "pass --rejects PATH for the reasons"
            raise BatchInputError(
                f"{request.source()}: no athlete has a sound profile ({len(checked.rejects)} rows rejected, {where})"
            )
        spans = days_to_score(
            checked.cohort, as_of=pd.Timestamp(request.last_day), start=pd.Timestamp(request.first_day)
        )
        served = loading.result()
    athlete_ids = spans["athlete_id"].astype(object).unique().tolist()
    sink = _sink(request, settings, served, athlete_ids)
    try:
        skipped = 0
        if request.since_last_run:
            scored = sink.already_scored(athlete_ids, request.first_day, request.last_day, served.name, served.version)
            spans, skipped = unscored_spans(spans, scored)
        tally = _score(request, checked.cohort, spans, served, sink, settings, console) if len(spans) else Tally()
        sink.commit()
    finally:
        sink.discard()
    rejected = len(checked.rejects)
    summary = BatchSummary(
        engine=request.engine,
        input=request.source(),
        out=request.destination(),
        first_day=str(request.first_day),
        last_day=str(request.last_day),
        model_name=served.name,
        model_version=served.version,
        rows_read=checked.rows_read,
        rows_rejected=rejected,
        rejects_file=str(rejects_path) if rejects_path is not None else "",
        athletes_scored=tally.athletes,
        athlete_days_scored=tally.athlete_days,
        athlete_days_skipped=skipped,
        high_risk_athletes=tally.high_risk_athletes,
        duration_seconds=round(time.perf_counter() - started, 3),
        exit_code=int(ExitCode.rows_rejected if rejected else ExitCode.ok),
    )
    path = request.summary_path()
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(summary.to_json() + "\n", encoding="utf-8")
    return summary


def _read_tenant(request: BatchRequest, settings: Settings) -> CheckedInput:
    database = Database(settings, bounded=False)
    try:
        assert request.tenant is not None
        return read_tenant(database, request.tenant, request.first_day, request.last_day, settings.max_log_days)
    finally:
        database.dispose()


def _sink(request: BatchRequest, settings: Settings, served: ServedModel, athlete_ids: list[str]) -> ResultSink:
    if request.out is not None:
        return ParquetSink(request.out, keep_other_athletes=request.since_last_run, threads=settings.batch_threads)
    sink = DatabaseSink(
        make_engine(settings.resolved_database_url(), settings.database_connect_timeout_s),
        served.model.feature_ranges,
    )
    # A systematic mismatch (an export keyed by the platform's own ids), not a bad row: stop before scoring.
    missing = sink.missing_athletes(athlete_ids)
    if missing:
        sink.discard()
        shown = ", ".join(missing[:5]) + (", ..." if len(missing) > 5 else "")
        raise BatchInputError(
            f"{request.source()}: {len(missing)} athlete_id(s) are not athletes of the database ({shown}); "
            "--to-db stores assessments of stored athletes only, keyed by their database id"
        )
    return sink


def _score(
    request: BatchRequest,
    cohort: Cohort,
    spans: pd.DataFrame,
    served: ServedModel,
    sink: ResultSink,
    settings: Settings,
    console: Console | None,
) -> Tally:
    if request.engine == "spark":
        return score_spark(cohort, spans, served, sink, spark_session(request.master))
    return score_local(cohort, spans, served, sink, console=console, threads=settings.batch_threads)

"""Batch runs as a node-exporter textfile: each run of `injury-risk score` is a process of its own, so it adds to the
totals the file already holds and rewrites it whole (node-exporter's textfile collector serves it to Prometheus)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from prometheus_client import CollectorRegistry, write_to_textfile
from prometheus_client.metrics_core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.parser import text_string_to_metric_families

RUNS = "injury_risk_batch_runs"
ATHLETE_DAYS = "injury_risk_batch_athlete_days_scored"
LAST_SUCCESS = "injury_risk_batch_last_success_timestamp_seconds"
LAST_DURATION = "injury_risk_batch_last_run_duration_seconds"

# Outcomes are the batch job's exit codes by name; results were written for the first two.
SUCCESSFUL = ("ok", "rows_rejected")


# Compared by identity: the registry keeps its collectors as dictionary keys.
@dataclass(eq=False)
class BatchTotals:
    """What the textfile holds: runs by outcome, athlete-days scored, when the last run that wrote results ended."""

    runs: dict[str, float] = field(default_factory=dict)
    athlete_days: float = 0.0
    last_success: float | None = None
    last_duration_s: float | None = None

    def collect(self) -> Iterator[Metric]:
        runs = CounterMetricFamily(RUNS, "Batch scoring runs, by outcome (the exit code's name).", labels=["outcome"])
        for outcome, count in sorted(self.runs.items()):
            runs.add_metric([outcome], count)
        yield runs
        yield CounterMetricFamily(ATHLETE_DAYS, "Athlete-days scored by batch runs.", value=self.athlete_days)
        if self.last_success is not None:
            yield GaugeMetricFamily(
                LAST_SUCCESS, "Unix time the last batch run that wrote results ended.", value=self.last_success
            )
        if self.last_duration_s is not None:
            yield GaugeMetricFamily(LAST_DURATION, "Seconds the last batch run took.", value=self.last_duration_s)


def read_totals(path: Path) -> BatchTotals:
    """The totals in the file, or none yet; a file that cannot be parsed starts the totals again."""
    totals = BatchTotals()
    try:
        text = path.read_text(encoding="utf-8")
        families = list(text_string_to_metric_families(text))
    except (FileNotFoundError, ValueError):
        return totals
    for sample in (s for family in families for s in family.samples):
        if sample.name == f"{RUNS}_total":
            totals.runs[sample.labels.get("outcome", "")] = sample.value
        elif sample.name == f"{ATHLETE_DAYS}_total":
            totals.athlete_days = sample.value
        elif sample.name == LAST_SUCCESS:
            totals.last_success = sample.value
        elif sample.name == LAST_DURATION:
            totals.last_duration_s = sample.value
    return totals


def record_run(path: Path, outcome: str, athlete_days: int, duration_s: float, ended: float | None = None) -> None:
    """Add one run to the textfile at ``path``; written to a temporary file and renamed, so a scrape never reads half
    a file. Two runs ending at the same moment may lose one's count: schedule them apart or give each its own file."""
    totals = read_totals(path)
    totals.runs[outcome] = totals.runs.get(outcome, 0.0) + 1
    totals.athlete_days += athlete_days
    totals.last_duration_s = duration_s
    if outcome in SUCCESSFUL:
        totals.last_success = time.time() if ended is None else ended
    registry = CollectorRegistry(auto_describe=False)
    registry.register(totals)
    path.parent.mkdir(parents=True, exist_ok=True)
    write_to_textfile(str(path), registry)

"""The monitoring figures as Prometheus gauges: every tenant's stored assessments of the last days against the
injuries that followed, and their drift, in the scrape of /metrics.

The report reads every assessment of the window, so it is computed at most once per ``refresh_seconds`` and the
scrapes in between answer the last figures; a scrape while the database is unavailable answers the last figures too,
with ``injury_risk_monitoring_up`` 0.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections.abc import Callable, Iterator, Mapping

from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from service.monitoring.report import monitoring_report
from service.schemas.monitoring import MonitoringReport
from training.settings import Settings

# The served model's training population and version, or None while no model is loaded.
TrainingPopulation = Callable[[], tuple[Mapping[str, Mapping[str, list[float]]], str] | None]


class MonitoringGauges:
    """Computes and caches the report behind the gauges; ``exposition`` gives them in Prometheus's text format."""

    def __init__(self, settings: Settings, session: Callable[[], Session], population: TrainingPopulation) -> None:
        self._settings = settings
        self._session = session
        self._population = population
        self._lock = threading.Lock()
        self._report: MonitoringReport | None = None
        self._computed_at = float("-inf")
        self._up = False

    def report(self, now: float | None = None) -> MonitoringReport | None:
        """The cached report, computed again when older than the refresh setting (None until one succeeds)."""
        now = time.monotonic() if now is None else now
        with self._lock:
            if now - self._computed_at >= self._settings.monitoring_metrics_refresh_seconds:
                self._computed_at = now
                self._up = self._compute()
            return self._report

    def _compute(self) -> bool:
        population = self._population()
        distribution, version = population if population is not None else ({}, None)
        today = dt.datetime.now(dt.UTC).date()
        first = today - dt.timedelta(days=self._settings.monitoring_metrics_window_days)
        try:
            with self._session() as session:
                self._report = monitoring_report(
                    session,
                    self._settings,
                    tenant_id=None,
                    first=first,
                    today=today,
                    training_distribution=distribution,
                    training_version=version,
                )
        except SQLAlchemyError:
            return False
        return True

    def exposition(self) -> bytes:
        registry = CollectorRegistry(auto_describe=False)
        registry.register(_Figures(self.report(), self._up, self._settings.monitoring_metrics_window_days))
        return generate_latest(registry)


class _Figures(Collector):
    def __init__(self, report: MonitoringReport | None, up: bool, window_days: int) -> None:
        self._report = report
        self._up = up
        self._window = window_days

    def collect(self) -> Iterator[GaugeMetricFamily]:
        up = GaugeMetricFamily(
            "injury_risk_monitoring_up", "1 when the last monitoring report was read from the database, else 0."
        )
        up.add_metric([], 1.0 if self._up else 0.0)
        yield up
        report = self._report
        if report is None:
            return
        window = f"over the assessments of the last {self._window} days, every tenant"
        assessments = GaugeMetricFamily(
            "injury_risk_monitoring_assessments", f"Stored assessments {window}.", labels=["state"]
        )
        assessments.add_metric(["judged"], float(report.assessments - report.awaiting_outcome))
        assessments.add_metric(["awaiting_outcome"], float(report.awaiting_outcome))
        yield assessments
        labels = ["injury", "model_version"]
        onsets = GaugeMetricFamily(
            "injury_risk_monitoring_onsets", f"Onsets after judged assessments {window}.", labels=labels
        )
        expected = GaugeMetricFamily(
            "injury_risk_monitoring_expected_onsets", f"Sum of the judged assessments' risks {window}.", labels=labels
        )
        ratio = GaugeMetricFamily(
            "injury_risk_monitoring_observed_expected", f"Onsets / expected onsets {window}.", labels=labels
        )
        outside = GaugeMetricFamily(
            "injury_risk_monitoring_outside_expected",
            f"1 when the onsets fall outside the 95% range the risks imply {window}, else 0.",
            labels=labels,
        )
        auc = GaugeMetricFamily(
            "injury_risk_monitoring_roc_auc",
            f"Realised ROC AUC, once there are enough onsets, {window}.",
            labels=labels,
        )
        for outcome in report.outcomes:
            key = [outcome.injury, outcome.model_version]
            onsets.add_metric(key, float(outcome.onsets))
            expected.add_metric(key, outcome.expected_onsets)
            outside.add_metric(key, 0.0 if outcome.within_expected else 1.0)
            if outcome.observed_expected is not None:
                ratio.add_metric(key, outcome.observed_expected)
            if outcome.roc_auc is not None:
                auc.add_metric(key, outcome.roc_auc)
        yield from (onsets, expected, ratio, outside, auc)
        psi = GaugeMetricFamily(
            "injury_risk_monitoring_feature_psi",
            f"Population stability index of each feature against the served model's training rows, {window}.",
            labels=["feature"],
        )
        flagged = GaugeMetricFamily(
            "injury_risk_monitoring_features_drifted", f"Features whose PSI is past the threshold, {window}."
        )
        for feature in report.drift.features:
            if feature.psi is not None:
                psi.add_metric([feature.feature], feature.psi)
        flagged.add_metric([], float(len(report.drift.flagged)))
        yield from (psi, flagged)

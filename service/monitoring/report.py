"""The monitoring report of one tenant or of every tenant: what GET /v1/model/monitoring answers and
`injury-risk monitoring` prints, and what a metrics collector can call."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from sqlalchemy.orm import Session

from service.monitoring.drift import feature_drift, risk_by_week
from service.monitoring.outcomes import injury_outcomes, judged
from service.repositories import assessments, injuries
from service.schemas.monitoring import MonitoringReport
from training.settings import Settings


def monitoring_report(
    session: Session,
    settings: Settings,
    *,
    tenant_id: int | None,
    tenant: str | None = None,
    first: dt.date | None = None,
    last: dt.date | None = None,
    model_version: str | None = None,
    today: dt.date | None = None,
    training_distribution: Mapping[str, Mapping[str, list[float]]] | None = None,
    training_version: str | None = None,
) -> MonitoringReport:
    """Stored assessments with as_of in first..last (either open) of one tenant (``tenant_id`` None: every tenant)
    against the injuries recorded up to yesterday (today's injuries may not be recorded yet), and their features
    against ``training_distribution`` (the served model's ``feature_distribution``, of ``training_version``)."""
    today = today or dt.datetime.now(dt.UTC).date()
    observed_until = today - dt.timedelta(days=1)
    horizon = settings.horizon_days
    stored = assessments.in_window(session, tenant_id, first, last, model_version)
    onsets = injuries.onsets(session, tenant_id, first, None if last is None else last + dt.timedelta(days=horizon))
    rows = judged(stored, onsets, observed_until, horizon)
    return MonitoringReport(
        tenant=tenant,
        window_from=first,
        window_to=last,
        model_version=model_version,
        observed_until=observed_until,
        horizon_days=horizon,
        min_onsets_for_auc=settings.monitoring_min_onsets_for_auc,
        assessments=len(stored),
        awaiting_outcome=len(stored) - len(rows),
        outcomes=injury_outcomes(rows, settings.monitoring_min_onsets_for_auc) if len(rows) else [],
        drift=feature_drift(
            stored,
            training_distribution or {},
            training_version,
            settings.monitoring_psi_threshold,
            settings.monitoring_drift_min_assessments,
        ),
        risk_by_week=risk_by_week(stored),
    )

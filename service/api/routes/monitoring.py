"""GET /v1/model/monitoring: the caller's tenant's stored assessments against the injuries recorded after them,
and their features against the training population of the model in service."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.exceptions import RequestValidationError

from service.api.deps import MonitoringReader, ServedModelDep, SessionDep, SettingsDep
from service.db.models import Tenant
from service.monitoring.report import monitoring_report
from service.schemas.monitoring import MonitoringReport
from service.schemas.risk import EARLIEST_DATE, LATEST_DATE

router = APIRouter(prefix="/v1/model", tags=["model"])


@router.get(
    "/monitoring",
    response_model=MonitoringReport,
    summary="Stored assessments against the injuries that followed: onsets, observed/expected, ROC AUC",
)
def get_model_monitoring(
    principal: MonitoringReader,
    session: SessionDep,
    settings: SettingsDep,
    served: ServedModelDep,
    window_from: Annotated[
        dt.date | None,
        Query(alias="from", ge=EARLIEST_DATE, le=LATEST_DATE, description="First as_of day, inclusive."),
    ] = None,
    window_to: Annotated[
        dt.date | None, Query(alias="to", ge=EARLIEST_DATE, le=LATEST_DATE, description="Last as_of day, inclusive.")
    ] = None,
    model_version: Annotated[
        str | None,
        Query(min_length=1, max_length=32, pattern=r"^[\w.-]+$", description="Only this model version's assessments."),
    ] = None,
) -> MonitoringReport:
    if window_from is not None and window_to is not None and window_to < window_from:
        raise RequestValidationError(
            [{"type": "value_error", "loc": ("query", "to"), "msg": "to is before from", "input": str(window_to)}]
        )
    tenant = session.get(Tenant, principal.tenant_id)
    report = monitoring_report(
        session,
        settings,
        tenant_id=principal.tenant_id,
        tenant=None if tenant is None else tenant.name,
        first=window_from,
        last=window_to,
        model_version=model_version,
        training_distribution=served.feature_distribution,
        training_version=served.version,
    )
    session.commit()
    return report

"""GET /v1/athletes/{athlete_id}/risk and its history: the stored log scored by the same code as POST /v1/risk."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.concurrency import run_in_threadpool
from fastapi.exceptions import RequestValidationError

from service.api.deps import (
    AthleteDep,
    DatabaseDep,
    MetricsDep,
    Reader,
    ServedModelDep,
    SessionDep,
    SettingsDep,
    close_session,
    no_athlete,
)
from service.api.observe import count_risks
from service.api.paging import Cursor, Limit
from service.assessment.log_assessment import assess_log_features
from service.assessment.log_checks import as_of_or_today, log_errors
from service.assessment.stored_log import stored_log, stored_request
from service.assessment.what_if_assessment import assess_what_if, plan_errors
from service.db.models import RiskAssessment
from service.db.session import Database
from service.pagination import encode_cursor, id_cursor
from service.repositories import assessments, audit
from service.repositories.conflicts import Conflict
from service.schemas.assessments import AssessmentPublic, AssessmentsPublic, AthleteRiskPublic, StoredRisk
from service.schemas.risk import EARLIEST_DATE, LATEST_DATE, ModelRef, RiskRequest
from service.schemas.what_if import StoredPlanRequest, WhatIfRequest, WhatIfResponse
from service.security import Principal
from training.domain.schema import INJURIES
from training.model.registry import ServedModel
from training.model.scoring import band_for
from training.settings import Settings

router = APIRouter(prefix="/v1/athletes/{athlete_id}", tags=["risk"])


def _require_scorable(request: RiskRequest, day: dt.date, settings: Settings) -> None:
    problems = log_errors(request, day, settings.max_log_days, settings.max_activities)
    if problems:
        # Each stored row passed validation; together they break a whole-log rule (e.g. over 200 km in one day).
        raise Conflict("the stored log cannot be scored: " + "; ".join(p["msg"] for p in problems[:5]))


def public(row: RiskAssessment) -> AssessmentPublic:
    risks = []
    for kind in INJURIES:
        relative = getattr(row, f"rr_{kind}")
        risks.append(
            StoredRisk(
                injury=kind,
                probability=getattr(row, f"p_{kind}"),
                relative_risk=relative,
                band=None if relative is None else band_for(relative),
            )
        )
    return AssessmentPublic(
        id=row.id,
        athlete_id=row.athlete_id,
        as_of=row.as_of,
        model=ModelRef(name=row.model_name, version=row.model_version),
        risks=risks,
        drivers=row.drivers or [],
        created_at=row.created_at,
    )


@router.get(
    "/risk",
    response_model=AthleteRiskPublic,
    summary="Risk from the stored log as of a day (default today), stored as an assessment",
)
async def score_athlete_risk(
    athlete_id: str,
    principal: Reader,
    database: DatabaseDep,
    served: ServedModelDep,
    settings: SettingsDep,
    metrics: MetricsDep,
    as_of: Annotated[
        dt.date | None,
        Query(
            ge=EARLIEST_DATE,
            le=LATEST_DATE,
            description="Day the risk is computed for (end of day); default today (UTC).",
        ),
    ] = None,
) -> AthleteRiskPublic:
    # The database work and the answer in one trip to a worker thread (as POST /v1/risk), not one per dependency;
    # the event loop serialises the answer.
    answer = await run_in_threadpool(
        stored_answer, database, principal, athlete_id, as_of_or_today(as_of), served, settings
    )
    count_risks(metrics, answer)
    return answer


def stored_answer(
    database: Database, principal: Principal, athlete_id: str, day: dt.date, served: ServedModel, settings: Settings
) -> AthleteRiskPublic:
    """The athlete's stored log scored as of ``day`` and stored as an assessment, audited: one query to read, one
    statement to write both rows (PostgreSQL), which commits on its own: nothing to roll back before it, and a
    statement is atomic, so no transaction round trips around them (SQLite: one commit)."""
    assert principal.tenant_id is not None
    session = database.statement_session()
    try:
        log = stored_log(session, principal.tenant_id, athlete_id, day, settings)
        if log is None:
            raise no_athlete(athlete_id)
        answer, features = assess_log_features(log, day, served, settings)
        entry = audit.entry(principal, "risk.assess", athlete_id)
        assessment_id, created_at = assessments.store(session, athlete_id, answer, features, entry)
        session.commit()
    finally:
        close_session(session)
    # The answer's parts as they are (validated when built), not dumped to dicts and validated again.
    return AthleteRiskPublic(**dict(answer), athlete_id=athlete_id, assessment_id=assessment_id, created_at=created_at)


@router.get("/risk/history", response_model=AssessmentsPublic, summary="The athlete's stored assessments, newest first")
def list_risk_history(
    principal: Reader, athlete: AthleteDep, session: SessionDep, limit: Limit = 100, cursor: Cursor = None
) -> AssessmentsPublic:
    before = id_cursor("history", cursor) if cursor else None
    rows, total = assessments.history(session, athlete.id, before, limit)
    audit.record_read(session, principal, "risk.history", athlete.id)
    next_cursor = encode_cursor("history", [rows[-1].id]) if len(rows) == limit else None
    return AssessmentsPublic(data=[public(r) for r in rows], count=total, next_cursor=next_cursor)


@router.post(
    "/what-if", response_model=WhatIfResponse, summary="Risk at the end of a planned block vs doing nothing new"
)
def score_athlete_what_if(
    body: StoredPlanRequest,
    principal: Reader,
    athlete: AthleteDep,
    session: SessionDep,
    served: ServedModelDep,
    settings: SettingsDep,
) -> WhatIfResponse:
    """The stored log up to as_of plus the plan in the body, through the same code as POST /v1/risk/what-if."""
    day = as_of_or_today(body.as_of)
    stored = stored_request(session, athlete, day, settings.max_log_days)
    request = WhatIfRequest(
        **stored.model_dump(exclude={"as_of"}),
        as_of=day,
        planned_runs=body.planned_runs,
        planned_strength_sessions=body.planned_strength_sessions,
    )
    problems = plan_errors(request, day, settings.what_if_max_days)
    if problems:
        # The plan's fields are the body's fields: name them as such.
        raise RequestValidationError(problems)
    _require_scorable(request, day, settings)
    audit.record_read(session, principal, "risk.what_if", athlete.id)
    session.commit()
    return assess_what_if(request, day, served)

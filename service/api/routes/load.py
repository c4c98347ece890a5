"""GET /v1/athletes/{athlete_id}/load: the stored log's weekly km, acute:chronic ratios and long-run spikes."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.exceptions import RequestValidationError

from service.api.deps import AthleteDep, Reader, SessionDep, SettingsDep, no_athlete
from service.assessment.load_history import SPIKE_THRESHOLD_PCT, max_weeks, weekly_load
from service.assessment.log_checks import as_of_or_today
from service.assessment.stored_log import stored_log
from service.repositories import audit
from service.schemas.load import AthleteLoadPublic
from service.schemas.risk import EARLIEST_DATE, LATEST_DATE

router = APIRouter(prefix="/v1/athletes/{athlete_id}", tags=["load"])


@router.get("/load", response_model=AthleteLoadPublic, summary="Weekly km, acute:chronic ratio and long-run spikes")
def read_athlete_load(
    principal: Reader,
    athlete: AthleteDep,
    session: SessionDep,
    settings: SettingsDep,
    as_of: Annotated[
        dt.date | None,
        Query(ge=EARLIEST_DATE, le=LATEST_DATE, description="Last day of the last week; default today (UTC)."),
    ] = None,
    weeks: Annotated[int, Query(ge=1, le=52, description="How many weeks, ending on as_of.")] = 26,
) -> AthleteLoadPublic:
    most = max_weeks(settings.max_log_days)
    if weeks > most:
        problem = f"at most {most} weeks fit in the stored log's window"
        raise RequestValidationError([{"loc": ("query", "weeks"), "msg": problem, "type": "too_long"}])
    day = as_of_or_today(as_of)
    log = stored_log(session, athlete.tenant_id, athlete.id, day, settings)
    if log is None:
        # Erased between the two queries.
        raise no_athlete(athlete.id)
    load = weekly_load(log, day, weeks)
    audit.record_read(session, principal, "load.read", athlete.id)
    return AthleteLoadPublic(athlete_id=athlete.id, as_of=day, spike_threshold_pct=SPIKE_THRESHOLD_PCT, weeks=load)

"""POST /v1/risk/what-if: compare the risk after a planned block of training with doing nothing new."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body
from fastapi.exceptions import RequestValidationError

from service.api.deps import Scorer, ServedModelDep, SettingsDep
from service.api.routes.risk import EXAMPLE
from service.assessment.log_checks import as_of_or_today, log_errors
from service.assessment.what_if_assessment import assess_what_if, plan_errors
from service.schemas.what_if import WhatIfRequest, WhatIfResponse

router = APIRouter(prefix="/v1", tags=["risk"])

WHAT_IF_EXAMPLE = {
    **EXAMPLE,
    "planned_runs": [
        {"id": "p1", "date": "2026-11-03", "km": 8},
        {"id": "p2", "date": "2026-11-05", "km": 10},
        {"id": "p3", "date": "2026-11-08", "km": 30},
    ],
    "planned_strength_sessions": [
        {"id": "ps1", "date": "2026-11-04", "exercises": [{"exercise_id": "nordic_curl", "sets": 3, "reps": 6}]}
    ],
}


@router.post(
    "/risk/what-if", response_model=WhatIfResponse, summary="Risk at the end of a training plan vs doing nothing new"
)
def score_what_if(
    body: Annotated[
        WhatIfRequest, Body(openapi_examples={"a 30 km long run next weekend": {"value": WHAT_IF_EXAMPLE}})
    ],
    _caller: Scorer,
    served: ServedModelDep,
    settings: SettingsDep,
) -> WhatIfResponse:
    as_of = as_of_or_today(body.as_of)
    errors = log_errors(body, as_of, settings.max_log_days, settings.max_activities)
    errors += plan_errors(body, as_of, settings.what_if_max_days)
    if errors:
        raise RequestValidationError(errors)
    return assess_what_if(body, as_of, served)

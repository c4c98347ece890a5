"""POST /v1/risk: risk from a training log the caller sends whole."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, Response
from fastapi.exceptions import RequestValidationError

from service.api.deps import Scorer, ScoringDep
from service.api.json_body import JsonBodyRoute
from service.api.observe import count_risks
from service.assessment.log_assessment import assess_request
from service.assessment.log_checks import as_of_or_today, log_errors
from service.metrics import ServiceMetrics
from service.schemas.risk import RiskRequest, RiskResponse
from training.model.registry import ServedModel
from training.settings import Settings

# The training log is validated from the request's bytes in one pass (service/api/json_body.py).
router = APIRouter(prefix="/v1", tags=["risk"], route_class=JsonBodyRoute)

EXAMPLE = {
    "athlete": {"age": 34, "sex": "F", "years_running": 3, "body_mass_kg": 61, "height_cm": 168},
    "injuries": [{"kind": "achilles", "onset": "2026-03-02", "resolved": "2026-04-20"}],
    "runs": [
        {"id": "r1", "date": "2026-10-20", "km": 8},
        {"id": "r2", "date": "2026-10-22", "km": 10, "km_threshold": 4},
        {"id": "r3", "date": "2026-10-25", "km": 14},
        {"id": "r4", "date": "2026-10-27", "km": 8},
        {"id": "r5", "date": "2026-10-29", "km": 10, "km_interval": 3, "km_sprint": 0.4},
        {"id": "r6", "date": "2026-11-01", "km": 24, "rpe": 7, "duration_min": 140},
    ],
    "strength_sessions": [
        {"id": "s1", "date": "2026-10-28", "exercises": [{"exercise_id": "nordic_curl", "sets": 3, "reps": 6}]}
    ],
    "as_of": "2026-11-01",
}


@router.post("/risk", response_model=RiskResponse, summary="Risk of the four injuries from a training log")
async def score_risk(
    body: Annotated[RiskRequest, Body(openapi_examples={"a week with a long-run spike": {"value": EXAMPLE}})],
    _caller: Scorer,
    scoring: ScoringDep,
) -> Response:
    # The answer is CPU work, done in one trip to the process's answer thread, which also counts it and serialises
    # it: the event loop, which takes turns with that thread at the interpreter lock, only sends the bytes.
    content = await scoring.answers.run(answer_json, body, scoring.served, scoring.settings, scoring.metrics)
    return Response(content, media_type="application/json")


def answer_json(body: RiskRequest, served: ServedModel, settings: Settings, metrics: ServiceMetrics | None) -> bytes:
    """The checked answer, counted, as the JSON bytes FastAPI would send for the route's response model."""
    answer = checked_answer(body, served, settings)
    count_risks(metrics, answer)
    return RiskResponse.__pydantic_serializer__.to_json(answer, by_alias=True)


def checked_answer(body: RiskRequest, served: ServedModel, settings: Settings) -> RiskResponse:
    """The answer to a body that passed validation, once the whole-log rules hold (422 naming the field if not)."""
    as_of = as_of_or_today(body.as_of)
    errors = log_errors(body, as_of, settings.max_log_days, settings.max_activities)
    if errors:
        raise RequestValidationError(errors)
    return assess_request(body, as_of, served, settings)

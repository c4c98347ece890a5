"""POST /v1/risk/what-if over HTTP: the same risk as POST /v1/risk on the same log, and 422s naming the field."""

from __future__ import annotations

import copy
import datetime as dt
from typing import Any

import pytest
from fastapi.testclient import TestClient

from service.api.routes.what_if import WHAT_IF_EXAMPLE
from tests.factories import STEADY_LOG_AS_OF, steady_log
from training.domain.schema import INJURIES

AS_OF = STEADY_LOG_AS_OF


def day(offset: int) -> str:
    return str(AS_OF + dt.timedelta(days=offset))


def what_if_body(**changes: Any) -> dict[str, Any]:
    body = steady_log()
    body["planned_runs"] = [{"id": "p1", "date": day(2), "km": 10.0}, {"id": "p2", "date": day(5), "km": 20.0}]
    body["planned_strength_sessions"] = [
        {"id": "ps1", "date": day(3), "exercises": [{"exercise_id": "nordic_curl", "sets": 3, "reps": 8}]}
    ]
    body.update(changes)
    return body


def test_openapi_example_is_answered(client: TestClient):
    response = client.post("/v1/risk/what-if", json=copy.deepcopy(WHAT_IF_EXAMPLE))
    assert response.status_code == 200, response.text
    assert response.json()["plan_end"] == "2026-11-08"


def test_what_if_matches_post_risk_on_the_log_with_and_without_the_plan(client: TestClient):
    body = what_if_body()
    answer = client.post("/v1/risk/what-if", json=body)
    assert answer.status_code == 200, answer.text
    result = answer.json()
    assert result["plan_end"] == day(5)
    assert [r["injury"] for r in result["risks"]] == list(INJURIES)

    without = client.post("/v1/risk", json={**steady_log(), "as_of": day(5)}).json()
    logged = steady_log()
    logged["runs"] += body["planned_runs"]
    logged["strength_sessions"] += body["planned_strength_sessions"]
    with_plan = client.post("/v1/risk", json={**logged, "as_of": day(5)}).json()
    for what_if_risk, plain, planned in zip(result["risks"], without["risks"], with_plan["risks"], strict=True):
        assert what_if_risk["probability_without_plan"] == pytest.approx(plain["probability"], rel=1e-12)
        assert what_if_risk["probability_with_plan"] == pytest.approx(planned["probability"], rel=1e-12)
        assert what_if_risk["change"] == pytest.approx(planned["probability"] - plain["probability"], abs=1e-15)
        assert what_if_risk["peak_probability_with_plan"] >= what_if_risk["probability_with_plan"]


def test_current_injury_stays_unscored_through_the_plan(client: TestClient):
    body = what_if_body(injuries=[{"kind": "mtss", "onset": str(AS_OF - dt.timedelta(days=3))}])
    result = client.post("/v1/risk/what-if", json=body).json()
    mtss = next(r for r in result["risks"] if r["injury"] == "mtss")
    assert mtss["status"] == "currently_injured" and mtss["probability_with_plan"] is None
    assert any("see a clinician" in w for w in result["warnings"])


@pytest.mark.parametrize(
    ("change", "field", "reason"),
    [
        (
            {"planned_runs": [{"id": "p", "date": day(0), "km": 5}]},
            ["body", "planned_runs", 0, "date"],
            "not after as_of",
        ),
        (
            {"planned_runs": [{"id": "p", "date": day(-3), "km": 5}]},
            ["body", "planned_runs", 0, "date"],
            "not after as_of",
        ),
        (
            {"planned_runs": [{"id": "p", "date": day(15), "km": 5}]},
            ["body", "planned_runs", 0, "date"],
            "more than 14 days after as_of",
        ),
        (
            {
                "planned_strength_sessions": [
                    {"id": "q", "date": day(20), "exercises": [{"exercise_id": "nordic_curl", "sets": 3, "reps": 6}]}
                ]
            },
            ["body", "planned_strength_sessions", 0, "date"],
            "more than 14 days after as_of",
        ),
        (
            {"planned_runs": [{"id": "p", "date": day(2), "km": -1}]},
            ["body", "planned_runs", 0, "km"],
            "greater than 0",
        ),
        ({"planned_runs": [{"id": "r0", "date": day(2), "km": 5}]}, ["body", "planned_runs", 0, "id"], "already used"),
        (
            {"planned_runs": [{"id": "a", "date": day(2), "km": 150}, {"id": "b", "date": day(2), "km": 60}]},
            ["body", "planned_runs", 1, "km"],
            "more than 200 km",
        ),
        ({"planned_runs": [], "planned_strength_sessions": []}, ["body", "planned_runs"], "at least one"),
        (
            {
                "planned_strength_sessions": [
                    {"id": "q", "date": day(2), "exercises": [{"exercise_id": "bench_press", "sets": 3, "reps": 6}]}
                ]
            },
            ["body", "planned_strength_sessions", 0, "exercises", 0, "exercise_id"],
            "unknown exercise id",
        ),
        ({"planned_runs": "soon"}, ["body", "planned_runs"], "valid list"),
        ({"runs": [{"id": "x", "date": day(1), "km": 5}]}, ["body", "runs", 0, "date"], "after as_of"),
    ],
)
def test_bad_plan_answers_422_naming_field_and_reason(client: TestClient, change, field, reason):
    response = client.post("/v1/risk/what-if", json=what_if_body(**change))
    assert response.status_code == 422, response.text
    details = response.json()["detail"]
    assert any(d["loc"] == field and reason in d["msg"] for d in details), details

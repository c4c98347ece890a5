"""POST /v1/risk and the read-only endpoints: valid answers, and a 4xx naming the field for each bad input."""

from __future__ import annotations

import copy
import datetime as dt
from typing import Any

import pytest
from fastapi.testclient import TestClient
from pydantic import TypeAdapter

from service.api.routes.risk import EXAMPLE
from service.app import create_app
from service.schemas.risk import RiskResponse
from tests.conftest import store_settings
from training.domain.schema import INJURIES


def body(**changes: Any) -> dict[str, Any]:
    request = copy.deepcopy(EXAMPLE)
    request.update(changes)
    return request


def daily_runs(as_of: dt.date, days: int, km: float = 8.0) -> list[dict[str, Any]]:
    return [{"id": f"r{i}", "date": str(as_of - dt.timedelta(days=i)), "km": km} for i in range(days) if i % 7 != 3]


def errors_of(response) -> list[dict[str, Any]]:
    assert response.status_code == 422, response.text
    return response.json()["detail"]


def test_valid_log_returns_four_calibrated_risks_with_load_and_model(client: TestClient):
    response = client.post("/v1/risk", json=body())
    assert response.status_code == 200, response.text
    answer = response.json()
    assert [r["injury"] for r in answer["risks"]] == list(INJURIES)
    for risk in answer["risks"]:
        assert risk["status"] == "scored"
        assert 0.0 < risk["probability"] < 1.0
        assert risk["relative_risk"] == pytest.approx(risk["probability"] / risk["base_rate"])
        assert risk["band"] in {"low", "moderate", "high", "very_high"}
        assert risk["probability"] < risk["probability_28d"] < 1.0
        assert risk["probability_28d"] == pytest.approx(1 - (1 - risk["probability"]) ** 4, rel=1e-12)
    assert answer["load"]["km_7d"] == pytest.approx(8 + 10 + 24)
    assert answer["load"]["longest_run_spike_pct"] == pytest.approx(24 / 14 - 1)
    assert answer["model"]["version"] == "1"
    assert answer["horizon_days"] == 7
    assert any("fewer than 28 days" in w for w in answer["warnings"])


def test_the_answer_is_sent_as_the_response_models_json(client: TestClient):
    # Serialised on the answer thread: the same bytes and headers FastAPI sends for the route's response model.
    response = client.post("/v1/risk", json=body())
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/json"
    assert response.headers["content-length"] == str(len(response.content))
    expected = TypeAdapter(RiskResponse).dump_json(RiskResponse.model_validate_json(response.content), by_alias=True)
    assert response.content == expected


def test_recommended_exercises_protect_an_elevated_injury_with_dosing(client: TestClient):
    as_of = dt.date(2026, 6, 30)
    runs = daily_runs(as_of, 60, km=6.0)
    runs[0]["km"] = 30.0  # a spike far above the longest run of the previous 30 days
    for run in runs[:10]:
        run["km_interval"] = 2.0  # speed work: hamstring HR 2.5 in the simulator
    # A novice woman with a recent hamstring strain (HR 4.8): the small test model sees several strong factors at once,
    # so some risk rises above the population base rate whatever noise the tiny cohort leaves in the trees.
    athlete = {**EXAMPLE["athlete"], "years_running": 0.5}
    injuries = [
        {
            "kind": "hamstring",
            "onset": str(as_of - dt.timedelta(days=50)),
            "resolved": str(as_of - dt.timedelta(days=35)),
        }
    ]
    answer = client.post(
        "/v1/risk", json=body(athlete=athlete, injuries=injuries, runs=runs, strength_sessions=[], as_of=str(as_of))
    ).json()
    elevated = {r["injury"] for r in answer["risks"] if r["relative_risk"] >= 1.0}
    assert elevated, answer["risks"]
    assert answer["recommendations"]
    for dose in answer["recommendations"]:
        assert dose["injury"] in elevated
        assert dose["sets"] >= 1 and (dose["reps"] or dose["hold_seconds"])


def test_currently_injured_kind_is_not_scored_and_says_see_a_clinician(client: TestClient):
    request = body(injuries=[{"kind": "mtss", "onset": "2026-10-20"}])
    answer = client.post("/v1/risk", json=request).json()
    mtss = next(r for r in answer["risks"] if r["injury"] == "mtss")
    assert mtss["status"] == "currently_injured" and mtss["probability"] is None and mtss["probability_28d"] is None
    assert any("see a clinician" in w for w in answer["warnings"])
    assert all(dose["exercise_id"] != "pogo_jumps" for dose in answer["recommendations"])


@pytest.mark.parametrize(
    ("change", "field", "reason"),
    [
        ({"runs": [{"id": "x", "date": "2026-10-30", "km": -3}]}, ["body", "runs", 0, "km"], "greater than 0"),
        ({"runs": [{"id": "x", "date": "2026-10-30", "km": 250}]}, ["body", "runs", 0, "km"], "less than or equal"),
        ({"runs": [{"id": "x", "date": "2026-11-05", "km": 5}]}, ["body", "runs", 0, "date"], "after as_of"),
        (
            {"runs": [{"id": "x", "date": "2026-10-30", "km": 5}, {"id": "x", "date": "2026-10-31", "km": 5}]},
            ["body", "runs", 1, "id"],
            "already used",
        ),
        (
            {
                "strength_sessions": [
                    {
                        "id": "s",
                        "date": "2026-10-30",
                        "exercises": [{"exercise_id": "bench_press", "sets": 3, "reps": 5}],
                    }
                ]
            },
            ["body", "strength_sessions", 0, "exercises", 0, "exercise_id"],
            "unknown exercise id",
        ),
        ({"injuries": [{"kind": "tennis_elbow", "onset": "2026-01-01"}]}, ["body", "injuries", 0, "kind"], "pfps"),
        ({"runs": [{"id": "x", "date": "2025-06-01", "km": 5}]}, ["body", "runs", 0, "date"], "366 days before"),
        (
            {"runs": [{"id": "a", "date": "2026-10-30", "km": 150}, {"id": "b", "date": "2026-10-30", "km": 90}]},
            ["body", "runs", 1, "km"],
            "more than 200 km",
        ),
        ({"runs": [{"id": "x", "date": "2026-10-30", "km": 5, "km_sprint": 6}]}, ["body", "runs", 0], "exceed km"),
        ({"athlete": {"age": 34, "sex": "X", "years_running": 3}}, ["body", "athlete", "sex"], "'F' or 'M'"),
        ({"runs": "lots"}, ["body", "runs"], "valid list"),
        ({"unexpected": 1}, ["body", "unexpected"], "not permitted"),
        ({"as_of": "9999-12-31"}, ["body", "as_of"], "less than or equal to 2200-12-31"),
        ({"log_start": "2026-11-05"}, ["body", "log_start"], "after as_of"),
        ({"injuries": [{"kind": "mtss", "onset": "0001-01-01"}]}, ["body", "injuries", 0, "onset"], "1900-01-01"),
    ],
)
def test_bad_input_answers_422_naming_field_and_reason(client: TestClient, change, field, reason):
    details = errors_of(client.post("/v1/risk", json=body(**change)))
    assert any(d["loc"] == field and reason in d["msg"] for d in details), details


def test_a_late_log_start_names_the_unknown_features_and_the_activities_it_does_not_read(client: TestClient):
    as_of = dt.date(2026, 11, 1)
    response = client.post("/v1/risk", json=body(runs=daily_runs(as_of, 40), log_start="2026-10-20"))
    assert response.status_code == 200, response.text
    answer = response.json()
    unknown = next(w for w in answer["warnings"] if "unknown, not read as rest" in w)
    assert "13 days known" in unknown and "km_28d" in unknown and "acwr_ewma" in unknown and "km_7d," not in unknown
    assert any("activities before log_start 2026-10-20 are not read" in w for w in answer["warnings"])
    assert answer["load"]["km_28d"] is None and answer["load"]["km_7d"] == 48.0
    complete = client.post("/v1/risk", json=body(runs=daily_runs(as_of, 40))).json()
    assert not any("unknown, not read as rest" in w for w in complete["warnings"])
    assert complete["load"]["km_28d"] is not None


def test_log_over_the_activity_limit_is_refused(client: TestClient):
    runs = [{"id": f"r{i}", "date": "2026-10-30", "km": 0.01} for i in range(3001)]
    details = errors_of(client.post("/v1/risk", json=body(runs=runs)))
    assert details[0]["loc"] == ["body", "runs"] and "at most 3000" in details[0]["msg"]


def test_malformed_json_is_a_422_not_a_500(client: TestClient):
    response = client.post("/v1/risk", content=b"{not json", headers={"content-type": "application/json"})
    assert response.status_code == 422


def test_exercises_endpoint_serves_the_catalogue(client: TestClient):
    exercises = client.get("/v1/exercises").json()
    assert len(exercises) >= 25
    assert {"id", "dosing", "protects", "evidence"} <= set(exercises[0])


def test_model_endpoint_reports_version_alias_and_test_metrics(client: TestClient):
    answer = client.get("/v1/model").json()
    assert answer["alias"] == "champion" and answer["version"] == "1"
    assert 0.0 <= answer["metrics"]["pfps_roc_auc"] <= 1.0
    assert "oracle_pfps_roc_auc" in answer["metrics"]


def test_model_endpoint_heads_each_injury_with_the_figures_against_the_true_risk(client: TestClient):
    answer = client.get("/v1/model").json()
    for kind in ("pfps", "mtss", "hamstring", "achilles"):
        headline, metrics = answer["headline"][kind], answer["metrics"]
        assert headline["expected_auc"] == metrics[f"{kind}_expected_auc"]
        assert headline["fair_oracle_expected_auc"] == metrics[f"oracle_fair_{kind}_expected_auc"]
        assert headline["expected_auc_gap_to_fair_oracle"] == pytest.approx(
            headline["expected_auc"] - headline["fair_oracle_expected_auc"]
        )
        assert headline["expected_auc_ci_low"] <= headline["expected_auc_ci_high"]
        assert headline["test_onsets"] > 0 and headline["observed_expected"] > 0
        # NaN figures (a model that fell back to the base rate has no slope) are left out, as in metrics.
        assert headline.get("truth_calibration_slope") == metrics.get(f"{kind}_truth_calibration_slope")


def test_model_endpoint_heads_each_injury_with_its_28_day_figures_too(client: TestClient):
    answer = client.get("/v1/model").json()
    for kind in ("pfps", "mtss", "hamstring", "achilles"):
        long, metrics = answer["headline"][kind]["over_28_days"], answer["metrics"]
        assert long["expected_auc"] == metrics[f"{kind}_28d_expected_auc"]
        assert long["fair_oracle_expected_auc"] == metrics[f"oracle_fair_{kind}_28d_expected_auc"]
        assert long["expected_brier"] == metrics[f"{kind}_28d_expected_brier"]
        assert long["truth_decile_ratio_min"] <= long["truth_expected_ratio"] <= long["truth_decile_ratio_max"]
        assert long["observed_expected"] == metrics[f"{kind}_28d_observed_expected"]
        assert "## Over 28 days" in answer["model_card"]


def test_health_and_readiness_with_a_model(client: TestClient):
    assert client.get("/healthz").json() == {"status": "ok"}
    ready = client.get("/readyz")
    assert ready.status_code == 200 and ready.json()["version"] == "1"


def test_without_a_registered_model_risk_is_503_saying_how_to_train(tmp_path):
    # Auth off (the local demo setting): the answer is about the missing model, not about keys or the database.
    settings = store_settings(tmp_path).model_copy(update={"auth_enabled": False})
    with TestClient(create_app(settings)) as empty:
        assert empty.get("/healthz").status_code == 200
        assert empty.get("/readyz").status_code == 503
        response = empty.post("/v1/risk", json=body())
        assert response.status_code == 503
        assert "injury-risk train" in response.json()["detail"]

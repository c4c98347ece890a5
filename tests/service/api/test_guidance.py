"""What POST /v1/risk adds to the risks: drivers, a strength plan within budget, load guidance or return-to-run."""

from __future__ import annotations

import datetime as dt
import math

import pytest
from fastapi.testclient import TestClient

from tests.conftest import Trained
from tests.factories import STEADY_LOG_AS_OF as AS_OF
from tests.factories import steady_log


def test_drivers_reconstruct_the_reported_probability(client: TestClient, trained: Trained):
    answer = client.post("/v1/risk", json=steady_log()).json()
    for risk in answer["risks"]:
        p = risk["probability"]
        assert risk["log_odds"] == pytest.approx(math.log(p / (1 - p)), abs=1e-6)
        # A model that fell back to the base rate (Platt slope 0) has no feature driving its risk.
        flat = trained.result.model.classifiers[risk["injury"]].slope == 0.0
        assert (len(risk["drivers"]) == 0) == flat and len(risk["drivers"]) <= 3
        sizes = [abs(d["contribution"]) for d in risk["drivers"]]
        assert sizes == sorted(sizes, reverse=True)
        for driver in risk["drivers"]:
            assert driver["direction"] == ("raises" if driver["contribution"] > 0 else "lowers")
            assert driver["sentence"]


def test_healthy_athlete_gets_load_guidance_and_a_budgeted_strength_plan(client: TestClient):
    answer = client.post("/v1/risk", json=steady_log()).json()
    guidance = answer["load_guidance"]
    assert guidance["days"] == 7 and guidance["target_relative_risk"] == 2.0
    assert guidance["plans_checked"] > 10 and guidance["reasoning"]
    assert "chronic load" in guidance["reasoning"][0]
    if guidance["km_low"] is not None:
        assert guidance["km_low"] <= guidance["km_high"]
        assert 0 < guidance["longest_run_cap_km"] <= guidance["km_high"]
    plan = answer["strength_plan"]
    assert plan["budget_minutes"] == 80 and plan["weekly_minutes"] <= 80
    assert plan["weekly_minutes"] == pytest.approx(sum(d["weekly_minutes"] for d in answer["recommendations"]))
    assert answer["see_clinician"] is False and answer["return_to_run"] == []


def test_injured_athlete_gets_return_to_run_instead_of_a_running_plan(client: TestClient):
    body = steady_log()
    body["injuries"] = [{"kind": "achilles", "onset": str(AS_OF - dt.timedelta(days=10))}]
    answer = client.post("/v1/risk", json=body).json()
    assert answer["see_clinician"] is True
    assert answer["load_guidance"] is None
    [guide] = answer["return_to_run"]
    assert guide["injury"] == "achilles" and "5/10" in guide["rule"]
    rehab = [d for d in answer["recommendations"] if d["role"] == "rehab"]
    assert rehab and {d["injury"] for d in rehab} == {"achilles"}
    assert not {"pogo_jumps", "bounding", "box_jumps"} & {d["exercise_id"] for d in answer["recommendations"]}

"""GET /v1/athletes/{athlete_id}/load on SQLite and PostgreSQL: weekly km, acute:chronic ratios and spikes by week."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd
import pytest
from fastapi.testclient import TestClient

from service.assessment.risk_assessment import request_cohort
from service.schemas.risk import RiskRequest
from tests.tenants import add_athlete, new_tenant, store_log
from training.features import compute_features

AS_OF = dt.date(2026, 11, 1)


def steady_then_spike() -> dict[str, Any]:
    """Ten weeks of 8 km on Mondays, Wednesdays and Fridays, then a 16 km run on as_of (twice the longest before)."""
    runs = []
    for back in range(1, 71):
        day = AS_OF - dt.timedelta(days=back)
        if day.weekday() in (0, 2, 4):
            runs.append({"id": f"r{back}", "date": day.isoformat(), "km": 8})
    runs.append({"id": "long", "date": AS_OF.isoformat(), "km": 16})
    return {
        "athlete": {"age": 34, "sex": "F", "years_running": 3},
        "injuries": [],
        "runs": runs,
        "strength_sessions": [],
        "as_of": AS_OF.isoformat(),
    }


def test_weekly_load_is_the_features_the_model_reads_on_each_week_end(service: TestClient):
    tenant = new_tenant(service)
    log = steady_then_spike()
    athlete_id = add_athlete(service, tenant, "loaded", **log["athlete"])
    store_log(service, tenant, athlete_id, log)
    response = service.get(
        f"/v1/athletes/{athlete_id}/load", params={"as_of": AS_OF.isoformat(), "weeks": 8}, headers=tenant.clinician
    )
    assert response.status_code == 200, response.text
    weeks = response.json()["weeks"]
    assert [w["week_end"] for w in weeks] == [(AS_OF - dt.timedelta(days=7 * k)).isoformat() for k in range(7, -1, -1)]

    cohort = request_cohort(RiskRequest.model_validate(log))
    ends = pd.to_datetime([w["week_end"] for w in weeks])
    spans = pd.DataFrame({"athlete_id": "request", "start": ends.min(), "end": ends.max()}, index=[0])
    features = compute_features(cohort, spans).set_index("date").loc[ends]
    for week, (_, row) in zip(weeks, features.iterrows(), strict=True):
        assert week["km"] == pytest.approx(row["km_7d"], abs=1e-9)
        assert week["acwr_rolling"] == pytest.approx(row["acwr_rolling"], abs=1e-9)
        assert week["acwr_ewma"] == pytest.approx(row["acwr_ewma"], abs=1e-9)
        assert week["longest_run_spike_pct"] == pytest.approx(row["longest_run_spike_pct"], abs=1e-9)


def test_only_the_week_of_the_long_run_is_marked_as_a_spike(service: TestClient):
    tenant = new_tenant(service)
    log = steady_then_spike()
    athlete_id = add_athlete(service, tenant, "spiky", **log["athlete"])
    store_log(service, tenant, athlete_id, log)
    answer = service.get(
        f"/v1/athletes/{athlete_id}/load", params={"as_of": AS_OF.isoformat(), "weeks": 6}, headers=tenant.platform
    ).json()
    assert [w["spike"] for w in answer["weeks"]] == [False] * 5 + [True]
    last = answer["weeks"][-1]
    assert last["longest_run_km"] == 16 and last["longest_run_spike_pct"] == pytest.approx(1.0)
    assert answer["weeks"][-2]["km"] == 24  # three 8 km runs


def test_weeks_beyond_the_stored_log_window_are_422_naming_weeks(service: TestClient):
    tenant = new_tenant(service)
    athlete_id = add_athlete(service, tenant, "far")
    response = service.get(f"/v1/athletes/{athlete_id}/load", params={"weeks": 52}, headers=tenant.clinician)
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["query", "weeks"]
    assert "at most 39 weeks" in response.json()["detail"][0]["msg"]


def test_load_of_another_tenants_athlete_is_404_and_admin_is_403(service: TestClient):
    owner, other = new_tenant(service), new_tenant(service)
    athlete_id = add_athlete(service, owner, "mine")
    assert service.get(f"/v1/athletes/{athlete_id}/load", headers=other.clinician).status_code == 404
    assert service.get(f"/v1/athletes/{athlete_id}/load", headers=owner.admin).status_code == 403

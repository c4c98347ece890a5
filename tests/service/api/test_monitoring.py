"""GET /v1/model/monitoring: the tenant's stored assessments against the injuries recorded after them."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from tests.tenants import assessed_tenant, new_tenant


def probability(answer: dict, kind: str) -> float:
    return next(r["probability"] for r in answer["risks"] if r["injury"] == kind)


def test_an_onset_within_the_horizon_counts_against_the_assessment_before_it(service: TestClient):
    tenant, answers = assessed_tenant(service)
    report = service.get("/v1/model/monitoring", headers=tenant.admin).json()
    assert report["tenant"] == tenant.name
    assert report["assessments"] == 2 and report["awaiting_outcome"] == 0
    by_kind = {o["injury"]: o for o in report["outcomes"]}
    assert set(by_kind) == {"pfps", "mtss", "hamstring", "achilles"}
    # The onset on 10-28 is 3 days after the 10-25 assessment and 10 days after the 10-18 one.
    assert (by_kind["mtss"]["assessments"], by_kind["mtss"]["onsets"]) == (2, 1)
    assert by_kind["mtss"]["expected_onsets"] == pytest.approx(sum(probability(a, "mtss") for a in answers))
    assert [o["onsets"] for o in by_kind.values() if o["injury"] != "mtss"] == [0, 0, 0]
    assert by_kind["mtss"]["model_version"] == answers[0]["model"]["version"]
    assert sum(b["assessments"] for b in by_kind["mtss"]["bands"]) == 2
    assert by_kind["mtss"]["roc_auc"] is None and "1 onsets" in by_kind["mtss"]["roc_auc_note"]


def test_the_window_and_model_version_select_assessments(service: TestClient):
    tenant, answers = assessed_tenant(service)
    later = service.get("/v1/model/monitoring", params={"from": "2026-10-20"}, headers=tenant.clinician).json()
    assert later["assessments"] == 1 and later["window_from"] == "2026-10-20"
    other = service.get("/v1/model/monitoring", params={"model_version": "999"}, headers=tenant.clinician).json()
    assert other["assessments"] == 0 and other["outcomes"] == []
    same = service.get(
        "/v1/model/monitoring", params={"model_version": answers[0]["model"]["version"]}, headers=tenant.clinician
    ).json()
    assert same["assessments"] == 2


def test_a_tenant_sees_only_its_own_assessments(service: TestClient):
    assessed_tenant(service)
    stranger = new_tenant(service)
    report = service.get("/v1/model/monitoring", headers=stranger.admin).json()
    assert report["assessments"] == 0 and report["outcomes"] == []


def test_a_window_ending_before_it_starts_is_a_422_naming_to(service: TestClient):
    tenant = new_tenant(service)
    response = service.get(
        "/v1/model/monitoring", params={"from": "2026-10-20", "to": "2026-10-01"}, headers=tenant.admin
    )
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["query", "to"]


def test_assessments_keep_their_features_and_drift_waits_for_enough_of_them(service: TestClient):
    tenant, answers = assessed_tenant(service)
    drift = service.get("/v1/model/monitoring", headers=tenant.admin).json()["drift"]
    assert drift["assessments_with_features"] == 2 and drift["assessments_without_features"] == 0
    assert drift["athletes_with_features"] == 1
    assert drift["training_model_version"] == answers[0]["model"]["version"]
    assert drift["flagged"] == [] and "2 assessments with features" in drift["note"]
    km = next(f for f in drift["features"] if f["feature"] == "km_7d")
    assert km["psi"] is not None and not km["flagged"]
    assert sum(km["recent_shares"]) == pytest.approx(1.0)


def test_risk_bands_are_counted_by_week_from_monday(service: TestClient):
    tenant, _ = assessed_tenant(service)
    weeks = service.get("/v1/model/monitoring", headers=tenant.clinician).json()["risk_by_week"]
    # Both days are Sundays: 2026-10-18 falls in the week of Monday 10-12, 10-25 in that of 10-19.
    assert sorted({w["week_start"] for w in weeks}) == ["2026-10-12", "2026-10-19"]
    for week in weeks:
        assert week["assessments"] == sum(week["bands"].values()) == 1
        assert sum(week["shares"].values()) == pytest.approx(1.0)

"""/v1/athletes on SQLite and PostgreSQL: create, read, change, list by cursor, conflicts and validation."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from service.pagination import encode_cursor
from tests.tenants import PROFILE, add_athlete, new_tenant


def test_created_athlete_reads_back_with_its_profile(service: TestClient):
    tenant = new_tenant(service)
    athlete_id = add_athlete(service, tenant, "runner-1")
    answer = service.get(f"/v1/athletes/{athlete_id}", headers=tenant.platform).json()
    assert answer["external_id"] == "runner-1"
    assert answer["profile"] == {**PROFILE, "years_running": 3.0, "body_mass_kg": 61.0, "height_cm": 168.0}


def test_log_start_is_stored_kept_by_other_changes_and_cleared_by_null(service: TestClient):
    tenant = new_tenant(service)
    created = service.post(
        "/v1/athletes",
        json={"external_id": "new", "profile": PROFILE, "log_start": "2026-10-01"},
        headers=tenant.platform,
    )
    assert created.status_code == 201 and created.json()["log_start"] == "2026-10-01"
    path = f"/v1/athletes/{created.json()['id']}"
    kept = service.patch(path, json={"profile": {**PROFILE, "age": 35}}, headers=tenant.platform)
    assert kept.json()["log_start"] == "2026-10-01"
    cleared = service.patch(path, json={"log_start": None}, headers=tenant.platform)
    assert (
        cleared.json()["log_start"] is None and service.get(path, headers=tenant.platform).json()["log_start"] is None
    )


def test_second_athlete_with_the_same_external_id_is_409(service: TestClient):
    tenant = new_tenant(service)
    add_athlete(service, tenant, "dup")
    response = service.post("/v1/athletes", json={"external_id": "dup", "profile": PROFILE}, headers=tenant.platform)
    assert response.status_code == 409 and "already exists" in response.json()["detail"]


def test_same_external_id_in_two_tenants_is_two_athletes(service: TestClient):
    first, second = new_tenant(service), new_tenant(service)
    assert add_athlete(service, first, "shared") != add_athlete(service, second, "shared")


def test_patch_changes_profile_and_refuses_a_taken_external_id(service: TestClient):
    tenant = new_tenant(service)
    athlete_id = add_athlete(service, tenant, "x1")
    add_athlete(service, tenant, "x2")
    changed = service.patch(
        f"/v1/athletes/{athlete_id}", json={"profile": {**PROFILE, "age": 35}}, headers=tenant.platform
    )
    assert changed.status_code == 200 and changed.json()["profile"]["age"] == 35
    taken = service.patch(f"/v1/athletes/{athlete_id}", json={"external_id": "x2"}, headers=tenant.platform)
    assert taken.status_code == 409


def test_bad_profile_is_422_naming_the_field(service: TestClient):
    tenant = new_tenant(service)
    response = service.post(
        "/v1/athletes", json={"external_id": "a", "profile": {**PROFILE, "age": 7}}, headers=tenant.platform
    )
    assert response.status_code == 422
    assert any(d["loc"] == ["body", "profile", "age"] for d in response.json()["detail"])


def test_list_walks_every_athlete_once_by_cursor(service: TestClient):
    tenant = new_tenant(service)
    created = {add_athlete(service, tenant, f"p{i}") for i in range(5)}
    seen: list[str] = []
    cursor = None
    while True:
        params = {"limit": 2, **({"cursor": cursor} if cursor else {})}
        page = service.get("/v1/athletes", params=params, headers=tenant.platform).json()
        assert page["count"] == 5
        seen += [a["id"] for a in page["data"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert sorted(seen) == sorted(created) and len(seen) == 5


def test_list_filters_by_external_id(service: TestClient):
    tenant = new_tenant(service)
    wanted = add_athlete(service, tenant, "find-me")
    add_athlete(service, tenant, "other")
    page = service.get("/v1/athletes", params={"external_id": "find-me"}, headers=tenant.platform).json()
    assert [a["id"] for a in page["data"]] == [wanted]


def test_forged_cursor_is_422_naming_the_cursor(service: TestClient):
    tenant = new_tenant(service)
    response = service.get("/v1/athletes", params={"cursor": "bm9wZQ"}, headers=tenant.platform)
    assert response.status_code == 422 and response.json()["detail"][0]["loc"] == ["query", "cursor"]


@pytest.mark.parametrize(
    ("path", "params"),
    [
        ("/v1/athletes", {"cursor": encode_cursor("athletes", [12])}),
        ("/v1/athletes", {"cursor": encode_cursor("activities", ["2026-01-01", 1])}),
        ("/v1/cohort/risk", {"cursor": encode_cursor("cohort:None:None", ["Infinity", "x"])}),
        ("/v1/cohort/risk", {"cursor": encode_cursor("cohort:None:None", [1.5, 7])}),
        ("/v1/keys", {"cursor": encode_cursor("keys", [10**20])}),
        ("/v1/athletes/{athlete_id}/activities", {"cursor": encode_cursor("activities", ["2026-13-01", 1])}),
        ("/v1/athletes/{athlete_id}/injuries", {"cursor": encode_cursor("injuries", ["2026-01-01", -1])}),
        ("/v1/athletes/{athlete_id}/risk/history", {"cursor": encode_cursor("history", ["1"])}),
    ],
)
def test_tampered_cursors_are_422_not_500(service: TestClient, path, params):
    tenant = new_tenant(service)
    athlete_id = add_athlete(service, tenant)
    headers = tenant.admin if path == "/v1/keys" else tenant.platform
    response = service.get(path.format(athlete_id=athlete_id), params=params, headers=headers)
    assert response.status_code == 422, response.text
    assert response.json()["detail"][0]["loc"] == ["query", "cursor"]


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("POST", "/v1/athletes", {"external_id": "nul\u0000byte", "profile": PROFILE}),
        ("GET", "/v1/athletes/{athlete_id}/risk?as_of=0001-01-01", None),
        ("DELETE", "/v1/keys/99999999999999999999", None),
        ("PUT", "/v1/athletes/{athlete_id}/injuries/i1", {"kind": "mtss", "onset": "2026-01-01", "notes": "a\u0000"}),
    ],
)
def test_values_the_database_cannot_hold_are_4xx_not_500(service: TestClient, database_url, method, path, body):
    tenant = new_tenant(service)
    athlete_id = add_athlete(service, tenant)
    headers = tenant.admin if "/keys" in path else tenant.platform
    response = service.request(method, path.format(athlete_id=athlete_id), json=body, headers=headers)
    if "notes" in (body or {}) and database_url.startswith("sqlite"):
        assert response.status_code == 201, response.text  # SQLite text holds a NUL; PostgreSQL's does not
    else:
        assert response.status_code == 422, response.text


def test_a_log_start_outside_the_date_range_is_refused_on_create_and_update(service: TestClient):
    tenant = new_tenant(service)
    body = {"external_id": "far-back", "profile": {"age": 30, "sex": "F", "years_running": 3}}
    created = service.post("/v1/athletes", json={**body, "log_start": "0124-07-26"}, headers=tenant.platform)
    assert created.status_code == 422 and created.json()["detail"][0]["loc"][-1] == "log_start"
    athlete = service.post("/v1/athletes", json=body, headers=tenant.platform).json()["id"]
    patched = service.patch(f"/v1/athletes/{athlete}", json={"log_start": "0124-07-26"}, headers=tenant.platform)
    assert patched.status_code == 422 and patched.json()["detail"][0]["loc"][-1] == "log_start"
    risk = service.get(f"/v1/athletes/{athlete}/risk", params={"as_of": "2026-06-30"}, headers=tenant.clinician)
    assert risk.status_code == 200, risk.text

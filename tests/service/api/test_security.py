"""Keys, roles, tenant isolation and the audit log, on SQLite and PostgreSQL."""

from __future__ import annotations

import re
import secrets
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from service.api.routes.risk import EXAMPLE
from service.app import create_app
from service.db.models import AuditEntry
from tests.tenants import PROFILE, TenantKeys, add_athlete, new_tenant

RUN = {"kind": "run", "date": "2026-10-20", "km": 8.0}
# A multipart upload (a list of files) rather than a JSON body.
UPLOAD = [("files", ("log.csv", b"date,km\n2026-10-20,8\n", "text/csv"))]
INJURY = {"kind": "mtss", "onset": "2026-09-01", "resolved": "2026-10-01", "notes": "bone stress ruled out"}

# Every operation of the API under /v1 with a body that is valid for it, and the roles allowed to call it.
# {athlete_id} is replaced by an athlete of the caller's tenant, {key_id} by one of its keys.
OPERATIONS: list[tuple[str, str, Any, set[str]]] = [
    ("POST", "/v1/risk", EXAMPLE, {"platform", "clinician", "admin"}),
    ("GET", "/v1/exercises", None, {"platform", "clinician", "admin", None}),
    ("GET", "/v1/model", None, {"platform", "clinician", "admin", None}),
    ("POST", "/v1/model/reload", None, {"admin"}),
    ("GET", "/v1/model/monitoring", None, {"clinician", "admin"}),
    (
        "POST",
        "/v1/risk/what-if",
        {**EXAMPLE, "planned_runs": [{"id": "p1", "date": "2026-11-03", "km": 8}]},
        {"platform", "clinician", "admin"},
    ),
    ("POST", "/v1/athletes", {"external_id": "new", "profile": PROFILE}, {"platform"}),
    ("GET", "/v1/athletes", None, {"platform", "clinician"}),
    ("GET", "/v1/athletes/{athlete_id}", None, {"platform", "clinician"}),
    ("PATCH", "/v1/athletes/{athlete_id}", {"profile": {**PROFILE, "age": 40}}, {"platform"}),
    ("DELETE", "/v1/athletes/{athlete_id}", None, {"platform"}),
    ("PUT", "/v1/athletes/{athlete_id}/activities/{external_id}", RUN, {"platform"}),
    ("POST", "/v1/athletes/{athlete_id}/activities:bulk", {"activities": [{"id": "b1", **RUN}]}, {"platform"}),
    ("POST", "/v1/athletes/{athlete_id}/activities:import", UPLOAD, {"platform"}),
    ("GET", "/v1/athletes/{athlete_id}/activities", None, {"platform", "clinician"}),
    ("PUT", "/v1/athletes/{athlete_id}/injuries/{external_id}", INJURY, {"platform", "clinician"}),
    ("GET", "/v1/athletes/{athlete_id}/injuries", None, {"platform", "clinician"}),
    ("GET", "/v1/athletes/{athlete_id}/risk", None, {"platform", "clinician"}),
    ("GET", "/v1/athletes/{athlete_id}/risk/history", None, {"platform", "clinician"}),
    ("GET", "/v1/athletes/{athlete_id}/load", None, {"platform", "clinician"}),
    (
        "POST",
        "/v1/athletes/{athlete_id}/what-if",
        {"as_of": "2026-11-01", "planned_runs": [{"id": "p1", "date": "2026-11-03", "km": 8}]},
        {"platform", "clinician"},
    ),
    ("GET", "/v1/cohort/risk", None, {"platform", "clinician"}),
    ("POST", "/v1/keys", {"role": "clinician"}, {"admin"}),
    ("GET", "/v1/keys", None, {"admin"}),
    ("POST", "/v1/keys/{key_id}/rotate", {"grace_hours": 1}, {"admin"}),
    ("DELETE", "/v1/keys/{key_id}", None, {"admin"}),
]
ROLES = ("platform", "clinician", "admin")


def call(client: TestClient, method: str, template: str, body: Any, headers: dict[str, str], **ids: Any):
    path = template.format(external_id="x1", **ids)
    params = {"as_of": "2026-11-01"} if path.endswith("/risk") else None
    if body is UPLOAD:
        return client.request(method, path, files=body, headers=headers, params=params)
    return client.request(method, path, json=body, headers=headers, params=params)


def operations_in(client: TestClient) -> set[tuple[str, str]]:
    paths = client.app.openapi()["paths"]  # type: ignore[attr-defined]  # app is typed as a bare ASGI app
    return {(method.upper(), path) for path, item in paths.items() for method in item if path.startswith("/v1/")}


def test_the_tables_below_cover_every_v1_operation(service: TestClient):
    assert operations_in(service) == {(method, path) for method, path, _, _ in OPERATIONS}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("method", "template", "body", "allowed"), OPERATIONS, ids=lambda v: str(v)[:60])
def test_role_matrix(service: TestClient, method, template, body, allowed, role):
    tenant = new_tenant(service)
    athlete_id = add_athlete(service, tenant)
    key_id = tenant.key_ids["clinician"]
    response = call(service, method, template, body, tenant.headers(role), athlete_id=athlete_id, key_id=key_id)
    if role in allowed:
        assert response.status_code < 400, (role, response.status_code, response.text)
    else:
        assert response.status_code == 403, (role, response.status_code, response.text)
        assert role in response.json()["detail"]


@pytest.mark.parametrize(
    "headers",
    [{}, {"Authorization": "Bearer irk_not-a-key"}, {"Authorization": "Basic dXNlcjpwYXNz"}, {"X-API-Key": "nope"}],
    ids=["missing", "unknown", "not bearer", "unknown x-api-key"],
)
def test_missing_or_unknown_key_is_401(service: TestClient, headers):
    for method, template, body, allowed in OPERATIONS:
        response = call(service, method, template, body, headers, athlete_id="a" * 32, key_id=1)
        if None in allowed:  # the catalogue and the model card are public
            assert response.status_code == 200, (method, template, response.text)
            continue
        assert response.status_code == 401, (method, template, response.text)
        assert response.headers["WWW-Authenticate"] == "Bearer"


def test_key_is_accepted_as_x_api_key_header(service: TestClient):
    tenant = new_tenant(service)
    key = tenant.platform["Authorization"].removeprefix("Bearer ")
    assert service.get("/v1/athletes", headers={"X-API-Key": key}).status_code == 200


def test_revoked_key_is_401_from_then_on(service: TestClient):
    tenant = new_tenant(service)
    assert service.get("/v1/athletes", headers=tenant.clinician).status_code == 200
    revoked = service.delete(f"/v1/keys/{tenant.key_ids['clinician']}", headers=tenant.admin)
    assert revoked.status_code == 200 and revoked.json()["revoked_at"]
    response = service.get("/v1/athletes", headers=tenant.clinician)
    assert response.status_code == 401 and "revoked" in response.json()["detail"]


def test_created_key_is_shown_once_and_listed_by_prefix_only(service: TestClient):
    tenant = new_tenant(service)
    created = service.post("/v1/keys", json={"role": "platform", "name": "garmin sync"}, headers=tenant.admin).json()
    assert created["key"].startswith(created["prefix"])
    assert service.get("/v1/athletes", headers={"Authorization": f"Bearer {created['key']}"}).status_code == 200
    listed = service.get("/v1/keys", headers=tenant.admin).json()
    assert created["id"] in {k["id"] for k in listed["data"]}
    assert all("key" not in k for k in listed["data"])


def _without_ids(text: str, *ids: str) -> str:
    for value in ids:
        text = text.replace(value, "<id>")
    return re.sub(r"[0-9a-f]{32}", "<id>", text)


def athlete_operations() -> list[tuple[str, str, Any]]:
    return [(m, t, b) for m, t, b, _ in OPERATIONS if "{athlete_id}" in t]


@pytest.mark.parametrize(("method", "template", "body"), athlete_operations(), ids=lambda v: str(v)[:60])
def test_another_tenants_athlete_answers_404_exactly_like_a_missing_one(service: TestClient, method, template, body):
    owner, intruder = new_tenant(service), new_tenant(service)
    athlete_id = add_athlete(service, owner)
    missing_id = secrets.token_hex(16)
    for role in ("platform", "clinician"):
        foreign = call(service, method, template, body, intruder.headers(role), athlete_id=athlete_id)
        missing = call(service, method, template, body, intruder.headers(role), athlete_id=missing_id)
        if foreign.status_code == 403:  # the role may not do this at all, whatever the id
            assert missing.status_code == 403
            continue
        assert foreign.status_code == missing.status_code == 404, (role, foreign.text)
        assert _without_ids(foreign.text, athlete_id) == _without_ids(missing.text, missing_id)
    # Nothing the intruder sent reached the owner's athlete.
    mine = service.get(f"/v1/athletes/{athlete_id}", headers=owner.platform)
    assert mine.status_code == 200 and mine.json()["profile"]["age"] == PROFILE["age"]
    assert service.get(f"/v1/athletes/{athlete_id}/activities", headers=owner.platform).json()["count"] == 0
    assert service.get(f"/v1/athletes/{athlete_id}/injuries", headers=owner.platform).json()["count"] == 0


def test_the_isolation_table_covers_every_route_with_an_athlete_id(service: TestClient):
    with_athlete = {(m, p) for m, p in operations_in(service) if "{athlete_id}" in p}
    assert with_athlete == {(m, t) for m, t, _ in athlete_operations()}


def test_lists_show_only_the_callers_tenant(service: TestClient):
    owner, other = new_tenant(service), new_tenant(service)
    athlete_id = add_athlete(service, owner)
    service.get(f"/v1/athletes/{athlete_id}/risk", params={"as_of": "2026-11-01"}, headers=owner.platform)
    assert service.get("/v1/athletes", headers=other.platform).json()["count"] == 0
    assert service.get("/v1/cohort/risk", headers=other.platform).json()["count"] == 0
    assert service.get("/v1/cohort/risk", headers=owner.platform).json()["count"] == 1
    assert service.delete(f"/v1/keys/{owner.key_ids['platform']}", headers=other.admin).status_code == 404


def audit_entries(client: TestClient, tenant: TenantKeys) -> list[AuditEntry]:
    with client.app.state.db.session() as session:  # type: ignore[attr-defined]  # app is typed as a bare ASGI app
        query = select(AuditEntry).where(AuditEntry.tenant_id == tenant.tenant_id).order_by(AuditEntry.id)
        return list(session.scalars(query))


def test_every_clinician_read_of_an_athlete_is_audited_and_platform_reads_are_not(service: TestClient):
    tenant = new_tenant(service)
    athlete_id = add_athlete(service, tenant)
    reads = [t for m, t, _ in athlete_operations() if m == "GET"]
    for template in reads:
        assert call(service, "GET", template, None, tenant.platform, athlete_id=athlete_id).status_code == 200
    before = [e for e in audit_entries(service, tenant) if e.role == "clinician"]
    assert before == []
    for template in reads:
        assert call(service, "GET", template, None, tenant.clinician, athlete_id=athlete_id).status_code == 200
    entries = [e for e in audit_entries(service, tenant) if e.role == "clinician"]
    assert len(entries) == len(reads)
    assert all(e.athlete_id == athlete_id and e.api_key_id == tenant.key_ids["clinician"] for e in entries)


def test_every_write_is_audited(service: TestClient):
    tenant = new_tenant(service)
    athlete_id = add_athlete(service, tenant)
    writes = sorted(((m, t, b) for m, t, b in athlete_operations() if m != "GET"), key=lambda w: w[0] == "DELETE")
    for method, template, body in writes:
        response = call(service, method, template, body, tenant.platform, athlete_id=athlete_id)
        assert response.status_code < 400, response.text
    entries = audit_entries(service, tenant)
    assert [e.action for e in entries] == [
        "athlete.create",
        "athlete.update",
        "activity.created",
        "activity.bulk",
        "activity.import",
        "injury.created",
        "athlete.erase",
    ]
    assert all(e.role == "platform" and e.api_key_id == tenant.key_ids["platform"] for e in entries)


def test_using_a_key_records_when_it_was_last_used(service: TestClient):
    tenant = new_tenant(service)
    listed = service.get("/v1/keys", headers=tenant.admin).json()["data"]
    unused = {k["id"]: k["last_used_at"] for k in listed}
    assert unused[tenant.key_ids["clinician"]] is None
    service.get("/v1/athletes", headers=tenant.clinician)
    listed = service.get("/v1/keys", headers=tenant.admin).json()["data"]
    assert {k["id"]: k["last_used_at"] for k in listed}[tenant.key_ids["clinician"]] is not None


def test_with_auth_turned_off_requests_act_in_the_local_tenant(trained, database_url):
    settings = trained.settings.model_copy(update={"database_url": database_url, "auth_enabled": False})
    with TestClient(create_app(settings)) as demo:
        created = demo.post("/v1/athletes", json={"external_id": secrets.token_hex(4), "profile": PROFILE})
        assert created.status_code == 201, created.text
        assert demo.get(f"/v1/athletes/{created.json()['id']}").status_code == 200
        assert demo.post("/v1/risk", json=EXAMPLE).status_code == 200
    with demo.app.state.db.session() as session:  # type: ignore[attr-defined]  # app is typed as a bare ASGI app
        entry = session.scalars(select(AuditEntry).where(AuditEntry.athlete_id == created.json()["id"])).one()
        assert (entry.role, entry.api_key_id) == ("local", None)

"""A fresh tenant with one key per role, so database tests sharing a session database never see each other's rows."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Any

from fastapi.testclient import TestClient

from service.api.routes.risk import EXAMPLE
from service.repositories.keys import create_key, tenant_named
from service.security import Role

PROFILE = {"age": 34, "sex": "F", "years_running": 3, "body_mass_kg": 61, "height_cm": 168}


@dataclass(frozen=True)
class TenantKeys:
    name: str
    tenant_id: int
    platform: dict[str, str]
    clinician: dict[str, str]
    admin: dict[str, str]
    key_ids: dict[str, int]

    def headers(self, role: str) -> dict[str, str]:
        return getattr(self, role)


def new_tenant(client: TestClient) -> TenantKeys:
    name = f"tenant-{secrets.token_hex(4)}"
    headers: dict[str, dict[str, str]] = {}
    ids: dict[str, int] = {}
    with client.app.state.db.session() as session:  # type: ignore[attr-defined]  # app is typed as a bare ASGI app
        tenant = tenant_named(session, name)
        for role in Role:
            row, key = create_key(session, tenant.id, role)
            headers[role.value] = {"Authorization": f"Bearer {key}"}
            ids[role.value] = row.id
        session.commit()
        tenant_id = tenant.id
    return TenantKeys(name, tenant_id, key_ids=ids, **headers)


def add_athlete(client: TestClient, tenant: TenantKeys, external_id: str = "a1", **profile: Any) -> str:
    body = {"external_id": external_id, "profile": {**PROFILE, **profile}}
    response = client.post("/v1/athletes", json=body, headers=tenant.platform)
    assert response.status_code == 201, response.text
    return response.json()["id"]


def store_log(client: TestClient, tenant: TenantKeys, athlete_id: str, request: dict[str, Any]) -> None:
    """Push a POST /v1/risk body's log through the stateful endpoints."""
    rows = [{**run, "kind": "run"} for run in request["runs"]]
    rows += [{**session, "kind": "strength"} for session in request["strength_sessions"]]
    if rows:
        response = client.post(
            f"/v1/athletes/{athlete_id}/activities:bulk", json={"activities": rows}, headers=tenant.platform
        )
        assert response.status_code == 200, response.text
    for i, injury in enumerate(request["injuries"]):
        response = client.put(f"/v1/athletes/{athlete_id}/injuries/i{i}", json=injury, headers=tenant.clinician)
        assert response.status_code == 201, response.text


ASSESSED_DAYS = ("2026-10-18", "2026-10-25")


def assessed_tenant(service: TestClient) -> tuple[TenantKeys, list[dict]]:
    """A tenant whose one athlete is assessed on ASSESSED_DAYS and gets shin splints three days after the second."""
    tenant = new_tenant(service)
    athlete_id = add_athlete(service, tenant, **EXAMPLE["athlete"])
    store_log(service, tenant, athlete_id, EXAMPLE)
    answers = []
    for day in ASSESSED_DAYS:
        response = service.get(f"/v1/athletes/{athlete_id}/risk", params={"as_of": day}, headers=tenant.clinician)
        assert response.status_code == 200, response.text
        answers.append(response.json())
    injury = {"kind": "mtss", "onset": "2026-10-28"}
    response = service.put(f"/v1/athletes/{athlete_id}/injuries/shin", json=injury, headers=tenant.clinician)
    assert response.status_code == 201, response.text
    return tenant, answers

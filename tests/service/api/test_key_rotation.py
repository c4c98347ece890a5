"""Keys that expire and rotate: a grace period for the old key, last use and refused attempts visible, audited."""

from __future__ import annotations

import datetime as dt

from fastapi.testclient import TestClient
from sqlalchemy import select
from typer.testing import CliRunner

from service.cli import app as cli
from service.db.models import AuditEntry
from tests.tenants import new_tenant
from training.settings import get_settings


def listed(service: TestClient, admin: dict[str, str], key_id: int) -> dict:
    rows = service.get("/v1/keys", headers=admin).json()["data"]
    return next(r for r in rows if r["id"] == key_id)


def test_rotation_with_no_grace_swaps_keys_and_counts_the_old_keys_refused_attempts(service: TestClient):
    tenant = new_tenant(service)
    old_id = tenant.key_ids["clinician"]
    assert service.get("/v1/athletes", headers=tenant.clinician).status_code == 200
    assert listed(service, tenant.admin, old_id)["last_used_at"] is not None

    rotated = service.post(f"/v1/keys/{old_id}/rotate", json={"grace_hours": 0}, headers=tenant.admin)
    assert rotated.status_code == 201, rotated.text
    new = rotated.json()
    assert new["role"] == "clinician" and new["id"] != old_id
    assert service.get("/v1/athletes", headers={"Authorization": f"Bearer {new['key']}"}).status_code == 200

    refused = service.get("/v1/athletes", headers=tenant.clinician)
    assert refused.status_code == 401 and "expired" in refused.json()["detail"]
    service.get("/v1/athletes", headers=tenant.clinician)
    old = listed(service, tenant.admin, old_id)
    assert old["failed_auth_count"] == 2 and old["last_failed_auth_at"] and old["expires_at"]
    with service.app.state.db.session() as session:  # type: ignore[attr-defined]
        actions = session.scalars(
            select(AuditEntry.action).where(AuditEntry.tenant_id == tenant.tenant_id, AuditEntry.api_key_id == old_id)
        ).all()
    assert actions.count("auth.refused") == 2


def test_rotation_grace_keeps_both_keys_working_and_a_revoked_key_cannot_be_rotated(service: TestClient):
    tenant = new_tenant(service)
    old_id = tenant.key_ids["platform"]
    new = service.post(f"/v1/keys/{old_id}/rotate", json={"grace_hours": 24}, headers=tenant.admin).json()
    assert service.get("/v1/athletes", headers=tenant.platform).status_code == 200
    assert service.get("/v1/athletes", headers={"Authorization": f"Bearer {new['key']}"}).status_code == 200
    expires = dt.datetime.fromisoformat(listed(service, tenant.admin, old_id)["expires_at"])
    assert dt.timedelta(hours=23) < expires - dt.datetime.now(dt.UTC) <= dt.timedelta(hours=24)

    service.delete(f"/v1/keys/{new['id']}", headers=tenant.admin)
    again = service.post(f"/v1/keys/{new['id']}/rotate", json={"grace_hours": 1}, headers=tenant.admin)
    assert again.status_code == 409


def test_a_key_made_to_expire_works_until_then_and_a_past_expiry_is_refused(service: TestClient):
    tenant = new_tenant(service)
    soon = (dt.datetime.now(dt.UTC) + dt.timedelta(hours=1)).isoformat()
    made = service.post("/v1/keys", json={"role": "clinician", "expires_at": soon}, headers=tenant.admin)
    assert made.status_code == 201 and made.json()["expires_at"]
    assert service.get("/v1/athletes", headers={"Authorization": f"Bearer {made.json()['key']}"}).status_code == 200
    past = (dt.datetime.now(dt.UTC) - dt.timedelta(hours=1)).isoformat()
    refused = service.post("/v1/keys", json={"role": "clinician", "expires_at": past}, headers=tenant.admin)
    assert refused.status_code == 422 and refused.json()["detail"][0]["loc"] == ["body", "expires_at"]


def test_cli_rotates_a_key_by_prefix_and_lists_last_use_and_refusals(tmp_path, monkeypatch):
    monkeypatch.setenv("INJURY_RISK_DATA_DIR", str(tmp_path / "data"))
    get_settings.cache_clear()
    try:
        runner = CliRunner()
        old_key = runner.invoke(cli, ["keys", "create", "--tenant", "acme", "--role", "platform"]).stdout.strip()
        prefix = old_key[:10]
        result = runner.invoke(cli, ["keys", "rotate", "--prefix", prefix, "--grace-hours", "0"])
        assert result.exit_code == 0, result.output
        assert result.stdout.strip().startswith("irk_") and result.stdout.strip() != old_key
        listing = runner.invoke(cli, ["keys", "list", "--tenant", "acme"])
        assert listing.exit_code == 0, listing.output
        lines = listing.stdout.strip().splitlines()
        assert lines[0].split("\t") == [
            "prefix",
            "role",
            "name",
            "created",
            "last_used",
            "expires",
            "revoked",
            "failed_auth",
        ]
        old = next(line.split("\t") for line in lines[1:] if line.startswith(prefix))
        assert old[5] != "-" and old[6] == "-"
        missing = runner.invoke(cli, ["keys", "rotate", "--prefix", "irk_nosuch"])
        assert missing.exit_code != 0 and "no unrevoked key" in missing.output
    finally:
        get_settings.cache_clear()

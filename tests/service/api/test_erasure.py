"""DELETE /v1/athletes/{id}: the athlete and everything about them leave the database; other athletes stay."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import inspect, select, text

from service.api.routes.risk import EXAMPLE
from service.db.models import Activity, AuditEntry, InjuryEvent, RiskAssessment
from tests.tenants import add_athlete, new_tenant, store_log


def rows_mentioning(client: TestClient, *needles: str) -> list[tuple[str, str]]:
    """Every (table, column) holding one of the strings anywhere in the database."""
    found = []
    engine = client.app.state.db.engine  # type: ignore[attr-defined]  # app is typed as a bare ASGI app
    with engine.connect() as connection:
        inspector = inspect(connection)
        for table in inspector.get_table_names():
            for column in inspector.get_columns(table):
                for needle in needles:
                    query = text(f'SELECT count(*) FROM "{table}" WHERE CAST("{column["name"]}" AS TEXT) LIKE :n')
                    if connection.execute(query, {"n": f"%{needle}%"}).scalar():
                        found.append((table, column["name"]))
    return found


def test_erasure_removes_the_athlete_their_log_injuries_assessments_and_audit_references(service: TestClient):
    tenant = new_tenant(service)
    athlete_id = add_athlete(service, tenant, "erase-me-7f3a")
    kept_id = add_athlete(service, tenant, "keep-me")
    for who in (athlete_id, kept_id):
        store_log(service, tenant, who, EXAMPLE)
        assert (
            service.get(
                f"/v1/athletes/{who}/risk", params={"as_of": "2026-11-01"}, headers=tenant.clinician
            ).status_code
            == 200
        )
    assert rows_mentioning(service, athlete_id, "erase-me-7f3a")

    assert service.delete(f"/v1/athletes/{athlete_id}", headers=tenant.platform).status_code == 204

    assert rows_mentioning(service, athlete_id, "erase-me-7f3a") == []
    assert service.get(f"/v1/athletes/{athlete_id}", headers=tenant.platform).status_code == 404
    assert service.delete(f"/v1/athletes/{athlete_id}", headers=tenant.platform).status_code == 404
    with service.app.state.db.session() as session:  # type: ignore[attr-defined]  # app is typed as a bare ASGI app
        for table in (Activity, InjuryEvent, RiskAssessment):
            assert session.scalars(select(table).where(table.athlete_id == kept_id)).first() is not None
        actions = session.scalars(
            select(AuditEntry.action).where(AuditEntry.tenant_id == tenant.tenant_id, AuditEntry.athlete_id.is_(None))
        ).all()
    # The audit log still shows that an erasure happened (and the anonymous entries of the erased athlete).
    assert "athlete.erase" in actions and "risk.assess" in actions
    assert service.get(f"/v1/athletes/{kept_id}/activities", headers=tenant.platform).json()["count"] == 7

"""Sessions whose statements commit one by one on PostgreSQL, and keep a transaction on SQLite."""

from __future__ import annotations

import secrets

from fastapi.testclient import TestClient
from sqlalchemy import select

from service.db.models import Tenant
from service.db.session import Database
from service.repositories.keys import tenant_named


def test_a_statement_session_commits_each_statement_on_postgresql_only(service: TestClient):
    database: Database = service.app.state.db  # type: ignore[attr-defined]  # app is typed as a bare ASGI app
    name = f"tenant-{secrets.token_hex(4)}"
    postgresql = database.engine.dialect.name == "postgresql"
    with database.statement_session() as writing, database.session() as reading:
        tenant_named(writing, name)
        writing.flush()
        seen = reading.scalar(select(Tenant.id).where(Tenant.name == name))
        assert (seen is not None) == postgresql
        writing.commit()
    with database.session() as session:
        assert session.scalar(select(Tenant.id).where(Tenant.name == name)) is not None

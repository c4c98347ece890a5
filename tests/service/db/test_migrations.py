"""Alembic migrations on SQLite and PostgreSQL: empty to head matches the models exactly, and head back to empty."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Connection, inspect, text

from service.db.migrate import current, downgrade, upgrade
from service.db.models import Base
from service.db.session import make_engine
from tests.conftest import fresh_postgres_database

HEAD = "0005"


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_database(request: pytest.FixtureRequest, tmp_path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'empty.db'}"
        return
    with fresh_postgres_database() as url:
        yield url


def tables(url: str) -> set[str]:
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            return set(inspect(connection).get_table_names())
    finally:
        engine.dispose()


def test_upgrade_builds_the_models_schema_and_downgrade_removes_it(empty_database: str):
    assert current(empty_database) is None
    upgrade(empty_database)
    assert current(empty_database) == HEAD
    assert tables(empty_database) == set(Base.metadata.tables) | {"alembic_version"}
    engine = make_engine(empty_database)
    try:
        with engine.connect() as connection:
            differences = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    finally:
        engine.dispose()
    assert differences == []

    downgrade(empty_database)
    assert current(empty_database) is None
    assert tables(empty_database) <= {"alembic_version"}
    upgrade(empty_database)  # and up again: the downgrade left nothing in the way
    assert current(empty_database) == HEAD


def insert_tenant_and_athlete(connection: Connection) -> None:
    """Tenant 1 and its athlete 'a', in the columns every migration since 0001 keeps."""
    connection.execute(text("INSERT INTO tenants (id, name, created_at) VALUES (1, 't', CURRENT_TIMESTAMP)"))
    connection.execute(
        text(
            "INSERT INTO athletes (id, tenant_id, external_id, age, sex, years_running, created_at, "
            "updated_at) VALUES ('a', 1, 'x', 30, 'F', 2.0, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"
        )
    )


def test_a_stored_athlete_gains_an_empty_log_start_on_upgrade(empty_database: str):
    upgrade(empty_database, "0001")
    engine = make_engine(empty_database)
    try:
        with engine.begin() as connection:
            insert_tenant_and_athlete(connection)
        upgrade(empty_database)
        with engine.connect() as connection:
            assert connection.execute(text("SELECT log_start FROM athletes")).scalar_one() is None
    finally:
        engine.dispose()


def test_a_stored_assessment_gains_empty_features_on_upgrade(empty_database: str):
    upgrade(empty_database, "0004")
    engine = make_engine(empty_database)
    try:
        with engine.begin() as connection:
            insert_tenant_and_athlete(connection)
            connection.execute(
                text(
                    "INSERT INTO risk_assessments (athlete_id, as_of, model_name, model_version, drivers, created_at) "
                    "VALUES ('a', '2026-10-01', 'injury-risk', '1', '[]', CURRENT_TIMESTAMP)"
                )
            )
        upgrade(empty_database)
        with engine.connect() as connection:
            assert connection.execute(text("SELECT features FROM risk_assessments")).scalar_one() is None
    finally:
        engine.dispose()

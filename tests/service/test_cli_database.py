"""`injury-risk db upgrade|downgrade` and `injury-risk keys create`: plain functions behind the console script."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from typer.testing import CliRunner

from service.cli import app
from service.db.migrate import current
from service.db.session import Database
from service.repositories.keys import active_key
from training.settings import Settings, get_settings


@pytest.fixture
def settings(tmp_path, monkeypatch) -> Iterator[Settings]:
    monkeypatch.setenv("INJURY_RISK_DATA_DIR", str(tmp_path / "data"))
    get_settings.cache_clear()
    yield get_settings()
    get_settings.cache_clear()


def test_db_upgrade_creates_the_default_sqlite_database_and_downgrade_empties_it(settings: Settings):
    url = settings.resolved_database_url()
    assert url.endswith("data/injury-risk.db")
    result = CliRunner().invoke(app, ["db", "upgrade"])
    assert result.exit_code == 0, result.output
    assert "revision 0005" in result.output and current(url) == "0005"
    result = CliRunner().invoke(app, ["db", "downgrade"])
    assert result.exit_code == 0 and current(url) is None


def test_keys_create_prints_a_working_key_once_and_stores_only_its_hash(settings: Settings):
    result = CliRunner().invoke(app, ["keys", "create", "--tenant", "acme", "--role", "clinician"])
    assert result.exit_code == 0, result.output
    key = result.stdout.strip()
    assert key.startswith("irk_")
    database = Database(settings)
    try:
        with database.session() as session:
            row = active_key(session, key)
            assert row is not None and row.role == "clinician"
            assert key not in {row.key_hash, row.prefix}
    finally:
        database.dispose()


def test_keys_create_refuses_an_unknown_role(settings: Settings):
    result = CliRunner().invoke(app, ["keys", "create", "--tenant", "acme", "--role", "root"])
    assert result.exit_code == 2 and "platform, clinician or admin" in result.output

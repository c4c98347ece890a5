"""`injury-risk import files`: a folder of exports into a stored athlete's log, beside training's `import lovdal`."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from service.cli import app
from service.db.migrate import upgrade
from service.db.models import Activity
from service.db.session import Database
from service.repositories import athletes, keys
from service.schemas.athletes import AthleteCreate
from tests.service.imports.activity_files import Segment, fit_file, gpx_file, plan
from tests.tenants import PROFILE
from training.settings import Settings, get_settings


@pytest.fixture
def settings(tmp_path, monkeypatch) -> Iterator[Settings]:
    monkeypatch.setenv("INJURY_RISK_DATA_DIR", str(tmp_path / "data"))
    get_settings.cache_clear()
    yield get_settings()
    get_settings.cache_clear()


def stored_runs(settings: Settings) -> int:
    database = Database(settings)
    try:
        with database.session() as session:
            return session.scalar(select(func.count()).select_from(Activity)) or 0
    finally:
        database.dispose()


def test_import_group_offers_both_lovdal_and_files():
    result = CliRunner().invoke(app, ["import", "--help"])
    assert result.exit_code == 0 and "lovdal" in result.output and "files" in result.output


def test_import_files_stores_a_folder_once_and_names_the_refused_file(settings: Settings, tmp_path):
    upgrade(settings.resolved_database_url())
    database = Database(settings)
    try:
        with database.session() as session:
            tenant = keys.tenant_named(session, "clinic")
            athletes.create(session, tenant.id, AthleteCreate.model_validate({"external_id": "r1", "profile": PROFILE}))
            session.commit()
    finally:
        database.dispose()
    folder = tmp_path / "exports" / "2026"
    folder.mkdir(parents=True)
    start = dt.datetime(2026, 3, 1, 7, tzinfo=dt.UTC)
    (folder / "a.fit").write_bytes(fit_file(plan(start, [Segment(1800)])))
    (folder / "b.gpx").write_bytes(gpx_file(plan(start + dt.timedelta(days=2), [Segment(2400)])))
    (folder / "c.fit").write_bytes(fit_file(plan(start, [Segment(600)]))[:100])
    command = ["import", "files", "--tenant", "clinic", "--athlete", "r1", str(tmp_path / "exports")]
    first = CliRunner().invoke(app, command)
    assert first.exit_code == 3, first.output
    assert "2 stored, 0 already stored, 1 refused" in first.stdout
    assert "c.fit: a truncated or corrupt FIT file" in first.stderr
    again = CliRunner().invoke(app, command)
    assert "0 stored, 2 already stored, 1 refused" in again.stdout
    assert stored_runs(settings) == 2


def test_import_files_for_an_unknown_athlete_exits_2(settings: Settings, tmp_path):
    (tmp_path / "a.fit").write_bytes(b"")
    result = CliRunner().invoke(app, ["import", "files", "--tenant", "nobody", "--athlete", "x", str(tmp_path)])
    assert result.exit_code == 2 and "no tenant 'nobody'" in result.output

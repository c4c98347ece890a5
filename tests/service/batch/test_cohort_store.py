"""`injury-risk import cohort`: a cohort folder stored in the service database as pushed data, on SQLite and
PostgreSQL, then scored by the batch job from the database."""

from __future__ import annotations

import datetime as dt

import pandas as pd
from sqlalchemy import func, select
from typer.testing import CliRunner

from service.batch.cohort_store import store_cohort
from service.batch.job import BatchRequest, run_batch
from service.cli import app
from service.db.models import Activity, Athlete, InjuryEvent, RiskAssessment, Tenant
from service.db.session import Database
from tests.conftest import Trained
from tests.factories import small_input


def tenant_rows(database_url: str, trained: Trained, tenant: str) -> dict[str, int]:
    database = Database(trained.settings.model_copy(update={"database_url": database_url}))
    try:
        with database.session() as session:
            ids = select(Athlete.id).join(Tenant, Tenant.id == Athlete.tenant_id).where(Tenant.name == tenant)
            return {
                table.__name__: session.scalar(
                    select(func.count()).select_from(table).where(table.athlete_id.in_(ids))  # type: ignore[attr-defined]
                )
                or 0
                for table in (Activity, InjuryEvent, RiskAssessment)
            } | {"Athlete": session.scalar(select(func.count()).select_from(ids.subquery())) or 0}
    finally:
        database.dispose()


def test_cohort_folder_is_stored_once_and_scored_from_the_database(trained: Trained, database_url: str, tmp_path):
    folder, as_of = small_input(trained, tmp_path / "cohort", athletes=4)
    cohort = trained.simulation.cohort.for_athletes(list(trained.simulation.cohort.profiles["athlete_id"].iloc[:4]))
    settings = trained.settings.model_copy(update={"database_url": database_url})
    tenant = f"demo-{tmp_path.name}"[:60]
    first = store_cohort(folder, tenant, settings)
    again = store_cohort(folder, tenant, settings)
    sessions = cohort.strength["activity_id"].nunique()
    assert first == again
    assert (first.athletes, first.activities, first.injuries) == (4, len(cohort.runs) + sessions, len(cohort.injuries))
    rows = tenant_rows(database_url, trained, tenant)
    assert rows == {"Athlete": 4, "Activity": first.activities, "InjuryEvent": first.injuries, "RiskAssessment": 0}
    day = pd.Timestamp(as_of).date()
    request = BatchRequest(tenant=tenant, to_db=True, first_day=day - dt.timedelta(days=6), last_day=day)
    summary = run_batch(request, settings)
    assert summary.exit_code == 0
    assert tenant_rows(database_url, trained, tenant)["RiskAssessment"] == 4 * 7


def test_import_cohort_command_reports_what_it_stored(trained: Trained, tmp_path, monkeypatch):
    folder, _ = small_input(trained, tmp_path / "cohort", athletes=2)
    monkeypatch.setenv("INJURY_RISK_DATABASE_URL", f"sqlite:///{tmp_path / 'service.db'}")
    from training.settings import get_settings

    get_settings.cache_clear()
    try:
        result = CliRunner().invoke(app, ["import", "cohort", str(folder), "--tenant", "demo"])
        missing = CliRunner().invoke(app, ["import", "cohort", str(tmp_path / "nothing"), "--tenant", "demo"])
    finally:
        get_settings.cache_clear()
    assert result.exit_code == 0, result.output
    assert "2 athletes" in result.stdout and "stored in tenant demo; 0 rows rejected" in result.stdout
    assert missing.exit_code == 2 and "error:" in missing.output

"""`injury-risk retrain`: a challenger that also learns from consented tenants' stored outcomes, gated on the recent
ones it did not learn from, with the figures and the decision in MLflow."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import mlflow
import pandas as pd
import pytest
from fastapi.testclient import TestClient

from service.app import create_app
from service.db.migrate import upgrade
from service.db.session import Database
from service.retraining.outcome_rows import outcome_rows
from service.retraining.retrain import retrain
from tests.conftest import TEST_TRAINING, Trained
from tests.factories import request_for
from tests.tenants import TenantKeys, add_athlete, new_tenant, store_log
from training.domain.schema import INJURIES
from training.settings import Settings


def store_athletes(client: TestClient, tenant: TenantKeys, trained: Trained, external_ids: list[str]) -> set[str]:
    """The simulated athletes' whole logs and injuries, stored through the API; their database ids."""
    cohort = trained.simulation.cohort
    last = cohort.runs["date"].max()
    ids = set()
    for external_id in external_ids:
        body = request_for(cohort, external_id, last)
        athlete_id = add_athlete(client, tenant, external_id, **body["athlete"])
        ids.add(athlete_id)
        store_log(client, tenant, athlete_id, body)
    return ids


@pytest.mark.slow
def test_retrain_learns_from_consented_tenants_only_and_gates_on_their_recent_outcomes(
    trained: Trained, tmp_path: Path
):
    # A registry of its own: a promotion here must not change the model the other tests serve.
    shutil.copytree(trained.settings.mlruns_dir, tmp_path / "mlruns")
    settings = Settings(
        mlruns_dir=tmp_path / "mlruns",
        data_dir=tmp_path / "data",
        promotion_athletes=100,
        promotion_days=120,
        retrain_outcome_days=180,
        retrain_recent_days=42,
    )
    upgrade(settings.resolved_database_url())
    athletes = trained.simulation.cohort.profiles["athlete_id"].tolist()
    with TestClient(create_app(settings)) as client:
        consented, other = new_tenant(client), new_tenant(client)
        consented_ids = store_athletes(client, consented, trained, athletes[:30])
        store_athletes(client, other, trained, athletes[30:40])
    settings = settings.model_copy(update={"retrain_consented_tenants": [consented.name, "no-such-tenant"]})
    today = (trained.simulation.cohort.runs["date"].max() + pd.Timedelta(days=1)).date()

    database = Database(settings)
    try:
        rows = outcome_rows(database, settings, today - dt.timedelta(days=1))
    finally:
        database.dispose()
    assert set(rows.train["athlete_id"]) | set(rows.recent["athlete_id"]) <= consented_ids
    assert rows.train["date"].max() + pd.Timedelta(days=7) < rows.recent["date"].min()

    config = TEST_TRAINING.model_copy(update={"bootstrap_replicates": 0, "plots": False})
    done = retrain(settings, trained.simulation, config, today=today)
    assert done.tenants == [consented.name] and done.athletes == 30
    assert done.real_train_rows == len(rows.train) > 0 and done.recent_rows == len(rows.recent) > 0

    run = mlflow.MlflowClient().get_run(done.training.run_id)
    assert run.data.params["real_train_rows"] == str(len(rows.train))
    assert run.data.params["retrain_tenants"] == consented.name
    assert run.data.tags["promotion"].startswith("promoted" if done.promoted else "kept champion")
    for kind in INJURIES:
        assert f"promotion_{kind}_recent_challenger_brier" in run.data.metrics
        assert f"promotion_{kind}_challenger_expected_auc" in run.data.metrics

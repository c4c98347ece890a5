"""The promotion gate and reloading the champion in a running service."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import mlflow
import pytest
from fastapi.testclient import TestClient

from service.app import create_app
from tests.conftest import TEST_TRAINING, Trained, store_settings
from training.fitting.labels import labelled_rows
from training.fitting.promotion import CHALLENGER_ALIAS, promote
from training.fitting.train import split_rows
from training.model.registry import use_tracking
from training.model.risk_model import InjuryClassifier


def _register(settings, model) -> str:
    client = use_tracking(settings)
    with mlflow.start_run():
        info = mlflow.pyfunc.log_model(name="model", python_model=model, registered_model_name=settings.model_name)
    client.set_registered_model_alias(settings.model_name, CHALLENGER_ALIAS, str(info.registered_model_version))
    return str(info.registered_model_version)


@pytest.fixture()
def store(trained: Trained, tmp_path: Path):
    rows = labelled_rows(trained.simulation, trained.settings.horizon_days, TEST_TRAINING.warmup_days)
    return store_settings(tmp_path), split_rows(rows, TEST_TRAINING, trained.settings.horizon_days)["test"]


def test_first_model_becomes_champion_and_a_worse_challenger_does_not(trained: Trained, store):
    settings, rows = store
    good = trained.result.model
    first = _register(settings, good)
    assert promote(settings, rows).promoted
    # Slope 0: every athlete gets the same risk, so ROC AUC falls to 0.5 on every injury.
    flat = replace(
        good, classifiers={k: InjuryClassifier(c.trees, 0.0, c.intercept) for k, c in good.classifiers.items()}
    )
    _register(settings, flat)
    decision = promote(settings, rows)
    assert not decision.promoted and "worse" in decision.reason
    client = use_tracking(settings)
    assert str(client.get_model_version_by_alias(settings.model_name, "champion").version) == first


def test_service_reloads_the_champion_after_a_promotion_without_restart(trained: Trained, store):
    settings, rows = store
    _register(settings, trained.result.model)
    promote(settings, rows)
    # Auth off (the local-demo mode) acts with every role, the admin's reload included; roles are tested elsewhere.
    with TestClient(create_app(settings.model_copy(update={"auth_enabled": False}))) as client:
        assert client.get("/v1/model").json()["version"] == "1"
        second = _register(settings, trained.result.model)
        assert promote(settings, rows).promoted  # the same model is no worse
        assert client.get("/v1/model").json()["version"] == "1"
        assert client.post("/v1/model/reload").json()["version"] == second
        assert client.get("/v1/model").json()["version"] == second

"""The training run's evaluation: split by athlete and time, baselines and oracles, plots, model card, determinism."""

from __future__ import annotations

import mlflow
import pytest
from mlflow.tracking import MlflowClient

from tests.conftest import TEST_TRAINING, Trained
from training.domain.schema import INJURIES
from training.fitting.labels import labelled_rows
from training.fitting.train import evaluate_on_test, fit_classifier, split_rows
from training.model.registry import load_served_model, use_tracking


@pytest.fixture(scope="module")
def parts(trained: Trained):
    rows = labelled_rows(trained.simulation, trained.settings.horizon_days, TEST_TRAINING.warmup_days)
    return split_rows(rows, TEST_TRAINING, trained.settings.horizon_days)


def test_test_rows_are_unseen_athletes_in_a_later_period(parts):
    train, calibration, test = parts["train"], parts["calibration"], parts["test"]
    assert set(test["athlete_id"]).isdisjoint(set(train["athlete_id"]) | set(calibration["athlete_id"]))
    # Training labels look 7 days ahead; their windows end before the first test day.
    assert train["date"].max() + __import__("pandas").Timedelta(days=7) < test["date"].min()


def test_every_baseline_and_both_oracles_are_scored_per_injury(trained: Trained):
    metrics = trained.result.metrics
    for kind in INJURIES:
        for predictor in ("oracle", "oracle_fair", "logistic", "acwr", "base_rate"):
            for metric in ("roc_auc", "brier", "ece_relative", "calibration_slope", "observed_expected"):
                assert f"{predictor}_{kind}_{metric}" in metrics
        assert metrics[f"base_rate_{kind}_roc_auc"] == pytest.approx(0.5)
        assert metrics[f"{kind}_roc_auc_ci_low"] <= metrics[f"{kind}_roc_auc_ci_high"]
        assert metrics[f"{kind}_test_onsets"] > 0


def test_plots_table_and_model_card_are_logged_and_served(trained: Trained, client):
    use_tracking(trained.settings)
    artifacts = {a.path for a in MlflowClient().list_artifacts(trained.result.run_id, "plots")}
    for kind in INJURIES:
        assert {f"plots/{p}_{kind}.png" for p in ("roc", "reliability", "deciles", "importance")} <= artifacts
    card = mlflow.artifacts.load_text(f"runs:/{trained.result.run_id}/model_card.md")
    assert "oracle_fair" in card and "Known limits" in card
    body = client.get("/v1/model").json()
    assert body["model_card"] == card
    assert load_served_model(trained.settings).model_card == card


def test_same_seed_and_config_give_the_same_metrics(parts):
    config = TEST_TRAINING.model_copy(update={"plots": False})
    runs = []
    for _ in range(2):
        from training.features import FEATURES
        from training.model.risk_model import InjuryRiskModel

        classifiers = {k: fit_classifier(parts["train"], parts["calibration"], k, config) for k in INJURIES}
        model = InjuryRiskModel(classifiers, list(FEATURES), 7, {k: 0.01 for k in INJURIES})
        runs.append(evaluate_on_test(model, parts["train"], parts["test"], config).metrics)
    assert runs[0].keys() == runs[1].keys()
    assert all(runs[0][k] == runs[1][k] or (runs[0][k] != runs[0][k] and runs[1][k] != runs[1][k]) for k in runs[0])


def test_weekly_test_rows_put_each_onset_ahead_of_one_row(trained: Trained, parts):
    from training.fitting.held_out import HeldOut
    from training.fitting.train import fitted_baselines

    config = TEST_TRAINING.model_copy(update={"plots": False, "bootstrap_replicates": 0})
    held_out = HeldOut(trained.result.model, fitted_baselines(parts["train"], config), config.seed, 2000, day_stride=7)
    held_out.add(parts["test"])
    assert held_out.rows == pytest.approx(len(parts["test"]) / 7, rel=0.05)
    metrics = held_out.evaluate(replicates=0, plots=False).metrics
    for kind in INJURIES:
        assert metrics[f"{kind}_test_onsets"] == metrics[f"{kind}_positive_days"]

"""A real training run on a tiny cohort: metrics logged, version registered, loadable by alias."""

from __future__ import annotations

import math

import mlflow
import pandas as pd
import pytest

from tests.conftest import Trained
from training.domain.schema import INJURIES
from training.features import FEATURES
from training.model.registry import has_model, load_served_model, use_tracking


def test_training_registers_a_champion_loadable_by_alias(trained: Trained):
    assert has_model(trained.settings)
    served = load_served_model(trained.settings)
    assert served.version == trained.result.model_version and served.alias == "champion"
    use_tracking(trained.settings)
    pyfunc = mlflow.pyfunc.load_model(f"models:/{trained.settings.model_name}@champion")
    rows = pd.DataFrame([{f: 0.0 for f in FEATURES}])
    predictions = pyfunc.predict(rows)
    assert list(predictions.columns) == list(INJURIES)
    assert ((predictions > 0) & (predictions < 1)).all(axis=None)


def test_held_out_metrics_and_oracle_metrics_are_logged_per_injury(trained: Trained):
    served = load_served_model(trained.settings)
    for kind in INJURIES:
        for metric in ("roc_auc", "pr_auc", "brier"):
            assert f"{kind}_{metric}" in served.metrics
            assert f"oracle_{kind}_{metric}" in served.metrics
        assert served.metrics[f"{kind}_positive_days"] > 0
        assert not math.isnan(served.metrics[f"{kind}_roc_auc"])


def test_platt_calibration_matches_the_true_risk_on_calibration_athletes(trained: Trained):
    # A logistic fit with an intercept reproduces the (weighted) sum of its targets on the rows it was fitted to:
    # every calibration row with an onset ahead and a weighted sample of the others, each with its true risk.
    from tests.conftest import TEST_TRAINING
    from training.fitting.chunk_work import ChunkRecipe
    from training.fitting.chunks import WholeSimulation, periods
    from training.fitting.labels import label_column
    from training.fitting.train import WEIGHT, fitting_rows

    config = TEST_TRAINING
    span = periods(trained.simulation.config, config.warmup_days, config.test_period_share)
    source = WholeSimulation(trained.simulation)
    horizon = trained.settings.horizon_days
    recipe = ChunkRecipe(source, config.shares(), config.log_start_share, config.seed, horizon, span)
    calibration = fitting_rows(recipe, config).calibration
    predicted = trained.result.model.predict_risk(calibration)
    for kind in INJURIES:
        labelled = calibration[label_column(kind)].notna()
        weight = calibration.loc[labelled, WEIGHT]
        truth = (calibration.loc[labelled, f"oracle_{kind}"] * weight).sum()
        if trained.result.model.classifiers[kind].slope > 0:  # a fallback to the base rate fits nothing
            assert (predicted.loc[labelled, kind] * weight).sum() == pytest.approx(truth, rel=1e-3)


def test_test_athletes_never_appear_in_training(trained: Trained):
    from training.fitting.train import TrainingConfig, split_athletes

    ids = trained.simulation.cohort.profiles["athlete_id"]
    roles = split_athletes(ids, TrainingConfig(seed=11))
    assert set(roles[roles == "test"].index).isdisjoint(roles[roles == "train"].index)
    assert (roles == "test").sum() > 0


def test_athlete_split_is_independent_of_the_simulators_draws_with_the_same_seed(simulation):
    # The simulator draws novice status first from default_rng(seed); a split from the same stream would make the
    # test athletes exactly the novices.
    from training.fitting.train import TrainingConfig, split_athletes

    profiles = simulation.cohort.profiles.set_index("athlete_id")
    roles = split_athletes(profiles.index.to_series(), TrainingConfig(seed=simulation.config.seed))
    novice = profiles["years_running"] < 1.0
    share_in_test = novice[roles[roles == "test"].index].mean()
    assert abs(share_in_test - novice.mean()) < 0.1

"""The 28-day risk judged on test rows: its figures against the true 28-day risk and the 28-day onsets."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest

from tests.conftest import TEST_TRAINING, Trained
from training.domain.schema import INJURIES
from training.fitting.held_out import HeldOut
from training.fitting.labels import label_column, labelled_rows, long_label_column, long_oracle_column
from training.fitting.train import fitted_baselines, split_rows


def _pairwise_expected_auc(truth: np.ndarray, predicted: np.ndarray) -> float:
    """Every ordered pair (i, j), i != j, weighs p_i (1 - p_j); it counts 1 when i ranks above j, 1/2 on a tie."""
    won = total = 0.0
    for i, j in itertools.permutations(range(len(truth)), 2):
        weight = truth[i] * (1 - truth[j])
        total += weight
        won += weight * (1.0 if predicted[i] > predicted[j] else 0.5 if predicted[i] == predicted[j] else 0.0)
    return won / total


@pytest.fixture(scope="module")
def parts(trained: Trained) -> dict[str, pd.DataFrame]:
    rows = labelled_rows(trained.simulation, trained.settings.horizon_days, TEST_TRAINING.warmup_days)
    return split_rows(rows, TEST_TRAINING, trained.settings.horizon_days)


def test_the_28_day_figures_of_a_tiny_hand_made_test_set(trained: Trained, parts: dict[str, pd.DataFrame]):
    test = parts["test"]
    healthy = ~test[[f"injured_{kind}" for kind in INJURIES]].any(axis=1)
    rows = test[healthy].iloc[::97].head(5).copy()
    labels, truth = [0.0, 1.0, 0.0, 1.0, np.nan], [0.05, 0.3, 0.1, 0.2, 0.4]
    for kind in INJURIES:
        rows[label_column(kind)] = [0.0, 1.0, 0.0, 0.0, 1.0]
        rows[f"oracle_{kind}"] = rows[f"oracle_fair_{kind}"] = 0.02
        rows[long_label_column(kind)] = labels  # the last row's 28 days are not observed: left out
        rows[long_oracle_column(kind)] = truth
        rows[long_oracle_column(kind, fair=True)] = [0.1, 0.1, 0.2, 0.2, 0.1]
    held = HeldOut(trained.result.model, fitted_baselines(parts["train"], TEST_TRAINING), seed=1)
    held.add(rows)
    metrics = held.evaluate(replicates=0, plots=False).metrics

    p = np.array(truth[:4])
    for kind in INJURIES:
        weekly = trained.result.model.predict_risk(rows)[kind].to_numpy()[:4]
        monthly = 1 - (1 - weekly) ** 4
        assert metrics[f"{kind}_28d_test_rows"] == 4
        assert metrics[f"{kind}_28d_expected_auc"] == pytest.approx(_pairwise_expected_auc(p, monthly), rel=1e-6)
        brier = np.mean((monthly - p) ** 2 + p * (1 - p))
        assert metrics[f"{kind}_28d_expected_brier"] == pytest.approx(brier, rel=1e-5)
        assert metrics[f"{kind}_28d_truth_expected_ratio"] == pytest.approx(p.sum() / monthly.sum(), rel=1e-5)
        assert metrics[f"{kind}_28d_positive_days"] == 2
        assert metrics[f"{kind}_28d_observed_expected"] == pytest.approx(2 / monthly.sum(), rel=1e-5)
        # The true risk ranks these rows as well as anything can, and the fair oracle is judged on them too.
        assert metrics[f"oracle_{kind}_28d_expected_auc"] == pytest.approx(_pairwise_expected_auc(p, p))
        assert metrics[f"oracle_fair_{kind}_28d_expected_auc"] == pytest.approx(
            _pairwise_expected_auc(p, np.array([0.1, 0.1, 0.2, 0.2]))
        )


def test_the_training_run_judges_the_28_day_risk_on_its_test_rows(trained: Trained):
    metrics = trained.result.metrics
    for kind in INJURIES:
        name = f"{kind}_28d"
        assert 0.5 < metrics[f"{name}_expected_auc"] <= metrics[f"oracle_{name}_expected_auc"]
        assert metrics[f"{name}_expected_auc_ci_low"] <= metrics[f"{name}_expected_auc_ci_high"]
        # A larger share of rows has an onset within 28 days than within 7, and the 28-day risks are larger.
        share_28d = metrics[f"{name}_positive_days"] / metrics[f"{name}_test_rows"]
        assert share_28d > metrics[f"{kind}_positive_days"] / metrics[f"{kind}_test_rows"]
        assert metrics[f"{name}_truth_decile_10_mean_predicted"] > metrics[f"{kind}_truth_decile_10_mean_predicted"]

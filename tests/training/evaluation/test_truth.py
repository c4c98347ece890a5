"""Metrics against the true risk, on data where the answer is known."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from sklearn.metrics import roc_auc_score

from training.evaluation.metrics import evaluate_injury
from training.evaluation.truth import (
    ExpectedAuc,
    expected_auc,
    expected_brier,
    expected_log_loss,
    soft_calibration,
    truth_deciles,
    truth_metrics,
)


def _risks(rows: int = 100_000, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return np.exp(rng.normal(np.log(0.005), 0.8, rows))


def _logit(p: np.ndarray) -> np.ndarray:
    return np.log(p / (1 - p))


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 1 / (1 + np.exp(-x))


def test_expected_auc_of_a_hand_computed_case():
    # Pairs (i, j), i != j, weigh p_i (1 - p_j); with the ranking right the three ordered pairs count 0.45 + 0.81 +
    # 0.45 of a total 1.82.
    truth = np.array([0.9, 0.5, 0.1])
    assert expected_auc(truth, np.array([3.0, 2.0, 1.0])) == pytest.approx(1.71 / 1.82)
    assert expected_auc(truth, np.array([1.0, 2.0, 3.0])) == pytest.approx(0.11 / 1.82)


def test_a_constant_prediction_has_expected_auc_one_half():
    assert expected_auc(_risks(), np.full(100_000, 0.01)) == pytest.approx(0.5)


def test_expected_auc_with_zero_one_truth_is_the_ordinary_weighted_auc():
    rng = np.random.default_rng(3)
    predicted = np.round(rng.random(5000), 2)
    observed = (rng.random(5000) < predicted * 0.3).astype(float)
    weight = rng.integers(0, 4, 5000).astype(float)
    assert ExpectedAuc(observed, predicted)(weight) == pytest.approx(
        roc_auc_score(observed, predicted, sample_weight=weight)
    )


def test_expected_auc_with_weights_equals_pairs_of_repeated_rows():
    rng = np.random.default_rng(5)
    truth, predicted = rng.random(12), np.round(rng.random(12), 1)  # ties too
    weight = rng.integers(0, 3, 12)
    rows = np.repeat(np.arange(12), weight)
    numerator = denominator = 0.0
    for i, j in itertools.permutations(range(len(rows)), 2):
        a, b = rows[i], rows[j]
        pair = truth[a] * (1 - truth[b])
        denominator += pair
        numerator += pair * (1.0 if predicted[a] > predicted[b] else 0.5 if predicted[a] == predicted[b] else 0.0)
    assert ExpectedAuc(truth, predicted)(weight.astype(float)) == pytest.approx(numerator / denominator)


def test_the_truth_ranks_better_than_a_noisy_copy_of_it():
    truth = _risks()
    noisy = _sigmoid(_logit(truth) + np.random.default_rng(1).normal(0, 1.0, len(truth)))
    assert expected_auc(truth, truth) > expected_auc(truth, noisy) > 0.5


def test_the_truth_has_the_least_expected_brier_and_log_loss():
    truth = _risks()
    assert expected_brier(truth, truth) == pytest.approx(float(np.mean(truth * (1 - truth))))
    # A constant at the mean adds the variance of the truth.
    constant = np.full(len(truth), truth.mean())
    assert expected_brier(truth, constant) == pytest.approx(expected_brier(truth, truth) + truth.var())
    for other in (constant, truth * 1.3, truth * 0.7):
        assert expected_log_loss(truth, truth) < expected_log_loss(truth, other)


def test_the_truth_is_calibrated_against_itself():
    truth = _risks()
    slope, intercept = soft_calibration(truth, truth)
    assert slope == pytest.approx(1.0, abs=1e-6) and intercept == pytest.approx(0.0, abs=1e-5)
    assert all(d["true_predicted"] == pytest.approx(1.0) for d in truth_deciles(truth, truth))
    metrics = truth_metrics(truth, truth, prefix="m_")
    assert metrics["m_truth_deciles_within_10pct"] == 10 and metrics["m_truth_rmse"] == 0.0


def test_doubled_risks_read_as_half_the_truth_in_every_decile():
    truth = _risks()
    metrics = truth_metrics(truth, 2 * truth)
    assert metrics["truth_expected_ratio"] == pytest.approx(0.5)
    assert metrics["truth_decile_ratio_min"] == pytest.approx(0.5)
    assert metrics["truth_decile_ratio_max"] == pytest.approx(0.5)
    assert metrics["truth_deciles_within_10pct"] == 0


def test_over_spread_risks_get_a_truth_calibration_slope_below_one():
    truth = _risks()
    logit = _logit(truth)
    stretched = _sigmoid(2 * (logit - logit.mean()) + logit.mean())
    slope, _ = soft_calibration(truth, stretched)
    assert slope == pytest.approx(0.5, abs=0.01)


def test_evaluation_reports_truth_metrics_and_their_intervals_for_every_predictor():
    rng = np.random.default_rng(2)
    codes = np.repeat(np.arange(400), 50)
    truth = _risks(len(codes), seed=4) * 5
    observed = (rng.random(len(codes)) < truth).astype(float)
    noisy = _sigmoid(_logit(truth) + rng.normal(0, 0.5, len(truth)))
    predictions = {
        "model": noisy,
        "oracle": truth,
        "oracle_fair": _sigmoid(_logit(truth) + rng.normal(0, 0.2, len(truth))),
        "base_rate": np.full(len(truth), observed.mean()),
    }
    metrics = evaluate_injury("pfps", observed, predictions, codes, replicates=30, seed=1, truth=truth)
    assert metrics["pfps_expected_auc"] < metrics["oracle_pfps_expected_auc"]
    assert metrics["base_rate_pfps_expected_auc"] == pytest.approx(0.5)
    gap = metrics["pfps_expected_auc_gap_to_oracle_fair"]
    assert gap == pytest.approx(metrics["pfps_expected_auc"] - metrics["oracle_fair_pfps_expected_auc"])
    assert metrics["pfps_expected_auc_gap_to_oracle_fair_ci_low"] <= gap
    assert gap <= metrics["pfps_expected_auc_gap_to_oracle_fair_ci_high"]
    assert metrics["pfps_expected_auc_ci_low"] < metrics["pfps_expected_auc_ci_high"]
    assert metrics["pfps_expected_brier_ci_low"] < metrics["pfps_expected_brier_ci_high"]


def test_headline_intervals_are_the_full_bootstraps_intervals_of_the_headline_figures_only():
    rng = np.random.default_rng(3)
    codes = np.repeat(np.arange(300), 40)
    truth = _risks(len(codes), seed=5) * 5
    observed = (rng.random(len(codes)) < truth).astype(float)
    predictions = {
        "model": _sigmoid(_logit(truth) + rng.normal(0, 0.5, len(truth))),
        "oracle": truth,
        "oracle_fair": _sigmoid(_logit(truth) + rng.normal(0, 0.2, len(truth))),
    }
    every = evaluate_injury("pfps", observed, predictions, codes, replicates=20, seed=1, truth=truth)
    headline = evaluate_injury(
        "pfps", observed, predictions, codes, replicates=20, seed=1, truth=truth, headline_intervals=True
    )
    intervals = {name for name in headline if name.endswith(("_ci_low", "_ci_high"))}
    assert {name.rsplit("_ci_", 1)[0] for name in intervals} == {
        "pfps_expected_auc",
        "oracle_fair_pfps_expected_auc",
        "pfps_expected_auc_gap_to_oracle_fair",
        "pfps_roc_auc",
    }
    # The same resamples: each headline interval is the one the full bootstrap gives.
    assert {name: headline[name] for name in intervals} == {name: every[name] for name in intervals}
    assert {name: value for name, value in headline.items() if name not in intervals} == {
        name: value for name, value in every.items() if not name.endswith(("_ci_low", "_ci_high"))
    }

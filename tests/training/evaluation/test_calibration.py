"""Calibration metrics: what they say on well calibrated, over-confident and shifted risks."""

from __future__ import annotations

import numpy as np
import pytest

from training.evaluation.calibration import (
    calibration_metrics,
    calibration_slope_intercept,
    decile_observed_expected,
    expected_calibration_error,
)


def _draws(seed: int = 0, rows: int = 200_000) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    risk = np.exp(rng.normal(np.log(0.005), 0.8, rows))
    return (rng.random(rows) < risk).astype(float), risk


def test_true_risks_have_slope_near_one_and_observed_expected_near_one():
    y, p = _draws()
    slope, intercept = calibration_slope_intercept(y, p)
    assert slope == pytest.approx(1.0, abs=0.1)
    assert intercept == pytest.approx(0.0, abs=0.6)
    judged = [d for d in decile_observed_expected(y, p) if d["events"] >= 30]
    assert judged and all(0.75 < d["observed_expected"] < 1.25 for d in judged)


def test_over_confident_risks_get_a_slope_below_one():
    y, p = _draws()
    logit = np.log(p / (1 - p))
    stretched = 1 / (1 + np.exp(-(2 * (logit - logit.mean()) + logit.mean())))
    slope, _ = calibration_slope_intercept(y, stretched)
    assert slope == pytest.approx(0.5, abs=0.08)


def test_doubled_risks_show_as_ece_about_the_base_rate():
    y, p = _draws()
    metrics = calibration_metrics(y, 2 * p)
    assert metrics["ece_relative"] == pytest.approx(1.0, abs=0.15)
    assert metrics["decile_oe_max"] < 0.65
    assert expected_calibration_error(y, p) < expected_calibration_error(y, 2 * p) / 3

"""The 28-day risk from the model's 7-day risk: never below it, monotone, exact on hand-worked values."""

from __future__ import annotations

import numpy as np
import pytest

from training.model.horizons import LONG_HORIZON_DAYS, risk_over_days


def test_a_weekly_risk_of_ten_percent_is_one_minus_point_nine_to_the_fourth_over_28_days():
    # A constant weekly hazard: not injured in any of the four weeks with probability 0.9^4.
    assert risk_over_days(np.array([0.1]), horizon_days=7)[0] == pytest.approx(1 - 0.9**4, rel=1e-12)
    assert LONG_HORIZON_DAYS == 28


def test_small_risks_keep_their_digits():
    p = np.array([1e-9, 1e-4])
    assert risk_over_days(p, horizon_days=7) == pytest.approx(1 - (1 - p) ** 4, rel=1e-9)
    assert risk_over_days(p, horizon_days=7)[0] == pytest.approx(4e-9, rel=1e-6)


def test_the_28_day_risk_is_never_below_the_7_day_risk_and_rises_with_it():
    p = np.sort(np.random.default_rng(3).uniform(0, 1, 10_000))
    long = risk_over_days(p, horizon_days=7)
    assert (long >= p).all()
    assert (np.diff(long) >= 0).all()
    assert long[-1] <= 1.0


def test_a_model_of_28_days_is_left_as_it_is_and_an_unscored_risk_stays_unscored():
    p = np.array([0.0, 0.02, np.nan, 1.0])
    assert np.array_equal(risk_over_days(p, horizon_days=28), p, equal_nan=True)
    assert np.isnan(risk_over_days(p, horizon_days=7)[2])
    assert risk_over_days(p, horizon_days=7)[3] == 1.0

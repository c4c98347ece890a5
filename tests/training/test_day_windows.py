"""Trailing windows add each day's terms nearest day first, so every path (one athlete or a cohort) gets the same
floats; the compiled loops keep that order and numpy's rounding."""

from __future__ import annotations

import numpy as np

from training.day_windows import trailing_max, trailing_squared_deviation, trailing_sum, truncated_ewma


def _in_order(x: np.ndarray, t: int, terms: list[tuple[int, float]]) -> float:
    total = 0.0
    for back, weight in terms:
        if t - back >= 0:
            total += float(x[t - back]) * weight if weight != 1.0 else float(x[t - back])
    return total


def test_windows_add_terms_nearest_day_first_with_numpy_rounding():
    x = np.random.default_rng(3).exponential(9.0, 200) * (np.random.default_rng(4).random(200) < 0.6)
    sums, lagged, ewma = trailing_sum(x, 28), trailing_sum(x, 7, lag=7), truncated_ewma(x, 7, 28)
    alpha = 2.0 / 8.0
    for t in range(len(x)):
        assert sums[t] == _in_order(x, t, [(j, 1.0) for j in range(28)])
        assert lagged[t] == _in_order(x, t, [(j, 1.0) for j in range(7, 14)])
        assert ewma[t] == _in_order(x, t, [(j, alpha * (1.0 - alpha) ** j) for j in range(28)])


def test_squared_deviations_count_days_before_the_array_as_zero_and_round_as_numpy_does():
    x = np.random.default_rng(7).exponential(9.0, 60) * (np.random.default_rng(8).random(60) < 0.6)
    centre = trailing_sum(x, 7) / 7.0
    expected = np.zeros_like(x)
    for j in range(7):
        before = np.zeros_like(x)
        before[j:] = x[: len(x) - j]
        expected += (before - centre) ** 2
    assert np.array_equal(trailing_squared_deviation(x, centre, 7), expected)
    at = np.array([0, 5, 6, 30, 59])
    assert np.array_equal(trailing_squared_deviation(x, centre[at], 7, at=at), expected[at])


def test_trailing_max_reads_only_days_inside_the_window_and_keeps_a_missing_day_missing():
    x = np.array([5.0, 1.0, np.nan, 2.0, 0.5, 0.0, 0.0])
    assert trailing_max(x, 2, lag=1).tolist()[:2] == [0.0, 5.0]
    assert np.isnan(trailing_max(x, 2)[2]) and np.isnan(trailing_max(x, 2)[3])
    assert trailing_max(x, 2)[4:].tolist() == [2.0, 0.5, 0.0]


def test_windows_of_chosen_rows_are_the_whole_arrays_floats_at_those_rows():
    x = np.random.default_rng(5).exponential(9.0, 300) * (np.random.default_rng(6).random(300) < 0.6)
    x[[40, 41, 250]] = np.nan
    at = np.array([0, 3, 41, 42, 90, 91, 250, 299])
    assert np.array_equal(trailing_sum(x, 28, at=at), trailing_sum(x, 28)[at], equal_nan=True)
    assert np.array_equal(trailing_sum(x, 7, lag=7, at=at), trailing_sum(x, 7, lag=7)[at], equal_nan=True)
    assert np.array_equal(trailing_max(x, 30, lag=1, at=at), trailing_max(x, 30, lag=1)[at], equal_nan=True)
    assert np.array_equal(truncated_ewma(x, 28, 84, at=at), truncated_ewma(x, 28, 84)[at], equal_nan=True)

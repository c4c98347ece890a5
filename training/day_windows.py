"""Trailing windows over one athlete's days (arrays indexed by day): sums, maxima, squared deviations, truncated
EWMAs and ratios.

The features are built from these; each adds its terms in a fixed order so every path gives the same floats. The
loops are compiled (numba, without fast-math, so every add and multiply rounds as numpy's do): a window is one call
instead of one array operation per day of the window, which is what a single athlete's answer pays for.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import numba
import numpy as np


def trailing_sum(x: np.ndarray, window: int, lag: int = 0, at: np.ndarray | None = None) -> np.ndarray:
    """Sum of x over days t-lag-window+1 .. t-lag, added in a fixed order (rows too early for it are not read).

    ``at``: only the rows at these positions, in that order (the same floats as the whole array's at them)."""
    return _trailing(_trailing_sum, _trailing_sum_at, x, at, window, lag)


def trailing_max(x: np.ndarray, window: int, lag: int = 0, at: np.ndarray | None = None) -> np.ndarray:
    """Maximum of x over days t-lag-window+1 .. t-lag (0 where no day of the window is in the array); ``at`` as for
    ``trailing_sum``."""
    return _trailing(_trailing_max, _trailing_max_at, x, at, window, lag)


def trailing_squared_deviation(
    x: np.ndarray, centre: np.ndarray, window: int, at: np.ndarray | None = None
) -> np.ndarray:
    """Sum over days t-window+1 .. t of (x - centre of row t) squared, days before the array counting as x = 0;
    ``centre`` has one value per row computed (``at`` as for ``trailing_sum``)."""
    centre = np.ascontiguousarray(centre, dtype=np.float64)
    return _trailing(_squared_deviation, _squared_deviation_at, x, at, centre, window)


def truncated_ewma(x: np.ndarray, span: int, truncation: int, at: np.ndarray | None = None) -> np.ndarray:
    """Exponentially weighted daily mean (alpha = 2 / (span + 1)) over the last ``truncation`` days; ``at`` as for
    ``trailing_sum``."""
    return _trailing(_weighted_sum, _weighted_sum_at, x, at, _ewma_weights(span, truncation))


def _trailing(
    every_row: Callable[..., None], chosen_rows: Callable[..., None], x: np.ndarray, at: np.ndarray | None, *args: Any
) -> np.ndarray:
    """A window kernel over every row of ``x``, or over the rows at ``at`` only; ``args`` are the window's own."""
    x = np.ascontiguousarray(x, dtype=np.float64)
    if at is None:
        out = np.zeros_like(x)
        every_row(x, *args, out)
    else:
        out = np.zeros(len(at))
        chosen_rows(x, *args, at, out)
    return out


@functools.cache
def _ewma_weights(span: int, truncation: int) -> np.ndarray:
    alpha = 2.0 / (span + 1.0)
    weights = np.array([alpha * (1.0 - alpha) ** j for j in range(truncation)], dtype=np.float64)
    return weights


def capped_ratio(num: np.ndarray, den: np.ndarray, cap: float) -> np.ndarray:
    """num / den, at most ``cap``; NaN where den is not positive."""
    # No division by zero happens (those rows divide by 1 and are dropped), so no floating-point state is changed.
    positive = den > 0
    return np.minimum(np.where(positive, num / np.where(positive, den, 1.0), np.nan), cap)


def days_since(event: np.ndarray, cap: int, before_start: bool) -> np.ndarray:
    """Days since the last day where ``event`` holds (0 on that day), at most ``cap``.

    ``before_start`` says whether the days before the array count as events: a rest day does (a streak of running
    starts with the log), a strength session does not (no session yet counts as "long ago", the cap).
    Whole numbers, so this equals counting the streak day by day.
    """
    index = np.arange(len(event), dtype=np.int64)
    never = -1 if before_start else -(cap + 1)
    last = np.maximum.accumulate(np.where(event, index, never)) if len(event) else index
    return np.minimum(index - last, cap).astype("float64")


# Day t's terms are added from the nearest day back, one at a time: the order the sums have always had.
@numba.njit(nogil=True, cache=True)
def _trailing_sum(x: np.ndarray, window: int, lag: int, out: np.ndarray) -> None:
    for j in range(lag, lag + window):
        for t in range(j, len(x)):
            out[t] += x[t - j]


@numba.njit(nogil=True, cache=True)
def _trailing_max(x: np.ndarray, window: int, lag: int, out: np.ndarray) -> None:
    for j in range(lag, lag + window):
        for t in range(j, len(x)):
            value = x[t - j]
            # As np.maximum: a NaN on either side is the result.
            if (np.isnan(value) or value > out[t]) and not np.isnan(out[t]):
                out[t] = value


@numba.njit(nogil=True, cache=True)
def _weighted_sum(x: np.ndarray, weights: np.ndarray, out: np.ndarray) -> None:
    for j in range(len(weights)):
        for t in range(j, len(x)):
            # The product is rounded, then added: the same two roundings as numpy's weight * x then +=.
            term = x[t - j] * weights[j]
            out[t] += term


@numba.njit(nogil=True, cache=True)
def _squared_deviation(x: np.ndarray, centre: np.ndarray, window: int, out: np.ndarray) -> None:
    for j in range(window):
        for t in range(len(x)):
            # The difference is squared as numpy's ** 2 does (one product), then added.
            difference = (x[t - j] if t >= j else 0.0) - centre[t]
            out[t] += difference * difference


# The same loops for chosen rows only (an answer wants a few days of a long array): each row adds the same terms in
# the same order as above, so it gets the same floats.
@numba.njit(nogil=True, cache=True)
def _trailing_sum_at(x: np.ndarray, window: int, lag: int, at: np.ndarray, out: np.ndarray) -> None:
    for j in range(lag, lag + window):
        for i in range(len(at)):
            if at[i] >= j:
                out[i] += x[at[i] - j]


@numba.njit(nogil=True, cache=True)
def _trailing_max_at(x: np.ndarray, window: int, lag: int, at: np.ndarray, out: np.ndarray) -> None:
    for j in range(lag, lag + window):
        for i in range(len(at)):
            if at[i] >= j:
                value = x[at[i] - j]
                if (np.isnan(value) or value > out[i]) and not np.isnan(out[i]):
                    out[i] = value


@numba.njit(nogil=True, cache=True)
def _weighted_sum_at(x: np.ndarray, weights: np.ndarray, at: np.ndarray, out: np.ndarray) -> None:
    for j in range(len(weights)):
        for i in range(len(at)):
            if at[i] >= j:
                term = x[at[i] - j] * weights[j]
                out[i] += term


@numba.njit(nogil=True, cache=True)
def _squared_deviation_at(x: np.ndarray, centre: np.ndarray, window: int, at: np.ndarray, out: np.ndarray) -> None:
    for j in range(window):
        for i in range(len(at)):
            difference = (x[at[i] - j] if at[i] >= j else 0.0) - centre[i]
            out[i] += difference * difference


NS_PER_DAY = 86_400 * 10**9


def day_numbers(stamps: np.ndarray) -> np.ndarray:
    """Whole days since 1970-01-01 of midnight timestamps (NaT gives a meaningless number; callers mask it)."""
    return np.floor_divide(stamps.astype("datetime64[ns]").view("int64"), NS_PER_DAY)

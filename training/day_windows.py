"""Trailing windows over one athlete's days (arrays indexed by day): sums, maxima, truncated EWMAs and ratios.

The features are built from these; each adds its terms in a fixed order so every path gives the same floats."""

from __future__ import annotations

import numpy as np


def trailing_sum(x: np.ndarray, window: int, lag: int = 0) -> np.ndarray:
    """Sum of x over days t-lag-window+1 .. t-lag, added in a fixed order (rows too early for it are not read)."""
    out = np.zeros_like(x)
    for j in range(lag, lag + window):
        out[j:] += x[: len(x) - j]
    return out


def trailing_max(x: np.ndarray, window: int, lag: int = 0) -> np.ndarray:
    """Maximum of x over days t-lag-window+1 .. t-lag (0 where no day of the window is in the array)."""
    out = np.zeros_like(x)
    for j in range(lag, lag + window):
        np.maximum(out[j:], x[: len(x) - j], out=out[j:])
    return out


def truncated_ewma(x: np.ndarray, span: int, truncation: int) -> np.ndarray:
    """Exponentially weighted daily mean (alpha = 2 / (span + 1)) over the last ``truncation`` days."""
    alpha = 2.0 / (span + 1.0)
    out = np.zeros_like(x)
    term = np.empty_like(x)
    for j in range(truncation):
        weight = alpha * (1.0 - alpha) ** j
        # The product goes to a reused buffer, then is added: the same two roundings per term as weight * x + out.
        np.multiply(x[: len(x) - j], weight, out=term[: len(x) - j])
        out[j:] += term[: len(x) - j]
    return out


def capped_ratio(num: np.ndarray, den: np.ndarray, cap: float) -> np.ndarray:
    """num / den, at most ``cap``; NaN where den is not positive."""
    with np.errstate(divide="ignore", invalid="ignore"):
        value = np.where(den > 0, num / np.where(den > 0, den, 1.0), np.nan)
    return np.minimum(value, cap)


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


NS_PER_DAY = 86_400 * 10**9


def day_numbers(stamps: np.ndarray) -> np.ndarray:
    """Whole days since 1970-01-01 of midnight timestamps (NaT gives a meaningless number; callers mask it)."""
    return np.floor_divide(stamps.astype("datetime64[ns]").view("int64"), NS_PER_DAY)

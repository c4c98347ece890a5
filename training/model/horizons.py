"""Risk over 28 days from the model's risk over its own horizon: the one place every path computes it.

The model gives p, the probability of onset within ``horizon_days`` (7). Over 28 days we assume the athlete's hazard
of the scored week persists for the following weeks: with a constant daily hazard h, p = 1 - exp(-7 h) and the
28-day risk is 1 - exp(-28 h) = 1 - (1 - p)^(28 / 7). The assumption, its reasons and how far it holds against the
simulator's true 28-day risk are in docs/model.md ("Over 28 days"). Being a function of p alone, the 28-day risk is
never below p and ranks athletes exactly as p does.
"""

from __future__ import annotations

import numpy as np

LONG_HORIZON_DAYS = 28


def risk_over_days(probability: np.ndarray, horizon_days: int, days: int = LONG_HORIZON_DAYS) -> np.ndarray:
    """1 - (1 - p)^(days / horizon_days) per value of ``probability`` (risk of onset within ``horizon_days``): the
    risk within ``days`` if the daily hazard stays what it is. NaN (not scored) stays NaN."""
    p = np.asarray(probability, dtype="float64")
    # log1p/expm1 keep the small risks exact: (1 - p)^k loses digits when p is a few per thousand.
    with np.errstate(divide="ignore"):
        return -np.expm1(np.log1p(-p) * (days / horizon_days))

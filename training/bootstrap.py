"""Bootstrap confidence intervals over athletes: rows of one athlete are correlated, so athletes are resampled."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

Metric = Callable[[np.ndarray, np.ndarray, np.ndarray], float]


def athlete_bootstrap(
    athlete_codes: np.ndarray, statistic: Callable[[np.ndarray], float], replicates: int, seed: int
) -> tuple[float, float]:
    """2.5th and 97.5th percentiles of ``statistic(row_weights)`` over athlete resamples.

    Each replicate draws athletes with replacement; a row's weight is how often its athlete was drawn, which is the
    same as concatenating the drawn athletes' rows but needs no copies.
    """
    rng = np.random.default_rng(seed)
    athletes = int(athlete_codes.max()) + 1 if len(athlete_codes) else 0
    values = []
    for _ in range(replicates):
        draws = np.bincount(rng.integers(0, athletes, athletes), minlength=athletes)
        value = statistic(draws[athlete_codes].astype(float))
        if np.isfinite(value):
            values.append(value)
    if not values:
        return float("nan"), float("nan")
    low, high = np.percentile(values, [2.5, 97.5])
    return float(low), float(high)

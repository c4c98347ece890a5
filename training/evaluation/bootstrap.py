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


def athlete_intervals(
    athlete_codes: np.ndarray,
    statistics: dict[str, Callable[[np.ndarray], float]],
    replicates: int,
    seed: int,
    differences: dict[str, tuple[str, str]] | None = None,
) -> dict[str, tuple[float, float]]:
    """``athlete_bootstrap`` of many statistics from the same resamples, each computed once per resample; a
    difference ``name: (a, b)`` is the interval of statistic a minus statistic b over the same resamples."""
    rng = np.random.default_rng(seed)
    athletes = int(athlete_codes.max()) + 1 if len(athlete_codes) else 0
    differences = differences or {}
    values: dict[str, list[float]] = {name: [] for name in [*statistics, *differences]}
    for _ in range(replicates):
        weight = np.bincount(rng.integers(0, athletes, athletes), minlength=athletes)[athlete_codes].astype(float)
        here = {name: statistic(weight) for name, statistic in statistics.items()}
        here.update({name: here[a] - here[b] for name, (a, b) in differences.items()})
        for name, value in here.items():
            if np.isfinite(value):
                values[name].append(value)
    out = {}
    for name, kept in values.items():
        low, high = np.percentile(kept, [2.5, 97.5]) if kept else (float("nan"), float("nan"))
        out[name] = (float(low), float(high))
    return out


class WeightedAuc:
    """ROC AUC under row weights, for many weightings of the same rows: the sort is done once, each call is O(n).

    Equals sklearn's roc_auc_score(observed, predicted, sample_weight=w), ties counted as half.
    """

    def __init__(self, observed: np.ndarray, predicted: np.ndarray) -> None:
        order = np.argsort(predicted, kind="stable")
        ranked = np.asarray(predicted)[order]
        self._order = order
        self._group = np.concatenate([[0], np.cumsum(ranked[1:] != ranked[:-1])])
        self._y = np.asarray(observed, float)[order]

    def __call__(self, weight: np.ndarray) -> float:
        w = np.asarray(weight, float)[self._order]
        groups = int(self._group[-1]) + 1 if len(self._group) else 0
        positive = np.bincount(self._group, w * self._y, groups)
        negative = np.bincount(self._group, w * (1 - self._y), groups)
        total = positive.sum() * negative.sum()
        if total <= 0:
            return float("nan")
        below = np.cumsum(negative) - negative
        return float((positive * (below + 0.5 * negative)).sum() / total)

"""Predicted risks against the onsets that followed: expected onsets with the range a calibrated model allows,
observed/expected with its interval, and the realised ROC AUC with its interval.

Used by the service's monitoring of stored assessments; the arithmetic is plain numpy so training can use it too.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy.stats import chi2, norm
from sklearn.metrics import roc_auc_score

# Above this many risks the Poisson-binomial is replaced by its normal approximation: the exact convolution costs one
# pass per risk, and with this many rows the count's distribution is close to normal anyway.
EXACT_ROWS = 100_000


@dataclass(frozen=True)
class OnsetCheck:
    """Onsets that happened against those the risks predicted, for one group of predictions."""

    predictions: int
    onsets: int
    expected_onsets: float
    # The central 95% range of the onset count if every risk were exactly right (Poisson-binomial).
    expected_low: int
    expected_high: int
    observed_expected: float | None
    # Exact Poisson (Garwood) 95% interval of the observed count, divided by the expected count.
    observed_expected_low: float | None
    observed_expected_high: float | None

    @property
    def within_expected(self) -> bool:
        return self.expected_low <= self.onsets <= self.expected_high


def count_distribution(risks: np.ndarray) -> np.ndarray:
    """P(count = k) of independent onsets with the given risks (the Poisson-binomial), by convolution, for k up to
    far past the mean (12 standard deviations and 20 more): the mass beyond is below double precision."""
    p = np.asarray(risks, dtype="float64")
    mean, sd = float(p.sum()), math.sqrt(float((p * (1 - p)).sum()))
    top = min(len(p), math.ceil(mean + 12 * sd + 20))
    distribution = np.zeros(top + 1)
    distribution[0] = 1.0
    for risk in p:
        shifted = distribution[:-1] * risk
        distribution *= 1 - risk
        distribution[1:] += shifted
    return distribution


def expected_range(risks: np.ndarray, level: float = 0.95) -> tuple[int, int]:
    """The central ``level`` range of the onset count if the risks are right: exact below ``EXACT_ROWS`` risks,
    the normal approximation (rounded outwards) above."""
    p = np.asarray(risks, dtype="float64")
    tail = (1 - level) / 2
    if len(p) == 0:
        return 0, 0
    if len(p) <= EXACT_ROWS:
        cumulative = np.cumsum(count_distribution(p))
        low = int(np.searchsorted(cumulative, tail, side="left"))
        high = int(np.searchsorted(cumulative, 1 - tail, side="left"))
        return low, min(high, len(p))
    mean, sd = float(p.sum()), math.sqrt(float((p * (1 - p)).sum()))
    z = float(norm.ppf(1 - tail))
    return max(0, math.floor(mean - z * sd)), min(len(p), math.ceil(mean + z * sd))


def poisson_interval(count: int, level: float = 0.95) -> tuple[float, float]:
    """Exact (Garwood) interval of a Poisson mean from one observed count."""
    tail = (1 - level) / 2
    low = 0.0 if count == 0 else float(chi2.ppf(tail, 2 * count)) / 2
    return low, float(chi2.ppf(1 - tail, 2 * count + 2)) / 2


def onset_check(risks: np.ndarray, onsets: np.ndarray) -> OnsetCheck:
    """Observed onsets (0/1 per prediction) against the risks that predicted them."""
    p = np.asarray(risks, dtype="float64")
    observed = int(np.asarray(onsets, dtype="float64").sum())
    expected = float(p.sum())
    low, high = expected_range(p)
    if expected <= 0:
        return OnsetCheck(len(p), observed, expected, low, high, None, None, None)
    o_low, o_high = poisson_interval(observed)
    return OnsetCheck(len(p), observed, expected, low, high, observed / expected, o_low / expected, o_high / expected)


@dataclass(frozen=True)
class RealisedAuc:
    """ROC AUC against the onsets, or why it is not given."""

    auc: float | None
    low: float | None
    high: float | None
    note: str | None


def realised_auc(risks: np.ndarray, onsets: np.ndarray, min_onsets: int) -> RealisedAuc:
    """ROC AUC with a 95% interval from the Hanley-McNeil standard error, once there are ``min_onsets`` onsets:
    below that the AUC swings too much between samples to say anything."""
    y = np.asarray(onsets, dtype="float64")
    positives = int(y.sum())
    negatives = len(y) - positives
    if positives < min_onsets:
        return RealisedAuc(None, None, None, f"{positives} onsets; the ROC AUC needs at least {min_onsets}")
    if negatives == 0:
        return RealisedAuc(None, None, None, "every prediction was followed by an onset; the ROC AUC needs both")
    auc = float(roc_auc_score(y, np.asarray(risks, dtype="float64")))
    # Hanley & McNeil (1982), Radiology 143:29-36, equations 1-2.
    q1, q2 = auc / (2 - auc), 2 * auc**2 / (1 + auc)
    variance = (auc * (1 - auc) + (positives - 1) * (q1 - auc**2) + (negatives - 1) * (q2 - auc**2)) / (
        positives * negatives
    )
    half = 1.96 * math.sqrt(max(variance, 0.0))
    return RealisedAuc(auc, max(0.0, auc - half), min(1.0, auc + half), None)

"""Calibration of predicted risks against observed onsets: ECE, calibration slope and intercept, observed/expected.

Seven-day risks are a few per thousand, so absolute calibration errors are tiny by construction; every error here is
also reported relative to the base rate (the mean observed rate), which is what a clinician reading "12%" cares about.
"""

from __future__ import annotations

import numpy as np

from training.evaluation.truth import soft_calibration

# The rule: a risk decile's observed/expected ratio is only judged when the decile holds this many onsets.
MIN_DECILE_EVENTS = 30


def _equal_count_bins(predicted: np.ndarray, bins: int) -> np.ndarray:
    # Equal-count bins: with rare events, equal-width bins leave nearly every row in the first bin.
    order = np.argsort(predicted, kind="stable")
    bin_of = np.empty(len(predicted), dtype=np.int64)
    bin_of[order] = np.minimum((np.arange(len(predicted)) * bins) // max(len(predicted), 1), bins - 1)
    return bin_of


def expected_calibration_error(observed: np.ndarray, predicted: np.ndarray, bins: int = 10) -> float:
    """Row-weighted mean |observed rate - mean prediction| over ``bins`` equal-count bins of the prediction."""
    y, p = np.asarray(observed, float), np.asarray(predicted, float)
    if len(y) == 0:
        return float("nan")
    bin_of = _equal_count_bins(p, bins)
    count = np.bincount(bin_of, minlength=bins)
    gap = np.abs(np.bincount(bin_of, y, bins) - np.bincount(bin_of, p, bins))
    return float(gap[count > 0].sum() / len(y))


def calibration_slope_intercept(observed: np.ndarray, predicted: np.ndarray) -> tuple[float, float]:
    """Logistic recalibration y ~ a + b * logit(p): slope b (1 is ideal; below 1 = too extreme) and intercept a."""
    # The soft-label fit with 0/1 labels is the unpenalised logistic regression, by a few Newton steps.
    return soft_calibration(np.asarray(observed, float), np.asarray(predicted, float))


def decile_observed_expected(observed: np.ndarray, predicted: np.ndarray) -> list[dict[str, float]]:
    """Per risk decile: rows, observed onsets, expected onsets (sum of risks) and their ratio."""
    y, p = np.asarray(observed, float), np.asarray(predicted, float)
    bin_of = _equal_count_bins(p, 10)
    out = []
    for decile in range(10):
        here = bin_of == decile
        events, expected = float(y[here].sum()), float(p[here].sum())
        out.append(
            {
                "decile": float(decile + 1),
                "rows": float(here.sum()),
                "mean_risk": float(p[here].mean()) if here.any() else 0.0,
                "events": events,
                "expected": expected,
                "observed_expected": events / expected if expected > 0 else float("nan"),
            }
        )
    return out


def calibration_metrics(observed: np.ndarray, predicted: np.ndarray, prefix: str = "") -> dict[str, float]:
    """ECE (absolute and / base rate), slope, intercept, and the worst observed/expected among judged deciles."""
    y = np.asarray(observed, float)
    base_rate = float(y.mean()) if len(y) else float("nan")
    ece = expected_calibration_error(y, predicted)
    slope, intercept = calibration_slope_intercept(y, predicted)
    judged = [
        d["observed_expected"] for d in decile_observed_expected(y, predicted) if d["events"] >= MIN_DECILE_EVENTS
    ]
    return {
        f"{prefix}ece": ece,
        f"{prefix}ece_relative": ece / base_rate if base_rate > 0 else float("nan"),
        f"{prefix}calibration_slope": slope,
        f"{prefix}calibration_intercept": intercept,
        f"{prefix}deciles_judged": float(len(judged)),
        f"{prefix}decile_oe_min": float(min(judged)) if judged else float("nan"),
        f"{prefix}decile_oe_max": float(max(judged)) if judged else float("nan"),
    }

"""Metrics against the simulator's true risk: every test row's true probability of onset is a soft label.

Realised onsets are rare Bernoulli draws of the true risk, so metrics on them are noisy even with thousands of onsets.
Scoring against the true probability itself removes that draw: the expected ROC AUC weights each pair of rows
(i, j) by p_i (1 - p_j), the chance that i is injured and j not; the expected Brier score and log loss are the mean
losses over the onset draws; calibration compares the mean predicted with the mean true risk per decile.
"""

from __future__ import annotations

import numpy as np
from scipy.special import expit

_EPS = 1e-12
# The target: the mean true risk of every predicted-risk decile within +-10% of the mean predicted risk.
DECILE_TOLERANCE = 0.10


class ExpectedAuc:
    """ROC AUC with soft labels under row weights: the sort is done once, each call is O(n).

    A pair (i, j) of distinct rows weighs w_i w_j p_i (1 - p_j) and counts 1 if i ranks above j, 1/2 on a tie. A
    weight is a multiplicity (an athlete drawn twice by the bootstrap), so a row is never paired with itself. With 0/1
    labels this is the ordinary weighted ROC AUC.
    """

    def __init__(self, truth: np.ndarray, predicted: np.ndarray) -> None:
        order = np.argsort(np.asarray(predicted), kind="stable")
        ranked = np.asarray(predicted)[order]
        self._order = order
        self._group = np.concatenate([[0], np.cumsum(ranked[1:] != ranked[:-1])]).astype(np.int64)
        self._p = np.asarray(truth, float)[order]

    def __call__(self, weight: np.ndarray | None = None) -> float:
        if len(self._p) == 0:
            return float("nan")
        w = np.ones(len(self._p)) if weight is None else np.asarray(weight, float)[self._order]
        groups = int(self._group[-1]) + 1
        positive = np.bincount(self._group, w * self._p, groups)
        negative = np.bincount(self._group, w * (1.0 - self._p), groups)
        self_pairs = float((w * self._p * (1.0 - self._p)).sum())
        total = float(positive.sum() * negative.sum()) - self_pairs
        if total <= 0:
            return float("nan")
        below = np.cumsum(negative) - negative
        return float(((positive * (below + 0.5 * negative)).sum() - 0.5 * self_pairs) / total)


def expected_auc(truth: np.ndarray, predicted: np.ndarray) -> float:
    return ExpectedAuc(truth, predicted)()


def expected_brier(truth: np.ndarray, predicted: np.ndarray, weight: np.ndarray | None = None) -> float:
    """Mean over rows of E[(Y - q)^2] with Y ~ Bernoulli(p): (q - p)^2 + p (1 - p)."""
    p, q = np.asarray(truth, float), np.asarray(predicted, float)
    return float(np.average((q - p) ** 2 + p * (1.0 - p), weights=weight)) if len(p) else float("nan")


def expected_log_loss(truth: np.ndarray, predicted: np.ndarray) -> float:
    """Mean over rows of E[-log likelihood of Y] with Y ~ Bernoulli(p)."""
    p, q = np.asarray(truth, float), np.clip(np.asarray(predicted, float), _EPS, 1 - _EPS)
    return float(-(p * np.log(q) + (1.0 - p) * np.log1p(-q)).mean()) if len(p) else float("nan")


def soft_calibration(truth: np.ndarray, predicted: np.ndarray, iterations: int = 50) -> tuple[float, float]:
    """Logistic recalibration of soft labels, p ~ sigmoid(a + b logit(q)), by Newton's method: slope b and intercept
    a. A true risk against itself gives (1, 0); b below 1 means the predictions spread too far."""
    p = np.asarray(truth, float)
    q = np.clip(np.asarray(predicted, float), 1e-9, 1 - 1e-9)
    if len(p) == 0 or np.ptp(q) == 0 or not 0 < p.sum() < len(p):
        return float("nan"), float("nan")
    x = np.log(q / (1 - q))
    design = np.column_stack([np.ones_like(x), x])

    def loss(beta: np.ndarray) -> float:
        z = design @ beta
        return float((np.logaddexp(0.0, z) - p * z).sum())

    beta, current = np.array([0.0, 1.0]), loss(np.array([0.0, 1.0]))
    for _ in range(iterations):
        fitted = expit(design @ beta)
        gradient = design.T @ (p - fitted)
        curvature = (design * (fitted * (1 - fitted))[:, None]).T @ design + 1e-12 * np.eye(2)
        step = np.linalg.solve(curvature, gradient)
        # Halve a step that does not lower the loss: a plain Newton step overshoots from far-off starts.
        while loss(beta + step) > current and np.abs(step).max() > 1e-12:
            step = step / 2
        beta = beta + step
        previous, current = current, loss(beta)
        if previous - current < 1e-12 * max(abs(previous), 1.0):
            break
    return float(beta[1]), float(beta[0])


def truth_deciles(truth: np.ndarray, predicted: np.ndarray, bins: int = 10) -> list[dict[str, float]]:
    """Per equal-count bin of the predicted risk: rows, mean predicted risk, mean true risk and true / predicted."""
    p, q = np.asarray(truth, float), np.asarray(predicted, float)
    order = np.argsort(q, kind="stable")
    bin_of = np.empty(len(q), dtype=np.int64)
    bin_of[order] = np.minimum((np.arange(len(q)) * bins) // max(len(q), 1), bins - 1)
    rows = np.bincount(bin_of, minlength=bins).astype(float)
    predicted_sum = np.bincount(bin_of, q, bins)
    true_sum = np.bincount(bin_of, p, bins)
    out = []
    for b in range(bins):
        here = rows[b] > 0
        out.append(
            {
                "decile": float(b + 1),
                "rows": rows[b],
                "mean_predicted": predicted_sum[b] / rows[b] if here else float("nan"),
                "mean_true": true_sum[b] / rows[b] if here else float("nan"),
                "true_predicted": true_sum[b] / predicted_sum[b] if here and predicted_sum[b] > 0 else float("nan"),
            }
        )
    return out


def truth_metrics(truth: np.ndarray, predicted: np.ndarray, prefix: str = "") -> dict[str, float]:
    """Every metric against the true risk, as MLflow metrics under ``prefix``."""
    p, q = np.asarray(truth, float), np.asarray(predicted, float)
    slope, intercept = soft_calibration(p, q)
    ratios = [d["true_predicted"] for d in truth_deciles(p, q) if not np.isnan(d["true_predicted"])]
    return {
        f"{prefix}expected_auc": expected_auc(p, q),
        f"{prefix}expected_brier": expected_brier(p, q),
        f"{prefix}expected_log_loss": expected_log_loss(p, q),
        f"{prefix}truth_rmse": float(np.sqrt(np.mean((q - p) ** 2))) if len(p) else float("nan"),
        f"{prefix}truth_calibration_slope": slope,
        f"{prefix}truth_calibration_intercept": intercept,
        f"{prefix}truth_expected_ratio": float(p.sum() / q.sum()) if q.sum() > 0 else float("nan"),
        f"{prefix}truth_decile_ratio_min": float(min(ratios)) if ratios else float("nan"),
        f"{prefix}truth_decile_ratio_max": float(max(ratios)) if ratios else float("nan"),
        f"{prefix}truth_deciles_within_10pct": float(sum(abs(r - 1.0) <= DECILE_TOLERANCE for r in ratios)),
    }

"""Metrics of predicted risks against observed onsets, for the model and every reference predictor."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from sklearn.metrics import average_precision_score, brier_score_loss, roc_auc_score

from training.evaluation.bootstrap import WeightedAuc, athlete_intervals
from training.evaluation.calibration import calibration_metrics
from training.evaluation.truth import ExpectedAuc, expected_brier, truth_metrics
from training.model.horizons import LONG_HORIZON_DAYS


def risk_metrics(observed: np.ndarray, predicted: np.ndarray, prefix: str = "") -> dict[str, float]:
    """ROC AUC, PR AUC, Brier score, event count and observed/expected ratio; AUCs are NaN with a single class."""
    observed = np.asarray(observed, dtype=float)
    predicted = np.asarray(predicted, dtype=float)
    both_classes = 0 < observed.sum() < len(observed)
    return {
        f"{prefix}roc_auc": float(roc_auc_score(observed, predicted)) if both_classes else float("nan"),
        f"{prefix}pr_auc": float(average_precision_score(observed, predicted)) if both_classes else float("nan"),
        f"{prefix}brier": float(brier_score_loss(observed, predicted)) if len(observed) else float("nan"),
        f"{prefix}positive_days": float(observed.sum()),
        f"{prefix}observed_expected": float(observed.sum() / predicted.sum()) if predicted.sum() > 0 else float("nan"),
    }


# Predictors scored side by side; "model" is ours, the rest are the references of the model card.
PREDICTORS = ("model", "oracle", "oracle_fair", "logistic", "acwr", "base_rate")


def metric_prefix(predictor: str, kind: str) -> str:
    """MLflow metric prefix: ``<kind>_`` for the model (the names the API has always shown), else
    ``<predictor>_<kind>_``."""
    return f"{kind}_" if predictor == "model" else f"{predictor}_{kind}_"


def long_horizon_name(kind: str) -> str:
    """What the 28-day figures of ``kind`` are logged under, in place of ``kind``: ``pfps_28d_expected_auc``,
    ``oracle_fair_pfps_28d_expected_auc``, ..."""
    return f"{kind}_{LONG_HORIZON_DAYS}d"


def evaluate_injury(
    kind: str,
    observed: np.ndarray,
    predictions: dict[str, np.ndarray],
    athlete_codes: np.ndarray,
    replicates: int,
    seed: int,
    truth: np.ndarray | None = None,
    interval_rows: int | None = None,
    headline_intervals: bool = False,
) -> dict[str, float]:
    """All metrics of every predictor on the same rows, against realised onsets and (given ``truth``, the true risk
    of each row) against the truth, plus athlete-bootstrap 95% intervals of the headline figures: expected ROC AUC
    of every ranking predictor, the model's expected-AUC gap to the fair oracle and its expected Brier score; the
    model's realised ROC AUC and Brier score, each oracle's ROC AUC and the model's AUC gap to each oracle.
    ``interval_rows``: above this many rows, intervals come from every k-th row only (point estimates never).
    ``headline_intervals``: intervals of the model's expected and realised ROC AUC and its expected-AUC gap to the
    fair oracle only, at a third of the cost per resample."""
    metrics: dict[str, float] = {}
    for name, predicted in predictions.items():
        prefix = metric_prefix(name, kind)
        metrics.update(risk_metrics(observed, predicted, prefix=prefix))
        metrics.update(calibration_metrics(observed, predicted, prefix=prefix))
        if truth is not None:
            metrics.update(truth_metrics(truth, predicted, prefix=prefix))
    if truth is not None and "oracle_fair" in predictions:
        metrics[f"{kind}_expected_auc_gap_to_oracle_fair"] = (
            metrics[f"{kind}_expected_auc"] - metrics[f"oracle_fair_{kind}_expected_auc"]
        )
    if replicates <= 0:
        return metrics
    # Intervals from every stride-th row of each athlete when there are many rows: consecutive days of an athlete
    # carry nearly the same information, and each resample then costs a fraction of the time.
    stride = max(-(-len(observed) // interval_rows), 1) if interval_rows else 1
    thin = np.arange(len(observed)) % stride == 0
    y, codes = observed[thin], athlete_codes[thin]
    thinned = {name: p[thin] for name, p in predictions.items()}
    statistics: dict[str, Callable[[np.ndarray], float]] = {}
    differences: dict[str, tuple[str, str]] = {}
    if truth is not None:
        p = truth[thin]
        ranked = (
            ("model", "oracle_fair") if headline_intervals else ("model", "oracle", "oracle_fair", "logistic", "acwr")
        )
        for name in ranked:
            if name in thinned:
                statistics[f"{metric_prefix(name, kind)}expected_auc"] = ExpectedAuc(p, thinned[name])
        if "oracle_fair" in thinned:
            differences[f"{kind}_expected_auc_gap_to_oracle_fair"] = (
                f"{kind}_expected_auc",
                f"oracle_fair_{kind}_expected_auc",
            )
        if not headline_intervals:
            statistics[f"{kind}_expected_brier"] = lambda w: expected_brier(p, thinned["model"], w)
    if 0 < y.sum() < len(y):
        statistics[f"{kind}_roc_auc"] = WeightedAuc(y, thinned["model"])
    if 0 < y.sum() < len(y) and not headline_intervals:
        statistics[f"{kind}_brier"] = lambda w: float(np.average((y - thinned["model"]) ** 2, weights=w))
        for oracle in ("oracle", "oracle_fair"):
            if oracle in thinned:
                statistics[f"{oracle}_{kind}_roc_auc"] = WeightedAuc(y, thinned[oracle])
                differences[f"{kind}_auc_gap_to_{oracle}"] = (f"{kind}_roc_auc", f"{oracle}_{kind}_roc_auc")
    # The same seed for every statistic: each interval comes from the same athlete resamples.
    for name, (low, high) in athlete_intervals(codes, statistics, replicates, seed, differences).items():
        metrics[f"{name}_ci_low"], metrics[f"{name}_ci_high"] = low, high
    for oracle in ("oracle", "oracle_fair"):
        if f"{oracle}_{kind}_roc_auc" in metrics:
            metrics[f"{kind}_auc_gap_to_{oracle}"] = metrics[f"{kind}_roc_auc"] - metrics[f"{oracle}_{kind}_roc_auc"]
    return metrics


def metrics_table(metrics: dict[str, float], kinds: tuple[str, ...]) -> list[dict[str, object]]:
    """One row per injury and predictor with the headline metrics: the table of the model card."""
    columns = (
        "expected_auc",
        "expected_brier",
        "truth_calibration_slope",
        "truth_expected_ratio",
        "truth_decile_ratio_min",
        "truth_decile_ratio_max",
        "roc_auc",
        "pr_auc",
        "brier",
        "ece",
        "ece_relative",
        "calibration_slope",
        "calibration_intercept",
        "observed_expected",
        "decile_oe_min",
        "decile_oe_max",
        "positive_days",
    )
    rows = []
    for kind in kinds:
        for name in PREDICTORS:
            prefix = metric_prefix(name, kind)
            if f"{prefix}roc_auc" in metrics or f"{prefix}brier" in metrics:
                rows.append(
                    {
                        "injury": kind,
                        "predictor": name,
                        **{c: metrics.get(f"{prefix}{c}", float("nan")) for c in columns},
                    }
                )
    return rows

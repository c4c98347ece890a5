"""Metrics of predicted risks against observed onsets, for the model and every reference predictor."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from sklearn.metrics import average_precision_score, brier_score_loss, roc_auc_score

from training.evaluation.bootstrap import WeightedAuc, athlete_bootstrap
from training.evaluation.calibration import calibration_metrics


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


def evaluate_injury(
    kind: str,
    observed: np.ndarray,
    predictions: dict[str, np.ndarray],
    athlete_codes: np.ndarray,
    replicates: int,
    seed: int,
) -> dict[str, float]:
    """All metrics of every predictor on the same rows, plus athlete-bootstrap 95% intervals of the model's ROC AUC
    and Brier score, of each oracle's ROC AUC and of the model's AUC gap to each oracle."""
    metrics: dict[str, float] = {}
    for name, predicted in predictions.items():
        prefix = metric_prefix(name, kind)
        metrics.update(risk_metrics(observed, predicted, prefix=prefix))
        metrics.update(calibration_metrics(observed, predicted, prefix=prefix))
    if not 0 < observed.sum() < len(observed) or replicates <= 0:
        return metrics

    def auc(predicted: np.ndarray) -> Callable[[np.ndarray], float]:
        return WeightedAuc(observed, predicted)

    def auc_gap(ours: np.ndarray, theirs: np.ndarray) -> Callable[[np.ndarray], float]:
        ours_auc, theirs_auc = auc(ours), auc(theirs)
        return lambda w: ours_auc(w) - theirs_auc(w)

    model = predictions["model"]
    intervals: dict[str, Callable[[np.ndarray], float]] = {
        f"{kind}_roc_auc": auc(model),
        f"{kind}_brier": lambda w: float(np.average((observed - model) ** 2, weights=w)),
    }
    for oracle in ("oracle", "oracle_fair"):
        if oracle in predictions:
            intervals[f"{oracle}_{kind}_roc_auc"] = auc(predictions[oracle])
            intervals[f"{kind}_auc_gap_to_{oracle}"] = auc_gap(model, predictions[oracle])
    for name, statistic in intervals.items():
        # The same seed for every statistic: each interval comes from the same athlete resamples.
        low, high = athlete_bootstrap(athlete_codes, statistic, replicates, seed)
        metrics[f"{name}_ci_low"], metrics[f"{name}_ci_high"] = low, high
    for oracle in ("oracle", "oracle_fair"):
        if f"{oracle}_{kind}_roc_auc" in metrics:
            metrics[f"{kind}_auc_gap_to_{oracle}"] = metrics[f"{kind}_roc_auc"] - metrics[f"{oracle}_{kind}_roc_auc"]
    return metrics


def metrics_table(metrics: dict[str, float], kinds: tuple[str, ...]) -> list[dict[str, object]]:
    """One row per injury and predictor with the headline metrics: the table of the model card."""
    columns = (
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

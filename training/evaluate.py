"""Metrics of predicted risks against observed onsets."""

from __future__ import annotations

import numpy as np
from sklearn.metrics import average_precision_score, brier_score_loss, roc_auc_score


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

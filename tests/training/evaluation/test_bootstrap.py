"""Athlete bootstrap and the weighted ROC AUC it uses."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.metrics import roc_auc_score

from training.evaluation.bootstrap import WeightedAuc, athlete_bootstrap


def test_weighted_auc_matches_sklearn_with_ties_and_weights():
    rng = np.random.default_rng(3)
    predicted = np.round(rng.random(5000), 2)  # many ties
    observed = (rng.random(5000) < predicted * 0.3).astype(float)
    weight = rng.integers(0, 4, 5000).astype(float)
    assert WeightedAuc(observed, predicted)(weight) == pytest.approx(
        roc_auc_score(observed, predicted, sample_weight=weight)
    )


def test_interval_narrows_with_more_athletes():
    rng = np.random.default_rng(0)

    def width(athletes: int) -> float:
        codes = np.repeat(np.arange(athletes), 20)
        values = rng.normal(size=athletes)[codes]
        low, high = athlete_bootstrap(codes, lambda w: float(np.average(values, weights=w)), 200, seed=1)
        return high - low

    assert width(2000) < width(50) / 3

"""Baselines the model is compared with."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from training.evaluation.baselines import AcwrRule, LogisticBaseline, acwr_band


def test_acwr_rule_predicts_each_band_its_training_onset_rate():
    acwr = pd.Series([0.5, 0.5, 1.0, 1.0, 1.4, 2.0, 2.0, np.nan])
    observed = np.array([0, 0, 0, 1, 0, 1, 1, 0])
    rule = AcwrRule.fit(acwr, observed)
    assert list(acwr_band(acwr)) == [0, 0, 1, 1, 2, 3, 3, 4]
    assert list(rule.predict(pd.Series([0.1, 1.1, 1.45, 3.0, np.nan]))) == [0.0, 0.5, 0.0, 1.0, 0.0]


def test_logistic_baseline_fills_missing_values_with_training_medians():
    rng = np.random.default_rng(0)
    rows = pd.DataFrame({"x": rng.normal(size=2000), "z": rng.normal(size=2000)})
    observed = (rng.random(2000) < 1 / (1 + np.exp(-2 * rows["x"]))).astype(int)
    model = LogisticBaseline.fit(rows, observed, np.ones(2000), ["x", "z"])
    high, missing = model.predict(pd.DataFrame({"x": [2.0, np.nan], "z": [0.0, 0.0]}))
    assert high > 0.9
    assert missing == pytest.approx(0.5, abs=0.1)

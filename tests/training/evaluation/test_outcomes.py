"""Onsets against predicted risks: the Poisson-binomial range, the exact Poisson interval and the realised AUC."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.stats import binom, poisson
from sklearn.metrics import roc_auc_score

from training.evaluation import outcomes
from training.evaluation.outcomes import count_distribution, expected_range, onset_check, poisson_interval, realised_auc


def test_equal_risks_give_the_binomial_count():
    distribution = count_distribution(np.full(50, 0.1))
    assert distribution == pytest.approx(binom.pmf(np.arange(len(distribution)), 50, 0.1), abs=1e-12)
    assert expected_range(np.full(50, 0.1)) == tuple(int(q) for q in binom.ppf([0.025, 0.975], 50, 0.1))


def test_the_normal_approximation_agrees_with_the_exact_range_for_many_risks(monkeypatch: pytest.MonkeyPatch):
    risks = np.random.default_rng(3).uniform(0.0, 0.02, 5000)
    exact = expected_range(risks)
    monkeypatch.setattr(outcomes, "EXACT_ROWS", 100)
    approximate = expected_range(risks)
    assert abs(exact[0] - approximate[0]) <= 2 and abs(exact[1] - approximate[1]) <= 2


def test_poisson_interval_holds_the_mean_for_95_percent_of_counts():
    # Exact intervals cover at least their level for every mean.
    for mean in (0.5, 3.0, 12.0):
        counts = np.arange(0, 80)
        covered = [low <= mean <= high for low, high in map(poisson_interval, counts)]
        assert float(poisson.pmf(counts, mean)[covered].sum()) >= 0.95


def test_onset_check_counts_onsets_and_divides_by_the_sum_of_risks():
    check = onset_check(np.array([0.1, 0.2, 0.3, 0.4]), np.array([0, 1, 1, 0]))
    assert (check.predictions, check.onsets) == (4, 2)
    assert check.expected_onsets == pytest.approx(1.0)
    assert check.observed_expected == pytest.approx(2.0)
    assert check.observed_expected_low < 2.0 < check.observed_expected_high
    assert check.within_expected


def test_realised_auc_waits_for_enough_onsets_and_then_equals_sklearns():
    rng = np.random.default_rng(5)
    risks = rng.uniform(0, 0.2, 2000)
    onsets = (rng.random(2000) < risks).astype(float)
    few = realised_auc(risks, onsets, min_onsets=int(onsets.sum()) + 1)
    assert few.auc is None and few.note is not None and f"{int(onsets.sum())} onsets" in few.note
    enough = realised_auc(risks, onsets, min_onsets=30)
    assert enough.auc == pytest.approx(roc_auc_score(onsets, risks))
    assert enough.low < enough.auc < enough.high

"""Quantile bins of a training population and the population stability index against them."""

from __future__ import annotations

import numpy as np
import pytest

from tests.conftest import Trained
from training.evaluation.drift import FeatureBins, feature_bins, feature_psi, population_stability
from training.features import FEATURES


def test_a_sample_of_the_same_population_is_stable_and_a_doubled_one_is_not():
    rng = np.random.default_rng(2)
    training = feature_bins(rng.gamma(2.0, 15.0, 50_000))
    assert feature_psi(training, rng.gamma(2.0, 15.0, 2000)) < 0.05
    assert feature_psi(training, 2 * rng.gamma(2.0, 15.0, 2000)) > 0.5


def test_tied_values_share_one_bin_and_missing_values_have_their_own():
    values = np.array([0.0] * 70 + list(np.linspace(1, 30, 20)) + [np.nan] * 10)
    bins = feature_bins(values)
    assert bins.shares[0] == pytest.approx(0.7)  # every 0 in the first bin
    assert bins.shares[-1] == pytest.approx(0.1)
    assert sum(bins.shares) == pytest.approx(1.0)
    assert FeatureBins.from_dict(bins.as_dict()) == bins


def test_more_missing_values_than_in_training_count_as_drift():
    training = feature_bins(np.r_[np.arange(100.0), [np.nan] * 5])
    assert feature_psi(training, np.r_[np.arange(100.0), [np.nan] * 100]) > 0.2


def test_identical_shares_give_zero_and_empty_bins_stay_finite():
    assert population_stability(np.array([0.5, 0.5]), np.array([0.5, 0.5])) == 0.0
    assert np.isfinite(population_stability(np.array([1.0, 0.0]), np.array([0.0, 1.0])))


def test_training_saves_every_features_distribution_with_the_model(trained: Trained):
    saved = trained.result.model.feature_distribution
    assert list(saved) == FEATURES
    for stored in saved.values():
        assert len(stored["shares"]) == len(stored["edges"]) + 2
        assert sum(stored["shares"]) == pytest.approx(1.0)

"""The directions clinicians rely on hold in a trained model, whatever the other features."""

from __future__ import annotations

import numpy as np
import pytest

from tests.conftest import Trained
from training.domain.schema import INJURIES
from training.features import FEATURES, STRENGTH_FEATURES
from training.fitting.labels import labelled_rows
from training.fitting.monotone import monotonicity


@pytest.fixture(scope="module")
def rows(trained: Trained):
    rows = labelled_rows(trained.simulation, trained.settings.horizon_days, warmup_days=42)
    return rows.sample(60, random_state=3)[FEATURES].reset_index(drop=True)


def test_every_injury_constrains_strength_spikes_and_its_own_prior_injury():
    for kind in INJURIES:
        directions = monotonicity(kind)
        assert all(f in directions for f in STRENGTH_FEATURES)
        assert directions["longest_run_spike_pct"] == 1
        assert directions[f"prior_{kind}"] == 1 and directions[f"days_since_{kind}"] == -1


@pytest.mark.parametrize("kind", INJURIES)
def test_risk_moves_only_in_the_constrained_direction(trained: Trained, rows, kind: str):
    classifier = trained.result.model.classifiers[kind]
    for feature, direction in monotonicity(kind).items():
        seen = rows[feature].dropna()
        grid = np.unique(np.quantile(seen, np.linspace(0, 1, 12))) if len(seen) else np.array([0.0, 1.0, 10.0])
        grid = np.concatenate([grid, [grid[-1] * 2 + 100]])  # past the largest value seen
        risks = []
        for value in grid:
            varied = rows.copy()
            varied[feature] = value
            risks.append(classifier.probability(varied))
        steps = np.diff(np.array(risks), axis=0) * direction
        assert (steps >= -1e-12).all(), f"{kind} risk moved against {feature} ({direction:+d})"

"""The leak guards of a training run: the permuted-label fit learns from the permuted labels only, never from the
true risk that soft-label fits otherwise read from the rows."""

from __future__ import annotations

import pandas as pd

from tests.conftest import TEST_TRAINING, Trained
from training.fitting.guards import guard_training_run
from training.fitting.labels import labelled_rows
from training.fitting.train import fit_classifier, split_rows
from training.model.risk_model import InjuryClassifier


def test_the_permuted_label_fit_never_sees_the_true_risk(trained: Trained):
    config = TEST_TRAINING.model_copy(update={"soft_labels": True})
    horizon = trained.settings.horizon_days
    parts = split_rows(labelled_rows(trained.simulation, horizon, config.warmup_days), config, horizon)
    assert any(c.startswith("oracle_") for c in parts["train"].columns)  # the truth is in the run's rows
    seen: list[str] = []

    def fit(train: pd.DataFrame, calibration: pd.DataFrame, kind: str) -> InjuryClassifier:
        seen.extend(c for c in (*train.columns, *calibration.columns) if c.startswith("oracle"))
        return fit_classifier(train, calibration, kind, config)

    metrics = guard_training_run(trained.simulation.cohort, parts, fit, config.seed, horizon)
    assert seen == []
    assert set(metrics) >= {f"leak_guard_permuted_auc_{k}" for k in ("pfps", "mtss", "hamstring", "achilles")}

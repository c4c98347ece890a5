"""The leak guards of a training run on simulated athletes: look-ahead, single features and permuted labels per injury.

The fit is passed in (the run's own learner) so that the permuted-label model is fitted exactly as the real one."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd

from training.domain.schema import INJURIES, Cohort
from training.evaluation.leak_guards import (
    check_no_look_ahead,
    check_permuted_labels,
    check_single_features,
    enough_onsets,
)
from training.features import FEATURES
from training.fitting.labels import label_column
from training.model.risk_model import InjuryClassifier

Fit = Callable[[pd.DataFrame, pd.DataFrame, str], InjuryClassifier]


def guard_training_run(
    cohort: Cohort, parts: dict[str, pd.DataFrame], fit: Fit, seed: int, horizon_days: int
) -> dict[str, float]:
    """Run every guard on the run's rows (``parts``: train, calibration, test); LeakError stops the run. Returns the
    figures the guards saw, as metrics."""
    test = parts["test"]
    metrics = {"leak_guard_look_ahead_rows": float(check_no_look_ahead(cohort, test, FEATURES, seed))}
    for kind in INJURIES:
        label = label_column(kind)
        scored = test.dropna(subset=[label])
        y = scored[label].to_numpy(dtype=int)
        aucs = check_single_features(scored, y, FEATURES, f"{kind} test rows", cluster=horizon_days)
        metrics[f"leak_guard_max_single_auc_{kind}"] = max(aucs.values(), default=float("nan"))
        metrics[f"leak_guard_single_judged_{kind}"] = float(enough_onsets(y, horizon_days))
        train, calibration = parts["train"].dropna(subset=[label]), parts["calibration"].dropna(subset=[label])
        metrics[f"leak_guard_permuted_auc_{kind}"] = check_permuted_labels(
            _permuted_fit(fit, train, calibration, scored, kind, seed),
            train[label].to_numpy(),
            y,
            f"{kind} test rows",
            seed,
            cluster=horizon_days,
        )
    return metrics


def _permuted_fit(
    fit: Fit, train: pd.DataFrame, calibration: pd.DataFrame, test: pd.DataFrame, kind: str, seed: int
) -> Callable[[np.ndarray], np.ndarray]:
    """Fit on the training rows with the labels given (calibration labels permuted too) and score the test rows."""
    label = label_column(kind)
    rng = np.random.default_rng([seed, INJURIES.index(kind)])

    # The true risk is a soft label of the fit where rows carry it: the permuted fit gets the permuted labels only.
    truth = [c for c in train.columns if c.startswith("oracle")]
    train, calibration = train.drop(columns=truth), calibration.drop(columns=truth, errors="ignore")

    def fit_and_score(labels: np.ndarray) -> np.ndarray:
        shuffled = calibration.assign(**{label: rng.permutation(calibration[label].to_numpy())})
        return fit(train.assign(**{label: labels}), shuffled, kind).probability(test[FEATURES])

    return fit_and_score

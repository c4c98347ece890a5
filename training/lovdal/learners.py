"""The learners compared on the Lövdal cohort: the product's own pipeline and three baselines, each as
``fit(rows, y, groups, seed) -> score(rows)`` so that every protocol (paper split, grouped CV, permuted labels) fits
them the same way.

- ``product``: the product's features of each row (``row_logs``) and its learner (``fit_classifier``: gradient-boosted
  trees with the strength monotonicity, Platt-calibrated on a fifth of the training athletes).
- ``raw_trees``: the same kind of trees on the file's 70 raw window columns, class-balanced (the earlier protocol).
- ``logistic``: logistic regression on the standardised 70 raw columns, class-balanced.
- ``bagged``: paper-like (Lövdal et al. 2021): an ensemble of trees, each fitted on every injury row and as many
  randomly drawn healthy rows (balanced undersampling), probabilities averaged.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd
from sklearn.ensemble import HistGradientBoostingClassifier

from training.evaluation.baselines import LogisticBaseline
from training.features import FEATURES
from training.fitting.labels import label_column
from training.fitting.train import TrainingConfig, fit_classifier
from training.lovdal.importer import METRICS, WINDOW_DAYS, column

RAW_COLUMNS = [column(m, d) for d in range(WINDOW_DAYS) for m in METRICS]
KIND = "any"  # the file does not say which injury
LABEL = label_column(KIND)
# Fixed before looking at any test figure: the product's tree shape (4 leaves, which its scoring kernel is built for)
# with the raw-column trees' rate, rounds and regularisation. Every row is kept: 40,000 rows need no subsampling.
PRODUCT_TRAINING = TrainingConfig(
    negative_fraction=1.0,
    max_iter=200,
    learning_rate=0.05,
    max_leaf_nodes=4,
    min_samples_leaf=50,
    l2_regularization=1.0,
)
_CALIBRATION_SHARE = 0.2
_BAGS = 10

Scorer = Callable[[pd.DataFrame], np.ndarray]
Fit = Callable[[pd.DataFrame, np.ndarray, np.ndarray, int], Scorer]


@dataclass(frozen=True)
class Learner:
    name: str
    about: str
    fit: Fit


def _balanced(y: np.ndarray) -> np.ndarray:
    return np.where(y == 1, (y == 0).sum() / max(int(y.sum()), 1), 1.0)


def _trees(seed: int, max_iter: int = 200) -> HistGradientBoostingClassifier:
    return HistGradientBoostingClassifier(
        max_iter=max_iter,
        learning_rate=0.05,
        max_leaf_nodes=8,
        min_samples_leaf=50,
        l2_regularization=1.0,
        random_state=seed,
    )


def fit_product(rows: pd.DataFrame, y: np.ndarray, groups: np.ndarray, seed: int) -> Scorer:
    athletes = np.unique(groups)
    rng = np.random.default_rng(seed)
    calibration_athletes = rng.choice(athletes, max(1, int(len(athletes) * _CALIBRATION_SHARE)), replace=False)
    held = np.isin(groups, calibration_athletes)
    # A column without any known value (28-day windows, profiles) carries nothing, but scikit-learn's binning fails on
    # it: a constant stands in while fitting; trees never split on it, so its NaN at scoring time changes nothing.
    features = rows[FEATURES].astype("float64")
    empty = [name for name in FEATURES if features[name].isna().all()]
    labelled = features.assign(**dict.fromkeys(empty, 0.0), **{LABEL: y})
    config = PRODUCT_TRAINING.model_copy(update={"seed": seed})
    classifier = fit_classifier(labelled[~held], labelled[held], KIND, config)
    return lambda test: classifier.probability(test[FEATURES].astype("float64"))


def fit_raw_trees(rows: pd.DataFrame, y: np.ndarray, groups: np.ndarray, seed: int) -> Scorer:
    trees = _trees(seed).fit(rows[RAW_COLUMNS], y, sample_weight=_balanced(y))
    return lambda test: trees.predict_proba(test[RAW_COLUMNS])[:, 1]


def fit_logistic(rows: pd.DataFrame, y: np.ndarray, groups: np.ndarray, seed: int) -> Scorer:
    model = LogisticBaseline.fit(rows, y, _balanced(y), RAW_COLUMNS)
    return model.predict


def fit_bagged(rows: pd.DataFrame, y: np.ndarray, groups: np.ndarray, seed: int) -> Scorer:
    rng = np.random.default_rng(seed)
    positive, negative = np.flatnonzero(y == 1), np.flatnonzero(y == 0)
    members = []
    for bag in range(_BAGS):
        drawn = np.concatenate([positive, rng.choice(negative, len(positive), replace=False)])
        members.append(_trees(seed + bag, max_iter=100).fit(rows[RAW_COLUMNS].iloc[drawn], y[drawn]))
    return lambda test: np.mean([m.predict_proba(test[RAW_COLUMNS])[:, 1] for m in members], axis=0)


LEARNERS: tuple[Learner, ...] = (
    Learner(
        "product", "the product's features (each row a log from its window start) and calibrated trees", fit_product
    ),
    Learner("raw_trees", "the same trees on the file's 70 raw window columns, class-balanced", fit_raw_trees),
    Learner("logistic", "logistic regression on the standardised 70 raw columns, class-balanced", fit_logistic),
    Learner("bagged", f"paper-like: {_BAGS} trees on balanced undersamples of the 70 raw columns", fit_bagged),
)

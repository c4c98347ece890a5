"""The product's pipeline on real runners (Lövdal et al. 2021, day approach): the paper's split with a bootstrap
interval, grouped cross-validation by athlete, baselines, leak guards, and how a simulator-trained model transfers.

Figures (keys of ``LovdalValidation.metrics``), per learner of ``learners.LEARNERS``:
``<learner>_paper_roc_auc`` (+ ``_ci_low``/``_ci_high``: 95% athlete bootstrap) on the 10 most recently recruited
athletes, trained on the others; ``<learner>_cv_roc_auc_mean``/``_sd``/``_low``/``_high`` over the folds of a
``folds``-fold cross-validation grouped by athlete, repeated ``repeats`` times. ``transfer_paper_roc_auc`` (+ CI) and
``transfer_all_roc_auc``: a simulator-trained model's any-injury risk, 1 - prod_k (1 - p_k), on the same rows.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.metrics import roc_auc_score

from training.domain.schema import INJURIES
from training.evaluation.bootstrap import WeightedAuc, athlete_bootstrap
from training.evaluation.leak_guards import check_no_look_ahead, check_permuted_labels, check_single_features
from training.features import FEATURES
from training.lovdal.importer import paper_split, read_day_file
from training.lovdal.learners import LEARNERS, RAW_COLUMNS, Learner, fit_product
from training.lovdal.row_logs import row_cohort, row_features
from training.model.risk_model import InjuryRiskModel

PAPER_TEST_AUC = 0.724


@dataclass(frozen=True)
class LovdalValidation:
    metrics: dict[str, float]
    data: dict[str, object]


def any_injury_risk(model: InjuryRiskModel, rows: pd.DataFrame) -> np.ndarray:
    """Risk of any of the model's injuries: 1 - prod over injuries of (1 - p)."""
    risks = model.predict_risk(rows[FEATURES])
    return 1.0 - np.prod(1.0 - risks[list(INJURIES)].to_numpy(dtype="float64"), axis=1)


def validation_rows(frame: pd.DataFrame) -> pd.DataFrame:
    """Per file row: the product's features, the 70 raw columns, athlete and label."""
    features = row_features(frame)
    rows = pd.concat([features, frame[RAW_COLUMNS].astype("float64").reset_index(drop=True)], axis=1)
    rows["athlete"] = frame["Athlete ID"].to_numpy(dtype=int)
    rows["injury"] = frame["injury"].to_numpy(dtype=int)
    return rows


def validate_lovdal(
    path: Path,
    seed: int = 7,
    folds: int = 5,
    repeats: int = 3,
    replicates: int = 1000,
    transfer_model: InjuryRiskModel | None = None,
    learners: Sequence[Learner] = LEARNERS,
) -> LovdalValidation:
    """Every learner on the paper split and in grouped CV, after the leak guards; LeakError stops the run."""
    frame = read_day_file(path)
    rows = validation_rows(frame)
    y, groups = rows["injury"].to_numpy(), rows["athlete"].to_numpy()
    test = paper_split(frame)
    metrics, strongest = _guards(frame, rows, y, groups, test, seed)
    codes = pd.factorize(groups[test])[0]
    for learner in learners:
        scores = learner.fit(rows[~test], y[~test], groups[~test], seed)(rows[test])
        metrics.update(_auc_with_interval(f"{learner.name}_paper", y[test], scores, codes, replicates, seed))
        metrics.update(_cross_validated(learner, rows, y, groups, folds, repeats, seed))
    if transfer_model is not None:
        risk = any_injury_risk(transfer_model, rows)
        metrics.update(_auc_with_interval("transfer_paper", y[test], risk[test], codes, replicates, seed))
        metrics["transfer_all_roc_auc"] = float(roc_auc_score(y, risk))
    data = {
        "rows": len(rows),
        "injuries": int(y.sum()),
        "athletes": int(len(np.unique(groups))),
        "test_rows": int(test.sum()),
        "test_injuries": int(y[test].sum()),
        "folds": folds,
        "repeats": repeats,
        "strongest_single_feature": strongest,
    }
    return LovdalValidation(metrics=metrics, data=data)


def _guards(
    frame: pd.DataFrame, rows: pd.DataFrame, y: np.ndarray, groups: np.ndarray, test: np.ndarray, seed: int
) -> tuple[dict[str, float], str]:
    """Single features (product and raw) on the paper's test rows, look-ahead on the row logs, permuted labels; the
    guards' figures and the feature that came closest to the single-feature limit."""
    aucs = check_single_features(rows[test], y[test], [*FEATURES, *RAW_COLUMNS], "Lövdal paper-split test rows")
    worst = max(aucs, key=aucs.__getitem__) if aucs else ""
    cohort, _ = row_cohort(frame)
    checked = check_no_look_ahead(cohort, rows, FEATURES, seed)
    train = ~test

    def fit_and_score(labels: np.ndarray) -> np.ndarray:
        return fit_product(rows[train], labels, groups[train], seed)(rows[test])

    permuted = check_permuted_labels(fit_and_score, y[train], y[test], "Lövdal paper split", seed)
    figures = {
        "leak_guard_max_single_auc": aucs.get(worst, float("nan")),
        "leak_guard_look_ahead_rows": float(checked),
        "leak_guard_permuted_auc": permuted,
    }
    return figures, worst


def _auc_with_interval(
    prefix: str, y: np.ndarray, scores: np.ndarray, codes: np.ndarray, replicates: int, seed: int
) -> dict[str, float]:
    auc = float(roc_auc_score(y, scores))
    low, high = athlete_bootstrap(codes, WeightedAuc(y, scores), replicates, seed)
    return {f"{prefix}_roc_auc": auc, f"{prefix}_roc_auc_ci_low": low, f"{prefix}_roc_auc_ci_high": high}


def _cross_validated(
    learner: Learner, rows: pd.DataFrame, y: np.ndarray, groups: np.ndarray, folds: int, repeats: int, seed: int
) -> dict[str, float]:
    """ROC AUC of each held-out fold, athletes never split across folds, over ``repeats`` shuffles of the athletes."""
    athletes = np.unique(groups)
    aucs = []
    for repeat in range(repeats):
        order = np.random.default_rng([seed, repeat]).permutation(athletes)
        fold_of = dict(zip(order, np.arange(len(order)) % folds, strict=True))
        fold = np.array([fold_of[g] for g in groups])
        for k in range(folds):
            held = fold == k
            if not 0 < y[held].sum() < held.sum() or y[~held].sum() == 0:
                continue
            scores = learner.fit(rows[~held], y[~held], groups[~held], seed + repeat)(rows[held])
            aucs.append(float(roc_auc_score(y[held], scores)))
    values = np.array(aucs)
    prefix = f"{learner.name}_cv_roc_auc"
    if not len(values):
        return {f"{prefix}_mean": float("nan")}
    low, high = np.percentile(values, [2.5, 97.5])
    return {
        f"{prefix}_mean": float(values.mean()),
        f"{prefix}_sd": float(values.std(ddof=1)) if len(values) > 1 else 0.0,
        f"{prefix}_low": float(low),
        f"{prefix}_high": float(high),
        f"{prefix}_folds": float(len(values)),
    }

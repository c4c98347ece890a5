"""The paper's "any injury" protocol on a Lövdal day-approach file: train on all but the 10 most recently recruited
athletes, report ROC AUC on those 10 (Lövdal et al. 2021: 0.724 with bagged XGBoost)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.metrics import roc_auc_score

from training.lovdal.importer import paper_split, read_day_file, window_features

PAPER_TEST_AUC = 0.724


@dataclass(frozen=True)
class LovdalResult:
    test_roc_auc: float
    train_rows: int
    test_rows: int
    train_injuries: int
    test_injuries: int


def train_lovdal(path: Path, seed: int = 7) -> LovdalResult:
    """Gradient-boosted trees on the file's 70 window columns (the paper's inputs), with the paper's test split."""
    frame = read_day_file(path)
    test = paper_split(frame)
    x, y = window_features(frame), frame["injury"].to_numpy(dtype=int)
    if not 0 < y[~test].sum() < (~test).sum():
        raise ValueError(f"{path}: the training athletes need both injury and healthy rows")
    # Injury rows are rare (about 1.4% in the full file); balanced weights as the paper's undersampling does.
    weight = np.where(y[~test] == 1, (y[~test] == 0).sum() / max(y[~test].sum(), 1), 1.0)
    trees = HistGradientBoostingClassifier(
        max_iter=200,
        learning_rate=0.05,
        max_leaf_nodes=8,
        min_samples_leaf=50,
        l2_regularization=1.0,
        random_state=seed,
    )
    trees.fit(x[~test], y[~test], sample_weight=weight)
    scored = y[test]
    auc = (
        float(roc_auc_score(scored, trees.predict_proba(x[test])[:, 1]))
        if 0 < scored.sum() < len(scored)
        else float("nan")
    )
    return LovdalResult(auc, int((~test).sum()), int(test.sum()), int(y[~test].sum()), int(scored.sum()))

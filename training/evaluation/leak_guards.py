"""Leak guards: checks every training and evaluation run makes, which stop the run naming what gave the label away.

1. No single feature, its missingness included, ranks the test rows better than ``SINGLE_FEATURE_AUC_LIMIT`` ROC AUC.
   Real injury signal in training logs is weak (published models on real runners reach 0.6-0.75 with every feature
   together), so one feature far above that is a leak until shown otherwise: the classic one is a log whose unknown
   days are read as rest, where "no km in the week before" marks every injury row of the Lövdal file.
   ``ALLOWED_FEATURES`` is the documented allow-list: a feature may pass only with the reason written there.
2. No look-ahead: features of a day computed from the log cut off at the end of that day equal those computed from
   the whole log.
3. Permuted labels score chance: a model fitted to randomly permuted training labels ranks the test rows no better
   than chance; above chance means the labels reached the model some other way than through the labels it was given.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
import pandas as pd
from sklearn.metrics import roc_auc_score

from training.domain.schema import Cohort
from training.evaluation.truth import expected_auc
from training.features import compute_features

SINGLE_FEATURE_AUC_LIMIT = 0.85
# Feature -> why it may exceed the limit. Empty: no feature of the product is allowed to be that good alone.
ALLOWED_FEATURES: dict[str, str] = {}
# Below this many onsets among the test rows a single feature's AUC is too noisy to judge (three onsets of one athlete
# can rank perfectly by chance); the AUCs are still reported, and the run records that they were not judged.
MIN_ONSETS = 20
# Permuted labels: an AUC this far from 0.5 (or 4 null standard errors, when larger) trips the guard.
CHANCE_MARGIN = 0.1
_TOLERANCE = 1e-9


class LeakError(RuntimeError):
    """A leak guard tripped; the message names the check and the feature."""


def single_feature_auc(values: np.ndarray, y: np.ndarray) -> float:
    """Best ROC AUC one feature reaches alone, either direction, with missing values ranked lowest, highest or
    alone (missingness as the feature): the most a model could get from this one column."""
    values = np.asarray(values, dtype="float64")
    missing = np.isnan(values)
    finite = np.where(missing, 0.0, values)
    span = (np.abs(finite).max() if len(finite) else 0.0) + 1.0
    candidates = [np.where(missing, -span, finite), np.where(missing, span, finite), missing.astype(float)]
    best = 0.5
    for scores in candidates:
        if np.ptp(scores) == 0:
            continue
        # The rank statistic with 0/1 labels as the "true risk": sklearn's roc_auc_score to the last digit, at a third
        # of its cost (it checks and re-sorts the labels on every call; the guard makes over a hundred).
        auc = expected_auc(y.astype("float64"), scores)
        best = max(best, auc, 1.0 - auc)
    return best


def check_single_features(
    rows: pd.DataFrame,
    y: np.ndarray,
    features: Sequence[str],
    what: str,
    limit: float = SINGLE_FEATURE_AUC_LIMIT,
    allowed: dict[str, str] | None = None,
    cluster: int = 1,
) -> dict[str, float]:
    """Each feature's single-feature AUC on the test rows; LeakError naming the best one above ``limit`` when the rows
    hold enough onsets to judge (``cluster``: positive rows per onset, the horizon for daily rows)."""
    allowed = ALLOWED_FEATURES if allowed is None else allowed
    y = np.asarray(y, dtype=int)
    if not 0 < y.sum() < len(y):
        return {}
    aucs = {name: single_feature_auc(rows[name].to_numpy(dtype="float64", na_value=np.nan), y) for name in features}
    if enough_onsets(y, cluster):
        tripped = sorted(
            ((auc, name) for name, auc in aucs.items() if auc > limit and name not in allowed), reverse=True
        )
        if tripped:
            auc, name = tripped[0]
            raise LeakError(
                f"leak guard (single feature) on {what}: {name} alone reaches a test ROC AUC of {auc:.3f} "
                f"(limit {limit}; missing values included). A feature that good alone gives the label away; "
                "check how it is computed (are unknown days read as rest?) or document it in ALLOWED_FEATURES."
            )
    return aucs


def enough_onsets(y: np.ndarray, cluster: int = 1) -> bool:
    """Whether positive rows ``y`` (``cluster`` rows per onset) hold enough onsets to judge a single feature."""
    return int(np.asarray(y).sum()) // max(cluster, 1) >= MIN_ONSETS


def log_cut_at(cohort: Cohort, day: pd.Timestamp) -> Cohort:
    """What was known at the end of ``day``: activities up to it, injuries begun by it, recoveries by it."""
    injuries = cohort.injuries[cohort.injuries["onset"] <= day].copy()
    injuries["resolved"] = injuries["resolved"].where(injuries["resolved"] <= day)
    return Cohort(
        profiles=cohort.profiles,
        runs=cohort.runs[cohort.runs["date"] <= day],
        strength=cohort.strength[cohort.strength["date"] <= day],
        injuries=injuries,
    )


FeatureFunction = Callable[[Cohort, pd.DataFrame], pd.DataFrame]


def check_no_look_ahead(
    cohort: Cohort,
    rows: pd.DataFrame,
    features: Sequence[str],
    seed: int,
    days: int = 4,
    athletes_per_day: int = 50,
    features_of: FeatureFunction = compute_features,
) -> int:
    """Recompute the features of sampled rows (athlete_id, date) from the log cut at their day; LeakError naming the
    first feature that differs from ``rows``. Returns the number of rows checked."""
    rng = np.random.default_rng(seed)
    dates = pd.Series(rows["date"].unique())
    checked = 0
    for day in dates.sample(min(days, len(dates)), random_state=int(rng.integers(2**31))).sort_values():
        on_day = rows[rows["date"] == day]
        sample = on_day.sample(min(athletes_per_day, len(on_day)), random_state=int(rng.integers(2**31)))
        ids = sample["athlete_id"].astype(str).tolist()
        spans = pd.DataFrame({"athlete_id": ids, "start": day, "end": day})
        cut = features_of(log_cut_at(cohort.for_athletes(ids), day), spans)
        recomputed = cut.set_index(cut["athlete_id"].astype(str))
        whole = sample.set_index(sample["athlete_id"].astype(str))
        for name in features:
            a = whole[name].to_numpy(dtype="float64", na_value=np.nan)
            b = recomputed.loc[whole.index, name].to_numpy(dtype="float64", na_value=np.nan)
            same = (np.isnan(a) & np.isnan(b)) | (np.abs(a - b) <= _TOLERANCE)
            if not same.all():
                athlete = whole.index[np.flatnonzero(~same)[0]]
                raise LeakError(
                    f"leak guard (look-ahead): {name} of athlete {athlete} on {day:%Y-%m-%d} differs when computed "
                    "from the log cut at that day: the feature reads days after the scored day."
                )
        checked += len(sample)
    return checked


def chance_tolerance(positives: int, negatives: int, cluster: int = 1) -> float:
    """How far from 0.5 a model without signal may land: the larger of CHANCE_MARGIN and 4 standard errors of the null
    AUC (Hanley and McNeil 1982), counting ``cluster`` correlated positive rows (one onset's horizon) as one."""
    n1 = max(positives // max(cluster, 1), 1)
    n0 = max(negatives // max(cluster, 1), 1)
    return max(CHANCE_MARGIN, 4.0 * float(np.sqrt((n1 + n0 + 1) / (12.0 * n1 * n0))))


Fit = Callable[[np.ndarray], np.ndarray]


def check_permuted_labels(
    fit_and_score: Fit, train_y: np.ndarray, test_y: np.ndarray, what: str, seed: int, cluster: int = 1
) -> float:
    """``fit_and_score(labels)`` fits on the training rows with ``labels`` and scores the test rows; with permuted
    labels its test AUC must be chance. Returns that AUC; LeakError when it is not chance."""
    rng = np.random.default_rng(seed)
    test_y = np.asarray(test_y, dtype=int)
    if not 0 < test_y.sum() < len(test_y):
        return float("nan")
    scores = fit_and_score(rng.permutation(np.asarray(train_y)))
    auc = float(roc_auc_score(test_y, scores)) if np.ptp(scores) > 0 else 0.5
    tolerance = chance_tolerance(int(test_y.sum()), int(len(test_y) - test_y.sum()), cluster)
    if abs(auc - 0.5) > tolerance:
        raise LeakError(
            f"leak guard (permuted labels) on {what}: a model fitted to permuted labels reaches a test ROC AUC of "
            f"{auc:.3f} (chance is 0.5 +/- {tolerance:.3f}): the labels reach the model other than through its labels."
        )
    return auc

import numpy as np
import pandas as pd
from sklearn.ensemble import HistGradientBoostingClassifier

from training.fitting.binning import snapped_column, snapped_features


def _column(rows: int = 20000, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    values = rng.lognormal(size=rows).astype(np.float32).astype(np.float64)
    values[rng.random(rows) < 0.05] = np.nan
    return values, np.where(rng.random(rows) < 0.2, 1.0, 10.0)


def test_snapped_column_has_at_most_254_levels_and_keeps_missing_values():
    values, weight = _column()
    snapped = snapped_column(values, weight)
    assert len(np.unique(snapped[~np.isnan(snapped)])) <= 254
    assert np.array_equal(np.isnan(snapped), np.isnan(values))


def test_snapping_keeps_the_order_of_values():
    values, weight = _column()
    present = ~np.isnan(values)
    order = np.argsort(values[present], kind="stable")
    assert np.all(np.diff(snapped_column(values, weight)[present][order]) >= 0)


def test_a_column_of_few_distinct_values_is_left_as_it_is():
    values = np.tile([0.0, 1.0, 2.5, np.nan], 500)
    assert snapped_column(values, np.ones(len(values))) is values


def test_trees_fitted_to_snapped_rows_score_the_raw_rows_as_the_snapped_ones():
    rng = np.random.default_rng(1)
    raw = pd.DataFrame({name: _column(seed=k)[0] for k, name in enumerate(["a", "b", "c"])})
    risk = 1 / (1 + np.exp(-(np.nan_to_num(raw["a"].to_numpy()) - 2)))
    y = (rng.random(len(raw)) < risk).astype(int)
    weight = np.where(y == 1, 1.0, 10.0)
    snapped = snapped_features(raw, weight)
    trees = HistGradientBoostingClassifier(max_iter=20, max_leaf_nodes=4, random_state=0)
    trees.fit(snapped, y, sample_weight=weight)
    assert np.array_equal(trees.decision_function(raw), trees.decision_function(snapped))


def test_float32_features_stay_float32_and_every_level_is_one_of_their_values():
    values, weight = _column()
    features = pd.DataFrame({"a": values.astype(np.float32)})
    snapped = snapped_features(features, weight)["a"].to_numpy()
    assert snapped.dtype == np.float32
    assert set(snapped[~np.isnan(snapped)]) <= set(features["a"].dropna())

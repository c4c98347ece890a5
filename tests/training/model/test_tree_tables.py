"""The trees' lookup tables give scikit-learn's raw scores (to rounding) and shap's path-dependent TreeSHAP values."""

from __future__ import annotations

import pickle

import numpy as np
import pandas as pd
import pytest
import shap
from sklearn.ensemble import HistGradientBoostingClassifier

from training.model.risk_model import InjuryClassifier
from training.model.tree_compile import MAX_SPLITS, compile_trees
from training.model.tree_tables import rank_contributions


def fitted(leaves: int, rows: int = 4000, seed: int = 3) -> tuple[HistGradientBoostingClassifier, np.ndarray]:
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(rows, 6))
    X[rng.random(X.shape) < 0.05] = np.nan  # missing values take each split's learned side
    y = (np.nan_to_num(X[:, 0]) + np.nan_to_num(X[:, 1] * X[:, 2]) + rng.normal(size=rows) > 1.5).astype(int)
    trees = HistGradientBoostingClassifier(max_iter=30, max_leaf_nodes=leaves, early_stopping=False, random_state=0)
    return trees.fit(X, y), X


@pytest.mark.parametrize("leaves", [2, 4, 8])
def test_raw_scores_equal_scikit_learn(leaves: int):
    trees, X = fitted(leaves)
    np.testing.assert_allclose(compile_trees(trees).raw(X), trees.decision_function(X), rtol=0, atol=1e-12)


@pytest.mark.parametrize("leaves", [4, 8])
def test_contributions_equal_shap_tree_explainer(leaves: int):
    trees, X = fitted(leaves)
    tables = compile_trees(trees)
    explainer = shap.TreeExplainer(trees, model_output="raw", feature_perturbation="tree_path_dependent")
    expected = np.asarray(explainer.shap_values(X[:300])).reshape(300, X.shape[1])
    np.testing.assert_allclose(tables.contributions(X[:300]), expected, rtol=0, atol=1e-12)
    assert tables.expected == pytest.approx(float(np.ravel(explainer.expected_value)[0]), abs=1e-12)


def test_contributions_and_expected_value_add_up_to_the_raw_score():
    trees, X = fitted(4)
    tables = compile_trees(trees)
    evaluation = tables.evaluate(X, keep_contributions=True, top=2)
    assert evaluation.contributions is not None
    np.testing.assert_allclose(
        evaluation.contributions.sum(axis=1) + tables.expected, evaluation.raw, rtol=0, atol=1e-12
    )
    assert np.array_equal(evaluation.raw, tables.raw(X))


def test_the_kernel_ranks_contributions_as_rank_contributions_does():
    trees, X = fitted(8)
    evaluation = compile_trees(trees).evaluate(X, scale=0.7, keep_contributions=True, top=3)
    assert evaluation.contributions is not None
    features, chosen = rank_contributions(evaluation.contributions, 3)
    assert np.array_equal(evaluation.top_features, features)
    np.testing.assert_array_equal(evaluation.top_contributions, chosen)
    assert (features[:, 0] >= 0).mean() > 0.9


def test_rows_repeated_within_a_block_score_as_each_row_alone():
    # Copies of an athlete share most bins; rows found twice in a block are scored once and must not mix up.
    trees, X = fitted(8)
    rows = X[np.random.default_rng(5).integers(0, 40, 600)]
    tables = compile_trees(trees)
    together = tables.evaluate(rows, scale=0.7, keep_contributions=True, top=3)
    for i in range(0, len(rows), 37):
        alone = tables.evaluate(rows[i : i + 1], scale=0.7, keep_contributions=True, top=3)
        assert together.raw[i] == alone.raw[0]
        assert together.contributions is not None and alone.contributions is not None
        assert np.array_equal(together.contributions[i], alone.contributions[0])
        assert np.array_equal(together.top_features[i], alone.top_features[0])


def test_rows_score_the_same_in_row_major_and_column_major_order():
    # Feature matrices are built column-major (``feature_matrix``), frames' values may be either.
    trees, X = fitted(8)
    tables = compile_trees(trees)
    by_rows = tables.evaluate(np.ascontiguousarray(X), scale=0.7, keep_contributions=True, top=3)
    by_columns = tables.evaluate(np.asfortranarray(X), scale=0.7, keep_contributions=True, top=3)
    assert np.array_equal(by_rows.raw, by_columns.raw)
    assert by_rows.contributions is not None and by_columns.contributions is not None
    assert np.array_equal(by_rows.contributions, by_columns.contributions)
    assert np.array_equal(by_rows.top_features, by_columns.top_features)


def test_log_odds_with_contributions_are_the_log_odds_and_contributions_of_separate_passes():
    trees, X = fitted(8)
    classifier = InjuryClassifier(trees, slope=0.9, intercept=-1.0)
    log_odds, contributions = classifier.contributions_matrix(X[:50])
    assert np.array_equal(log_odds, classifier.log_odds_matrix(X[:50]))
    assert np.array_equal(contributions, classifier.tables.contributions(X[:50], scale=0.9))


def test_rows_of_the_wrong_width_are_refused():
    trees, X = fitted(4)
    with pytest.raises(ValueError, match="6 features"):
        compile_trees(trees).raw(X[:, :5])


def test_trees_larger_than_the_tables_allow_are_refused():
    trees, _ = fitted(MAX_SPLITS + 2, rows=20000)
    with pytest.raises(ValueError, match="at most"):
        compile_trees(trees)


def test_a_pickled_classifier_rebuilds_its_tables_instead_of_carrying_them():
    trees, X = fitted(4)
    classifier = InjuryClassifier(trees, slope=0.9, intercept=-1.0)
    expected = classifier.log_odds(pd.DataFrame(X))  # compiles and caches the tables
    assert "tables" in classifier.__dict__
    # A model saved by an older version may hold tables of an older layout: loading drops them too.
    state = {**classifier.__dict__, "tables": "tables of an earlier layout"}
    restored = InjuryClassifier.__new__(InjuryClassifier)
    restored.__setstate__(state)
    again = pickle.loads(pickle.dumps(classifier))
    assert "tables" not in classifier.__getstate__()
    assert "tables" not in restored.__dict__ and "tables" not in again.__dict__
    np.testing.assert_array_equal(restored.log_odds(pd.DataFrame(X)), expected)
    np.testing.assert_array_equal(again.log_odds(pd.DataFrame(X)), expected)


def test_missing_values_unseen_in_training_take_the_side_scikit_learn_gives_them():
    rng = np.random.default_rng(8)
    X = rng.normal(size=(3000, 4))
    y = (X[:, 0] + rng.normal(size=3000) > 1.0).astype(int)
    trees = HistGradientBoostingClassifier(max_iter=20, max_leaf_nodes=4, random_state=0).fit(X, y)
    scored = X[:200].copy()
    scored[rng.random(scored.shape) < 0.3] = np.nan  # a short history: features unknown at scoring time only
    np.testing.assert_allclose(compile_trees(trees).raw(scored), trees.decision_function(scored), rtol=0, atol=1e-12)

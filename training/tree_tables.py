"""Gradient-boosted trees as lookup tables: prediction and exact TreeSHAP from each row's split decisions.

A tree with k split nodes sends a row to a leaf by k yes/no decisions. The model's trees are small (4 leaves, 3
splits), so every pattern of a tree's decisions can be listed in advance, with the leaf it reaches and the TreeSHAP
values it yields. Scoring a row then costs one comparison per distinct (feature, threshold) and one table lookup per
tree (plus one add per tree and feature when explaining), in a small compiled kernel (numba), instead of a walk per
row and tree with Python calls per tree.

Prediction adds the baseline and then the trees in order, as scikit-learn does, so raw scores equal
``HistGradientBoostingClassifier.decision_function`` bit for bit. Contributions are the Shapley values of the
path-dependent (cover-weighted) expectation, the quantity shap's ``TreeExplainer`` computes with
``feature_perturbation="tree_path_dependent"``; tests pin both equalities.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass

import numba
import numpy as np
from sklearn.ensemble import HistGradientBoostingClassifier

# 2**10 patterns per tree: beyond that the tables grow faster than a tree walk is slow.
MAX_SPLITS = 10


@dataclass(frozen=True)
class TreeTables:
    """One binary classifier's trees: distinct split conditions, per-tree decision slots and per-pattern tables."""

    n_features: int
    baseline: float
    expected: float  # baseline plus each tree's cover-weighted mean leaf: the raw score of "no feature known"
    condition_feature: np.ndarray  # (conditions,) sorted by feature
    condition_threshold: np.ndarray  # (conditions,) a row goes left when value <= threshold ...
    condition_missing_left: np.ndarray  # (conditions,) ... or when the value is NaN and this is set
    tree_conditions: np.ndarray  # (trees, slots) condition of each split slot; padding points at a never-true row
    leaf_values: np.ndarray  # (trees, 2**slots) leaf value reached by each decision pattern
    pair_starts: np.ndarray  # (trees + 1,) first (tree, feature) pair of each tree; pairs are ordered by tree
    pair_feature: np.ndarray  # (pairs,) the feature of each pair
    pair_values: np.ndarray  # (pairs, 2**slots) the feature's Shapley value in that tree for each pattern

    def raw(self, X: np.ndarray) -> np.ndarray:
        """Raw scores (log-odds before calibration) of the rows of ``X`` (rows x features, float64)."""
        return self.evaluate(X).raw

    def contributions(self, X: np.ndarray, scale: float = 1.0) -> np.ndarray:
        """Per-feature raw-score contributions times ``scale`` (rows x features); unscaled, each row sums to
        raw(X) - expected."""
        contributions = self.evaluate(X, scale=scale, keep_contributions=True).contributions
        assert contributions is not None
        return contributions

    def evaluate(
        self, X: np.ndarray, scale: float = 1.0, keep_contributions: bool = False, top: int = 0
    ) -> Evaluation:
        """Raw scores, and on request every contribution and/or the ``top`` largest, from one pass over the trees.

        Contributions are multiplied by ``scale`` (a calibration slope) before they are ranked and returned.
        """
        X = np.ascontiguousarray(X, dtype="float64")
        if X.ndim != 2 or X.shape[1] != self.n_features:
            raise ValueError(f"expected rows of {self.n_features} features, got an array of shape {X.shape}")
        rows = len(X)
        raw = np.empty(rows, dtype="float64")
        contributions = np.empty((rows if keep_contributions else 0, self.n_features), dtype="float64")
        top_features = np.empty((rows, top), dtype=np.intp)
        top_contributions = np.empty((rows, top), dtype="float64")
        _evaluate(
            X, self.condition_feature, self.condition_threshold, self.condition_missing_left, self.tree_conditions,
            self.leaf_values, self.baseline, self.pair_starts, self.pair_feature, self.pair_values, float(scale),
            keep_contributions or top > 0, raw, contributions, top_features, top_contributions,
        )
        return Evaluation(raw, contributions if keep_contributions else None, top_features, top_contributions)


@dataclass(frozen=True)
class Evaluation:
    raw: np.ndarray  # (rows,)
    contributions: np.ndarray | None  # (rows, features), when kept
    top_features: np.ndarray  # (rows, top): feature of each rank, largest magnitude first; -1 = no such driver
    top_contributions: np.ndarray  # (rows, top): its contribution (NaN where there is none)


def rank_contributions(values: np.ndarray, count: int) -> tuple[np.ndarray, np.ndarray]:
    """Per row of ``values`` (rows x features): the ``count`` columns of largest magnitude and their values.

    Largest first; ties go to the earlier feature; a zero moves nothing and is never ranked (-1, NaN).
    """
    values = np.ascontiguousarray(values, dtype="float64")
    features = np.empty((len(values), count), dtype=np.intp)
    chosen = np.empty((len(values), count), dtype="float64")
    for row in range(len(values)):
        _rank_row(values[row], features[row], chosen[row])
    return features, chosen


@numba.njit(nogil=True, cache=True)
def _rank_row(values: np.ndarray, features: np.ndarray, chosen: np.ndarray) -> None:
    taken = 0
    for rank in range(features.shape[0]):
        best, magnitude = -1, 0.0
        for f in range(values.shape[0]):
            m = abs(values[f])
            if m > magnitude:
                already = False
                for earlier in range(taken):
                    already |= features[earlier] == f
                if not already:
                    best, magnitude = f, m
        features[rank] = best
        chosen[rank] = values[best] if best >= 0 else np.nan
        taken += 1


# nogil: callers may score chunks on several threads. cache: compiled once per machine, not per process.
@numba.njit(nogil=True, cache=True)
def _evaluate(  # noqa: PLR0913 - flat arrays are what a compiled kernel takes
    X: np.ndarray,
    condition_feature: np.ndarray,
    condition_threshold: np.ndarray,
    condition_missing_left: np.ndarray,
    tree_conditions: np.ndarray,
    leaf_values: np.ndarray,
    baseline: float,
    pair_starts: np.ndarray,
    pair_feature: np.ndarray,
    pair_values: np.ndarray,
    scale: float,
    explain: bool,
    raw: np.ndarray,
    contributions: np.ndarray,
    top_features: np.ndarray,
    top_contributions: np.ndarray,
) -> None:
    conditions = len(condition_feature)
    trees, slots = tree_conditions.shape
    features = X.shape[1]
    # One extra condition that is never met: the target of the slots a smaller tree does not use.
    decided = np.zeros(conditions + 1, dtype=np.int64)
    row_parts = np.zeros(features, dtype=np.float64)
    for row in range(X.shape[0]):
        for c in range(conditions):
            value = X[row, condition_feature[c]]
            if np.isnan(value):
                decided[c] = 1 if condition_missing_left[c] else 0
            else:
                decided[c] = 1 if value <= condition_threshold[c] else 0
        row_parts[:] = 0.0
        # From the baseline, tree after tree: the order scikit-learn sums in, hence the same floating-point result.
        total = baseline
        for tree in range(trees):
            code = 0
            for slot in range(slots):
                code |= decided[tree_conditions[tree, slot]] << slot
            total += leaf_values[tree, code]
            if explain:
                for pair in range(pair_starts[tree], pair_starts[tree + 1]):
                    row_parts[pair_feature[pair]] += pair_values[pair, code]
        raw[row] = total
        if explain:
            for f in range(features):
                row_parts[f] *= scale
            if contributions.shape[0]:
                contributions[row] = row_parts
            if top_features.shape[1]:
                _rank_row(row_parts, top_features[row], top_contributions[row])


def compile_trees(trees: HistGradientBoostingClassifier) -> TreeTables:
    """The tables of a fitted binary, all-numeric HistGradientBoostingClassifier."""
    if getattr(trees, "_preprocessor", None) is not None:
        raise ValueError("trees with categorical features cannot be compiled to tables")
    if trees.n_trees_per_iteration_ != 1:
        raise ValueError("only binary classifiers (one tree per iteration) can be compiled to tables")
    nodes_per_tree = [iteration[0].nodes for iteration in trees._predictors]
    splits = [np.flatnonzero(nodes["is_leaf"] == 0) for nodes in nodes_per_tree]
    slots = max((len(s) for s in splits), default=0)
    if slots > MAX_SPLITS:
        raise ValueError(f"trees have up to {slots} splits; tables support at most {MAX_SPLITS}")

    keys = sorted(
        {_condition(nodes[n]) for nodes, split in zip(nodes_per_tree, splits, strict=True) for n in split}
    )
    index = {key: i for i, key in enumerate(keys)}
    never = len(keys)  # the kernel's extra decision that is never met
    tree_conditions = np.full((len(nodes_per_tree), slots), never, dtype=np.intp)
    leaf_values = np.zeros((len(nodes_per_tree), 2**slots), dtype="float64")
    pair_tree: list[int] = []
    pair_feature: list[int] = []
    pair_values: list[np.ndarray] = []
    baseline = float(np.ravel(trees._baseline_prediction)[0])
    expected = baseline
    for t, (nodes, split) in enumerate(zip(nodes_per_tree, splits, strict=True)):
        slot_of = {int(n): i for i, n in enumerate(split)}
        for n, i in slot_of.items():
            tree_conditions[t, i] = index[_condition(nodes[n])]
        patterns = range(2**slots)
        leaf_values[t] = [nodes[_leaf(nodes, slot_of, p)]["value"] for p in patterns]
        features = sorted({int(nodes[n]["feature_idx"]) for n in split})
        shapley = np.array([_shapley(nodes, slot_of, features, p) for p in patterns]).reshape(2**slots, len(features))
        for j, feature in enumerate(features):
            pair_tree.append(t)
            pair_feature.append(feature)
            pair_values.append(shapley[:, j])
        expected += _expectation(nodes, slot_of, {}, 0, 0)

    pair_starts = np.searchsorted(np.asarray(pair_tree, dtype=np.intp), np.arange(len(nodes_per_tree) + 1))
    return TreeTables(
        n_features=int(trees.n_features_in_),
        baseline=baseline,
        expected=expected,
        condition_feature=np.array([k[0] for k in keys], dtype=np.intp),
        condition_threshold=np.array([k[1] for k in keys], dtype="float64"),
        condition_missing_left=np.array([k[2] for k in keys], dtype=bool),
        tree_conditions=tree_conditions,
        leaf_values=leaf_values,
        pair_starts=pair_starts.astype(np.intp),
        pair_feature=np.asarray(pair_feature, dtype=np.intp),
        pair_values=np.array(pair_values, dtype="float64").reshape(len(pair_values), 2**slots),
    )


def _condition(node: np.void) -> tuple[int, float, bool]:
    return int(node["feature_idx"]), float(node["num_threshold"]), bool(node["missing_go_to_left"])


def _leaf(nodes: np.ndarray, slot_of: dict[int, int], pattern: int) -> int:
    n = 0
    while not nodes[n]["is_leaf"]:
        n = int(nodes[n]["left"] if pattern >> slot_of[n] & 1 else nodes[n]["right"])
    return n


def _expectation(nodes: np.ndarray, slot_of: dict[int, int], known: dict[int, bool], pattern: int, n: int) -> float:
    """Mean leaf value below node ``n`` when only the features in ``known`` follow the row's decisions.

    Splits on other features are averaged by the training rows (cover) that went each way: TreeSHAP's
    path-dependent value function.
    """
    node = nodes[n]
    if node["is_leaf"]:
        return float(node["value"])
    left, right = int(node["left"]), int(node["right"])
    if known.get(int(node["feature_idx"]), False):
        return _expectation(nodes, slot_of, known, pattern, left if pattern >> slot_of[n] & 1 else right)
    cover = float(node["count"])
    return (
        float(nodes[left]["count"]) / cover * _expectation(nodes, slot_of, known, pattern, left)
        + float(nodes[right]["count"]) / cover * _expectation(nodes, slot_of, known, pattern, right)
    )


def _shapley(nodes: np.ndarray, slot_of: dict[int, int], features: list[int], pattern: int) -> list[float]:
    """Exact Shapley values of the tree's features for one decision pattern, over all subsets (few features)."""
    d = len(features)
    value = {
        subset: _expectation(nodes, slot_of, {features[j]: True for j in subset}, pattern, 0)
        for size in range(d + 1)
        for subset in itertools.combinations(range(d), size)
    }
    weights = [math.factorial(s) * math.factorial(d - s - 1) / math.factorial(d) for s in range(d)]
    return [
        sum(
            weights[len(subset)] * (value[tuple(sorted((*subset, j)))] - value[subset])
            for subset in value
            if j not in subset
        )
        for j in range(d)
    ]

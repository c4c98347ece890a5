"""Compiling fitted trees into ``TreeTables``: every decision pattern of a tree with its leaf and exact Shapley values,
and trees that split on the same features merged into one table over those features' bins."""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass

import numpy as np
from sklearn.ensemble import HistGradientBoostingClassifier

from training.model.tree_tables import TreeTables

# 2**10 decision patterns per tree, and up to 3**10 cells for its table: beyond that tables outgrow the caches.
MAX_SPLITS = 10


def compile_trees(trees: HistGradientBoostingClassifier) -> TreeTables:
    """The tables of a fitted binary, all-numeric HistGradientBoostingClassifier."""
    if getattr(trees, "_preprocessor", None) is not None:
        raise ValueError("trees with categorical features cannot be compiled to tables")
    if trees.n_trees_per_iteration_ != 1:
        raise ValueError("only binary classifiers (one tree per iteration) can be compiled to tables")
    nodes_per_tree = [iteration[0].nodes for iteration in trees._predictors]
    compiled = [_Tree.of(nodes) for nodes in nodes_per_tree]
    n_features = int(trees.n_features_in_)
    edges = [_thresholds(compiled, f) for f in range(n_features)]

    group_pairs, pair_feature, pair_offsets, offsets = [0], [], [], []
    group_cells, cell_values, group_parts, cell_parts = [], [], [], []
    cells_so_far = parts_so_far = offsets_so_far = 0
    for members in _groups(compiled):
        group = _Group.of(members)
        group_cells.append(cells_so_far)
        group_parts.append(parts_so_far)
        cell_values.append(group.values)
        cell_parts.append(group.parts.ravel())
        cells_so_far += len(group.values)
        parts_so_far += group.parts.size
        for feature, local, stride in zip(group.features, group.edges, group.strides, strict=True):
            pair_feature.append(feature)
            pair_offsets.append(offsets_so_far)
            mapped = _local_bins(edges[feature], local) * stride
            offsets.append(mapped)
            offsets_so_far += len(mapped)
        group_pairs.append(len(pair_feature))

    baseline = float(np.ravel(trees._baseline_prediction)[0])
    return TreeTables(
        n_features=n_features,
        baseline=baseline,
        expected=baseline + sum(tree.expected for tree in compiled),
        used_features=np.array([f for f in range(n_features) if edges[f]], dtype=np.intp),
        edge_starts=np.cumsum([0] + [len(e) for e in edges]).astype(np.intp),
        edges=np.array([t for e in edges for t in e], dtype="float64"),
        group_pairs=np.asarray(group_pairs, dtype=np.intp),
        pair_feature=np.asarray(pair_feature, dtype=np.intp),
        pair_offsets=np.asarray(pair_offsets, dtype=np.intp),
        offsets=np.concatenate(offsets).astype(np.intp) if offsets else np.zeros(0, dtype=np.intp),
        group_cells=np.asarray(group_cells, dtype=np.intp),
        cell_values=np.concatenate(cell_values) if cell_values else np.zeros(0),
        group_parts=np.asarray(group_parts, dtype=np.intp),
        cell_parts=np.concatenate(cell_parts) if cell_parts else np.zeros(0),
    )


# A group's table has the product of its features' bin counts as cells; past this, trees start a new group.
MAX_GROUP_CELLS = 4096


@dataclass(frozen=True)
class _Tree:
    """One tree's split conditions by decision slot, and its leaf value and Shapley values per decision pattern."""

    conditions: list[tuple[int, float, bool]]  # (feature, threshold, missing goes left) per slot
    features: list[int]  # the features it splits on, ascending
    leaf_values: np.ndarray  # (patterns,)
    shapley: np.ndarray  # (patterns, features)
    expected: float  # cover-weighted mean leaf

    @classmethod
    def of(cls, nodes: np.ndarray) -> _Tree:
        split = np.flatnonzero(nodes["is_leaf"] == 0)
        if len(split) > MAX_SPLITS:
            raise ValueError(f"trees have up to {len(split)} splits; tables support at most {MAX_SPLITS}")
        slot_of = {int(n): i for i, n in enumerate(split)}
        features = sorted({int(nodes[n]["feature_idx"]) for n in split})
        patterns = range(2 ** len(split))
        return cls(
            conditions=[_condition(nodes[n]) for n in split],
            features=features,
            leaf_values=np.array([nodes[_leaf(nodes, slot_of, p)]["value"] for p in patterns], dtype="float64"),
            shapley=np.array([_shapley(nodes, slot_of, features, p) for p in patterns], dtype="float64").reshape(
                len(patterns), len(features)
            ),
            expected=_expectation(nodes, slot_of, {}, 0, 0),
        )


@dataclass(frozen=True)
class _Group:
    """Trees on the same features as one table over the cells of their own thresholds' bins (row-major)."""

    features: list[int]
    edges: list[list[float]]  # per feature, the group's thresholds
    strides: list[int]
    values: np.ndarray  # (cells,)
    parts: np.ndarray  # (cells, features)

    @classmethod
    def of(cls, members: list[_Tree]) -> _Group:
        features = members[0].features
        edges = [_thresholds(members, f) for f in features]
        shape = [len(e) + 2 for e in edges]  # bins: below each threshold, above all, and missing
        strides = [int(np.prod(shape[j + 1 :])) for j in range(len(shape))]
        cells = int(np.prod(shape))
        cell_bins = np.indices(shape).reshape(len(shape), cells)
        values = np.zeros(cells)
        parts = np.zeros((cells, len(features)))
        # Trees are added in model order, so a cell's sum is the same whatever the row.
        for tree in members:
            pattern = np.zeros(cells, dtype=np.intp)
            for slot, (feature, threshold, missing_left) in enumerate(tree.conditions):
                j = features.index(feature)
                b = cell_bins[j]
                left = np.where(b == shape[j] - 1, missing_left, b <= edges[j].index(threshold))
                pattern |= left.astype(np.intp) << slot
            values += tree.leaf_values[pattern]
            parts += tree.shapley[pattern]
        return cls(features, edges, strides, values, parts)


def _groups(trees: list[_Tree]) -> list[list[_Tree]]:
    """Trees split on the same features, in model order, cut where a table would exceed MAX_GROUP_CELLS."""
    open_groups: dict[tuple[int, ...], list[_Tree]] = {}
    done: list[list[_Tree]] = []
    for tree in trees:
        key = tuple(tree.features)
        members = open_groups.get(key, [])
        if members and _cells([*members, tree]) > MAX_GROUP_CELLS:
            done.append(members)
            members = []
        open_groups[key] = [*members, tree]
    return done + list(open_groups.values())


def _cells(trees: list[_Tree]) -> int:
    return int(np.prod([len(_thresholds(trees, f)) + 2 for f in trees[0].features]))


def _thresholds(trees: list[_Tree], feature: int) -> list[float]:
    """The distinct thresholds the trees split ``feature`` at, ascending."""
    return sorted({threshold for tree in trees for f, threshold, _ in tree.conditions if f == feature})


def _local_bins(model_edges: list[float], group_edges: list[float]) -> np.ndarray:
    """For each model bin of a feature (values above ``b`` of its thresholds; the last is missing), the group's bin.

    The group's thresholds are some of the model's, so every value of a model bin lies in one group bin: above the
    group thresholds at or below the model threshold just under the bin.
    """
    below = [0] + [int(np.searchsorted(group_edges, t, side="right")) for t in model_edges]
    return np.array([*below, len(group_edges) + 1], dtype=np.intp)


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
    return float(nodes[left]["count"]) / cover * _expectation(nodes, slot_of, known, pattern, left) + float(
        nodes[right]["count"]
    ) / cover * _expectation(nodes, slot_of, known, pattern, right)


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

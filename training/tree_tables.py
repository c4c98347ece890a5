"""Gradient-boosted trees as lookup tables: prediction and exact TreeSHAP from each row's bins.

The model's trees are small (4 leaves, 3 splits), so every pattern of a tree's decisions can be listed in advance,
with the leaf it reaches and the TreeSHAP values it yields. Trees that split on the same features are then merged
into one table over the bins of those features (between which thresholds a value lies, or missing): a cell holds the
summed leaf values and each feature's summed Shapley values. Scoring a row costs a few comparisons per feature to
find its bins and one lookup per group of trees (plus one add per group and feature when explaining), in a small
compiled kernel (numba), instead of a walk per row and tree with Python calls per tree.

Raw scores equal ``HistGradientBoostingClassifier.decision_function`` up to the rounding of adding the trees in
groups (1e-12 in the tests). Contributions are the Shapley values of the path-dependent (cover-weighted)
expectation, the quantity shap's ``TreeExplainer`` computes with ``feature_perturbation="tree_path_dependent"``;
Shapley values add up over trees, so a group's are the sums of its trees'. Tests pin both equalities.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass

import numba
import numpy as np
from sklearn.ensemble import HistGradientBoostingClassifier

# 2**10 decision patterns per tree, and up to 3**10 cells for its table: beyond that tables outgrow the caches.
MAX_SPLITS = 10


@dataclass(frozen=True)
class TreeTables:
    """One binary classifier's trees, merged into groups of trees that split on the same features.

    A row's value of a feature falls in one of that feature's bins: how many of the model's thresholds on it lie below
    the value, or the last bin when it is missing. Every tree of a group sends all rows whose features share their
    bins to the same leaves, so the group is a table over the cells of its features' bins: the summed leaf value and
    each feature's summed Shapley value per cell. Tables of a group index bins of its own thresholds only, through a
    small per-feature map from the model's bins, which keeps them to a few hundred cells.
    """

    n_features: int
    baseline: float
    expected: float  # baseline plus each tree's cover-weighted mean leaf: the raw score of "no feature known"
    used_features: np.ndarray  # (used,) ascending: the features some tree splits on; no other feature contributes
    edge_starts: np.ndarray  # (features + 1,) where each feature's thresholds start in ``edges``
    edges: np.ndarray  # every feature's distinct thresholds, ascending
    group_pairs: np.ndarray  # (groups + 1,) the first (group, feature) pair of each group; pairs are ordered by group
    pair_feature: np.ndarray  # (pairs,) the feature of each pair, ascending within a group
    pair_offsets: np.ndarray  # (pairs,) where the pair's map starts in ``offsets``
    offsets: np.ndarray  # per pair and model bin of its feature: that bin's part of the group's cell number
    group_cells: np.ndarray  # (groups,) the group's first cell in ``cell_values``
    cell_values: np.ndarray  # per group and cell: the summed leaf values of the group's trees
    group_parts: np.ndarray  # (groups,) the group's first value in ``cell_parts``
    cell_parts: np.ndarray  # per group, cell and pair (pair fastest): the feature's summed Shapley values

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
        """Raw scores, and on request every contribution and/or the ``top`` largest, from one pass over the tables.

        Contributions are multiplied by ``scale`` (a calibration slope) before they are ranked and returned.
        """
        # Either memory order: a frame's values are usually column-major, which suits the kernel's feature loops.
        X = np.asarray(X, dtype="float64")
        if X.ndim != 2 or X.shape[1] != self.n_features:
            raise ValueError(f"expected rows of {self.n_features} features, got an array of shape {X.shape}")
        rows = len(X)
        raw = np.empty(rows, dtype="float64")
        contributions = np.zeros((rows if keep_contributions else 0, self.n_features), dtype="float64")
        top_features = np.empty((rows, top), dtype=np.intp)
        top_contributions = np.empty((rows, top), dtype="float64")
        _evaluate(
            X, self.used_features, self.edge_starts, self.edges, self.group_pairs, self.pair_feature,
            self.pair_offsets, self.offsets, self.group_cells, self.cell_values, self.group_parts, self.cell_parts,
            self.baseline, float(scale), keep_contributions or top > 0, raw, contributions, top_features,
            top_contributions,
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
    every = np.arange(values.shape[1], dtype=np.intp)
    for row in range(len(values)):
        _rank_row(values[row], every, features[row], chosen[row])
    return features, chosen


@numba.njit(nogil=True, cache=True)
def _rank_row(values: np.ndarray, candidates: np.ndarray, features: np.ndarray, chosen: np.ndarray) -> None:
    # ``candidates`` ascending, so a tie keeps the earlier feature; features outside it are zero and never ranked.
    for rank in range(features.shape[0]):
        best, magnitude = -1, 0.0
        for f in candidates:
            m = abs(values[f])
            if m > magnitude:
                already = False
                for earlier in range(rank):
                    already |= features[earlier] == f
                if not already:
                    best, magnitude = f, m
        features[rank] = best
        chosen[rank] = values[best] if best >= 0 else np.nan


# Rows are scored a block at a time, one feature or group at a time over the block's rows: every inner loop runs the
# same instructions for each row, without the branches per row and group that a row-at-a-time walk mispredicts.
_BLOCK_ROWS = 256


# nogil: callers may score chunks on several threads. cache: compiled once per machine, not per process.
@numba.njit(nogil=True, cache=True)
def _evaluate(  # flat arrays, many of them: what a compiled kernel takes
    X: np.ndarray,
    used_features: np.ndarray,
    edge_starts: np.ndarray,
    edges: np.ndarray,
    group_pairs: np.ndarray,
    pair_feature: np.ndarray,
    pair_offsets: np.ndarray,
    offsets: np.ndarray,
    group_cells: np.ndarray,
    cell_values: np.ndarray,
    group_parts: np.ndarray,
    cell_parts: np.ndarray,
    baseline: float,
    scale: float,
    explain: bool,
    raw: np.ndarray,
    contributions: np.ndarray,
    top_features: np.ndarray,
    top_contributions: np.ndarray,
) -> None:
    rows, features = X.shape
    used = len(used_features)
    top = top_features.shape[1]
    position = np.full(features, -1, dtype=np.int64)  # of each used feature in ``used_features``
    for u in range(used):
        position[used_features[u]] = u
    bins = np.empty((used, _BLOCK_ROWS), dtype=np.int64)
    cell = np.empty(_BLOCK_ROWS, dtype=np.int64)
    total = np.empty(_BLOCK_ROWS, dtype=np.float64)
    parts = np.zeros((used, _BLOCK_ROWS), dtype=np.float64)
    for start in range(0, rows, _BLOCK_ROWS):
        n = min(_BLOCK_ROWS, rows - start)
        for u in range(used):
            f = used_features[u]
            low, high = edge_starts[f], edge_starts[f + 1]
            column = X[start : start + n, f]
            # Threshold by threshold over the rows: loops the compiler turns into vector instructions.
            bins[u, :n] = 0
            for e in range(low, high):
                edge = edges[e]
                for r in range(n):
                    bins[u, r] += column[r] > edge
            for r in range(n):
                if np.isnan(column[r]):
                    bins[u, r] = high - low + 1
        # From the baseline, group after group in model order: every row's sum is rounded the same way.
        total[:n] = baseline
        for g in range(len(group_cells)):
            first, last = group_pairs[g], group_pairs[g + 1]
            cell[:n] = 0
            for pair in range(first, last):
                u, at = position[pair_feature[pair]], pair_offsets[pair]
                for r in range(n):
                    cell[r] += offsets[at + bins[u, r]]
            at = group_cells[g]
            for r in range(n):
                total[r] += cell_values[at + cell[r]]
            if explain:
                width, at = last - first, group_parts[g]
                for pair in range(first, last):
                    u, j = position[pair_feature[pair]], pair - first
                    for r in range(n):
                        parts[u, r] += cell_parts[at + cell[r] * width + j]
        raw[start : start + n] = total[:n]
        if not explain:
            continue
        for u in range(used):
            for r in range(n):
                parts[u, r] *= scale
        if contributions.shape[0]:
            for u in range(used):
                for r in range(n):
                    contributions[start + r, used_features[u]] = parts[u, r]
        if top:
            _rank_block(parts, n, used_features, top_features[start : start + n], top_contributions[start : start + n])
        parts[:, :n] = 0.0


@numba.njit(nogil=True, cache=True)
def _rank_block(
    parts: np.ndarray, n: int, used_features: np.ndarray, features: np.ndarray, chosen: np.ndarray
) -> None:
    """``_rank_row`` for each of the block's ``n`` rows (``parts`` is used features x rows), by insertion.

    Features are offered in ascending order and only a strictly larger magnitude moves ahead, so ties keep the
    earlier feature, as in ``_rank_row``; a zero is never larger than the empty ranks' zero, so it is never ranked.
    """
    top = features.shape[1]
    magnitude = np.zeros(top, dtype=np.float64)
    for r in range(n):
        magnitude[:] = 0.0
        features[r, :] = -1
        chosen[r, :] = np.nan
        for u in range(len(used_features)):
            value = parts[u, r]
            m = abs(value)
            if m <= magnitude[top - 1]:
                continue
            k = top - 1
            while k > 0 and m > magnitude[k - 1]:
                magnitude[k], features[r, k], chosen[r, k] = magnitude[k - 1], features[r, k - 1], chosen[r, k - 1]
                k -= 1
            magnitude[k], features[r, k], chosen[r, k] = m, used_features[u], value


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
            shapley=np.array(
                [_shapley(nodes, slot_of, features, p) for p in patterns], dtype="float64"
            ).reshape(len(patterns), len(features)),
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
        strides = [int(np.prod(shape[j + 1:])) for j in range(len(shape))]
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

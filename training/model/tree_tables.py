"""Gradient-boosted trees as lookup tables: prediction and exact TreeSHAP from each row's bins.

The model's trees are small (4 leaves, 3 splits), so every pattern of a tree's decisions can be listed in advance,
with the leaf it reaches and the TreeSHAP values it yields. Trees that split on the same features are then merged
into one table over the bins of those features (between which thresholds a value lies, or missing): a cell holds the
summed leaf values and each feature's summed Shapley values. Scoring a row costs a few comparisons per feature to
find its bins and one lookup per group of trees (plus one add per group and feature when explaining), in a small
compiled kernel (numba), instead of a walk per row and tree with Python calls per tree. Rows whose values all fall in
the same bins reach the same cells, so each such set of rows is looked up once.

Raw scores equal ``HistGradientBoostingClassifier.decision_function`` up to the rounding of adding the trees in
groups (1e-12 in the tests). Contributions are the Shapley values of the path-dependent (cover-weighted)
expectation, the quantity shap's ``TreeExplainer`` computes with ``feature_perturbation="tree_path_dependent"``;
Shapley values add up over trees, so a group's are the sums of its trees'. Tests pin both equalities.
"""

from __future__ import annotations

from dataclasses import dataclass

import numba
import numpy as np


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

    def evaluate(self, X: np.ndarray, scale: float = 1.0, keep_contributions: bool = False, top: int = 0) -> Evaluation:
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
            X,
            self.used_features,
            self.edge_starts,
            self.edges,
            self.group_pairs,
            self.pair_feature,
            self.pair_offsets,
            self.offsets,
            self.group_cells,
            self.cell_values,
            self.group_parts,
            self.cell_parts,
            self.baseline,
            float(scale),
            keep_contributions or top > 0,
            raw,
            contributions,
            top_features,
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
# Slots of the hash table that finds a block's rows with the same bins: a power of two, at most half full.
_SLOTS = 4 * _BLOCK_ROWS


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
    distinct = np.empty((used, _BLOCK_ROWS), dtype=np.int64)  # the block's distinct rows of bins
    row_of = np.empty(_BLOCK_ROWS, dtype=np.int64)  # each row's position among them
    slots = np.empty(_SLOTS, dtype=np.int64)
    cell = np.empty(_BLOCK_ROWS, dtype=np.int64)
    total = np.empty(_BLOCK_ROWS, dtype=np.float64)
    parts = np.zeros((used, _BLOCK_ROWS), dtype=np.float64)  # per distinct row
    spread = np.empty((used, _BLOCK_ROWS), dtype=np.float64)  # per row of the block
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
        # Rows in the same bins of every feature get the same sums: each such row is scored once. Copies of one
        # athlete (planned weeks) differ in a few features only, so their blocks hold about half as many.
        m = _distinct_rows(bins, n, distinct, row_of, slots)
        # From the baseline, group after group in model order: every row's sum is rounded the same way.
        total[:m] = baseline
        for g in range(len(group_cells)):
            first, last = group_pairs[g], group_pairs[g + 1]
            cell[:m] = 0
            for pair in range(first, last):
                u, at = position[pair_feature[pair]], pair_offsets[pair]
                for r in range(m):
                    cell[r] += offsets[at + distinct[u, r]]
            at = group_cells[g]
            for r in range(m):
                total[r] += cell_values[at + cell[r]]
            if explain:
                width, at = last - first, group_parts[g]
                for pair in range(first, last):
                    u, j = position[pair_feature[pair]], pair - first
                    for r in range(m):
                        parts[u, r] += cell_parts[at + cell[r] * width + j]
        for r in range(n):
            raw[start + r] = total[row_of[r]]
        if not explain:
            continue
        for u in range(used):
            for r in range(m):
                parts[u, r] *= scale
        for u in range(used):
            for r in range(n):
                spread[u, r] = parts[u, row_of[r]]
        if contributions.shape[0]:
            for u in range(used):
                for r in range(n):
                    contributions[start + r, used_features[u]] = spread[u, r]
        if top:
            _rank_block(spread, n, used_features, top_features[start : start + n], top_contributions[start : start + n])
        parts[:, :m] = 0.0


@numba.njit(nogil=True, cache=True)
def _distinct_rows(bins: np.ndarray, n: int, distinct: np.ndarray, row_of: np.ndarray, slots: np.ndarray) -> int:
    """How many distinct rows of bins the block's ``n`` rows hold (columns of ``bins``): copies them to the first
    columns of ``distinct`` in order of first appearance, and sets ``row_of`` to each row's position among them."""
    used = bins.shape[0]
    mask = len(slots) - 1
    slots[:] = -1
    m = 0
    for r in range(n):
        key = np.uint64(14695981039346656037)
        for u in range(used):
            key = (key ^ np.uint64(bins[u, r])) * np.uint64(1099511628211)  # FNV-1a over the row's bins
        slot = np.int64(key >> np.uint64(40)) & mask
        while True:
            d = slots[slot]
            if d < 0:
                slots[slot] = m
                for u in range(used):
                    distinct[u, m] = bins[u, r]
                row_of[r] = m
                m += 1
                break
            same = True
            for u in range(used):
                if distinct[u, d] != bins[u, r]:
                    same = False
                    break
            if same:
                row_of[r] = d
                break
            slot = (slot + 1) & mask
    return m


@numba.njit(nogil=True, cache=True)
def _rank_block(parts: np.ndarray, n: int, used_features: np.ndarray, features: np.ndarray, chosen: np.ndarray) -> None:
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

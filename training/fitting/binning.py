"""Features snapped to a few hundred levels before the trees see them, so that scikit-learn bins them cheaply.

Given sample weights, scikit-learn's tree binning (``_BinMapper``) finds each of its 255 bin edges with a weighted
percentile of its own, which sorts the column again per edge: on the sampled, soft-labelled rows that was most of a
tree fit (44 s of 64 s for eight fits of a 10,000-athlete run). A column of at most 255 distinct values is binned
from its distinct values instead, with no percentile at all. So each column is cut once, here, into weighted-quantile
bins, and each value is snapped to its bin's lowest or highest value, whichever is nearer: at most 254 levels.

The thresholds the trees learn then lie midway between two neighbouring levels, and split the raw values exactly as
they split the snapped ones: a value snapped to a bin's lowest value is at most that bin's middle, one snapped to its
highest is above it, and every value of a bin lies between its lowest and highest. The trees score raw rows, in
training and serving alike, as they scored the snapped rows they were fitted to.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

BINS = 127  # two levels per bin: 254, within scikit-learn's 255 bins for values that are not missing


def snapped_column(values: np.ndarray, weight: np.ndarray, bins: int = BINS) -> np.ndarray:
    """``values`` (missing ones kept) snapped to at most ``2 * bins`` of their own values, cut at weighted
    quantiles."""
    present = ~np.isnan(values)
    x = values[present]
    order = np.argsort(x, kind="stable")
    ranked = x[order]
    if len(ranked) == 0 or np.count_nonzero(ranked[1:] != ranked[:-1]) < 2 * bins:
        return values  # few distinct values: scikit-learn bins them from the values themselves
    cumulative = np.cumsum(np.asarray(weight, np.float64)[present][order])
    # Bin k holds the values in (edge k-1, edge k]; edges are values of the column, so no bin is empty.
    cuts = np.searchsorted(cumulative, cumulative[-1] * np.arange(1, bins) / bins)
    edges = np.unique(ranked[np.minimum(cuts, len(ranked) - 1)])
    bin_of = np.searchsorted(edges, ranked, side="left")
    starts = np.searchsorted(bin_of, np.arange(len(edges) + 1), side="left")
    ends = np.searchsorted(bin_of, np.arange(len(edges) + 1), side="right") - 1
    occupied = starts <= ends
    low = np.where(occupied, ranked[np.minimum(starts, len(ranked) - 1)], np.nan)[bin_of]
    high = np.where(occupied, ranked[np.maximum(ends, 0)], np.nan)[bin_of]
    middle = (low.astype(np.float64) + high.astype(np.float64)) / 2
    levels = np.where(ranked.astype(np.float64) <= middle, low, high)
    snapped = values.copy()
    present_positions = np.flatnonzero(present)
    snapped[present_positions[order]] = levels
    return snapped


def snapped_features(features: pd.DataFrame, weight: np.ndarray, bins: int = BINS) -> pd.DataFrame:
    """Every column of ``features`` snapped (``snapped_column``), under row weights ``weight``; float32 columns stay
    float32 (every level is one of the column's values)."""
    return pd.DataFrame(
        {name: snapped_column(_floats(features[name]), weight, bins) for name in features.columns},
        index=features.index,
    )


def _floats(column: pd.Series) -> np.ndarray:
    return column.to_numpy(dtype=np.float32 if column.dtype == np.float32 else np.float64, na_value=np.nan)

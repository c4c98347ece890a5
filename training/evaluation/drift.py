"""Feature drift: a population's distribution of one feature as quantile bins, and the population stability index
(PSI) of another population against it. Training saves the bins with the model; the service compares the features
of recent assessments with them.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

# Ten quantile bins are the usual choice for PSI (Siddiqi 2006, Credit Risk Scorecards, ch. 8): fewer hide shifts
# inside a bin, more leave bins too small for the assessments a tenant has.
QUANTILE_BINS = 10
# A share of zero would make the index infinite; bins with no rows count as this share instead.
SHARE_FLOOR = 1e-4


@dataclass(frozen=True)
class FeatureBins:
    """A feature's distribution: value bins cut at ``edges`` (bin i holds edges[i-1] < v <= edges[i]; the first and
    last bins are open) and their ``shares``, then one more share for missing values."""

    edges: tuple[float, ...]
    shares: tuple[float, ...]

    def bin_of(self, values: np.ndarray) -> np.ndarray:
        """Bin position of each value; missing values get the last position."""
        v = np.asarray(values, dtype="float64")
        positions = np.searchsorted(np.asarray(self.edges), v, side="left")
        return np.where(np.isnan(v), len(self.edges) + 1, positions)

    def shares_of(self, values: np.ndarray) -> np.ndarray:
        """Shares of ``values`` in these bins (missing last)."""
        counts = np.bincount(self.bin_of(values), minlength=len(self.edges) + 2).astype("float64")
        return counts / max(counts.sum(), 1.0)

    def as_dict(self) -> dict[str, list[float]]:
        return {"edges": list(self.edges), "shares": list(self.shares)}

    @classmethod
    def from_dict(cls, stored: Mapping[str, list[float]]) -> FeatureBins:
        return cls(tuple(stored["edges"]), tuple(stored["shares"]))


def feature_bins(values: np.ndarray, bins: int = QUANTILE_BINS) -> FeatureBins:
    """Bins at the population's quantiles, merged where values tie (a feature that is mostly 0 gets one bin for 0)."""
    v = np.asarray(values, dtype="float64")
    known = v[~np.isnan(v)]
    quantiles = np.quantile(known, np.linspace(0, 1, bins + 1)[1:-1]) if len(known) else np.array([])
    edges = tuple(float(e) for e in np.unique(quantiles))
    empty = FeatureBins(edges, ())
    return FeatureBins(edges, tuple(float(s) for s in empty.shares_of(v)))


def population_stability(expected: np.ndarray, actual: np.ndarray) -> float:
    """PSI = sum over bins of (actual - expected) * ln(actual / expected): 0 for the same shares; above 0.1 a shift
    worth a look, above 0.25 a large one (Siddiqi 2006)."""
    e = np.maximum(np.asarray(expected, dtype="float64"), SHARE_FLOOR)
    a = np.maximum(np.asarray(actual, dtype="float64"), SHARE_FLOOR)
    return float(np.sum((a - e) * np.log(a / e)))


def feature_psi(training: FeatureBins, values: np.ndarray) -> float:
    """PSI of ``values`` against the training population's bins; NaN for no values."""
    if len(values) == 0:
        return math.nan
    return population_stability(np.asarray(training.shares), training.shares_of(values))

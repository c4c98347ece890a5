"""Simple alternatives the model must beat: the population base rate, an ACWR band rule, logistic regression.

Each is fitted on the same training rows as the model and predicts a probability of onset within the horizon.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import StandardScaler

# Gabbett 2016 BJSM: "sweet spot" 0.8-1.3, danger above about 1.5; below 0.8 is under-training. NaN (no chronic load)
# is its own band.
ACWR_BAND_EDGES = (0.8, 1.3, 1.5)


def acwr_band(acwr: pd.Series) -> np.ndarray:
    """0: below 0.8, 1: 0.8-1.3, 2: 1.3-1.5, 3: above 1.5, 4: undefined (no running in the last 28 days)."""
    values = acwr.to_numpy(dtype=float)
    band = np.digitize(values, ACWR_BAND_EDGES)
    return np.where(np.isnan(values), len(ACWR_BAND_EDGES) + 1, band)


@dataclass(frozen=True)
class AcwrRule:
    """Risk by ACWR band: the observed onset rate of each band among training rows."""

    rate_by_band: dict[int, float]
    overall: float

    @classmethod
    def fit(cls, acwr: pd.Series, observed: np.ndarray, weight: np.ndarray | None = None) -> AcwrRule:
        """``weight``: rows kept by sampling count as 1 / their chance of being kept (default: all rows 1)."""
        bands = acwr_band(acwr)
        y = np.asarray(observed, float)
        w = np.ones(len(y)) if weight is None else np.asarray(weight, float)
        rates = {int(b): float(np.average(y[bands == b], weights=w[bands == b])) for b in np.unique(bands)}
        return cls(rate_by_band=rates, overall=float(np.average(y, weights=w)))

    def predict(self, acwr: pd.Series) -> np.ndarray:
        bands = len(ACWR_BAND_EDGES) + 2
        rates = np.array([self.rate_by_band.get(b, self.overall) for b in range(bands)])
        return rates[acwr_band(acwr)]


@dataclass(frozen=True)
class LogisticBaseline:
    """Logistic regression on the model's standardised features; missing values get the training median."""

    features: list[str]
    medians: pd.Series
    pipeline: Pipeline

    @classmethod
    def fit(cls, rows: pd.DataFrame, observed: np.ndarray, weight: np.ndarray, features: list[str]) -> LogisticBaseline:
        medians = rows[features].median().fillna(0.0)
        pipeline = make_pipeline(StandardScaler(), LogisticRegression(C=1.0, max_iter=2000))
        pipeline.fit(
            rows[features].fillna(medians), np.asarray(observed, int), logisticregression__sample_weight=weight
        )
        return cls(features=features, medians=medians, pipeline=pipeline)

    def predict(self, rows: pd.DataFrame) -> np.ndarray:
        return self.pipeline.predict_proba(rows[self.features].fillna(self.medians))[:, 1]

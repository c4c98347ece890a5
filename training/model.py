"""The injury-risk model: one calibrated classifier per injury, wrapped as an MLflow pyfunc.

Each classifier is a gradient-boosted tree model whose log-odds are recalibrated with a Platt (linear-logistic) map
fitted on athletes the trees never saw. A linear map keeps the model additive on the log-odds scale, so per-feature
contributions of the trees, scaled by the Platt slope, add up exactly to the calibrated log-odds.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

import mlflow.pyfunc
import numpy as np
import pandas as pd
from sklearn.ensemble import HistGradientBoostingClassifier
from threadpoolctl import ThreadpoolController

from training.schema import INJURIES


# The trees are tiny (4 leaves), so OpenMP's per-tree thread start and spin-wait cost more than threads gain, for one
# row and for batches alike: one request's row took 7 ms on one thread instead of 64 ms with 2 cores busy, and batch
# chunks ran 2.3-2.7x faster on one thread. Threads split rows, never a row's sum, so results are the same.
@lru_cache(maxsize=1)
def _threadpools() -> ThreadpoolController:
    return ThreadpoolController()


@dataclass
class InjuryClassifier:
    """Trees plus the Platt map: calibrated log-odds = slope * tree log-odds + intercept."""

    trees: HistGradientBoostingClassifier
    slope: float
    intercept: float

    def log_odds(self, features: pd.DataFrame) -> np.ndarray:
        with _threadpools().limit(limits=1, user_api="openmp"):
            raw = self.trees.decision_function(features)
        return self.slope * raw + self.intercept

    def probability(self, features: pd.DataFrame) -> np.ndarray:
        return 1.0 / (1.0 + np.exp(-self.log_odds(features)))


@dataclass
class InjuryRiskModel(mlflow.pyfunc.PythonModel):
    """Feature frame in, one probability column per injury out (onset within ``horizon_days``)."""

    classifiers: dict[str, InjuryClassifier]
    features: list[str]
    horizon_days: int
    base_rates: dict[str, float]
    # Population 5th-95th percentiles of each feature, for explaining values to users.
    feature_ranges: dict[str, tuple[float, float]] = field(default_factory=dict)

    def predict(self, context, model_input, params=None):
        return self.predict_risk(pd.DataFrame(model_input))

    def predict_risk(self, features: pd.DataFrame) -> pd.DataFrame:
        frame = features.reindex(columns=self.features).astype("float64")
        return pd.DataFrame({kind: self.classifiers[kind].probability(frame) for kind in INJURIES}, index=frame.index)

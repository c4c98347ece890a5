"""The injury-risk model: one calibrated classifier per injury, wrapped as an MLflow pyfunc.

Each classifier is a gradient-boosted tree model whose log-odds are recalibrated with a Platt (linear-logistic) map
fitted on athletes the trees never saw. A linear map keeps the model additive on the log-odds scale, so per-feature
contributions of the trees, scaled by the Platt slope, add up exactly to the calibrated log-odds.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import TypeVar

import numpy as np
import pandas as pd
from mlflow.pyfunc import PythonModel
from sklearn.ensemble import HistGradientBoostingClassifier

from training.domain.schema import INJURIES
from training.model.tree_compile import compile_trees
from training.model.tree_tables import TreeTables

Raw = TypeVar("Raw", float, np.ndarray)


@dataclass
class InjuryClassifier:
    """Trees plus the Platt map: calibrated log-odds = slope * tree log-odds + intercept.

    Rows are scored through the trees' lookup tables (``training/tree_tables.py``), which give scikit-learn's raw
    scores (to rounding) and TreeSHAP contributions in the same pass, at a fraction of the cost per row.
    """

    trees: HistGradientBoostingClassifier
    slope: float
    intercept: float

    @cached_property
    def tables(self) -> TreeTables:
        return compile_trees(self.trees)

    # The tables are derived at load, never stored with the model: a model saved by an earlier version must not
    # bring tables of an earlier layout with it.
    def __getstate__(self) -> dict[str, object]:
        return {k: v for k, v in self.__dict__.items() if k != "tables"}

    def __setstate__(self, state: dict[str, object]) -> None:
        self.__dict__.update({k: v for k, v in state.items() if k != "tables"})

    @property
    def base_log_odds(self) -> float:
        """Calibrated log-odds before any feature's contribution (the trees' cover-weighted expectation)."""
        return self._calibrated(self.tables.expected)

    def log_odds(self, features: pd.DataFrame) -> np.ndarray:
        return self.log_odds_matrix(self._matrix(features))

    def log_odds_matrix(self, X: np.ndarray) -> np.ndarray:
        """``log_odds`` of rows already in the trees' feature order (``_matrix``)."""
        return self._calibrated(self.tables.raw(X))

    def contributions(self, features: pd.DataFrame) -> np.ndarray:
        """Each feature's contribution to the calibrated log-odds (rows x features)."""
        return self.tables.contributions(self._matrix(features), scale=self.slope)

    def explain(self, features: pd.DataFrame, count: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Calibrated log-odds, and the ``count`` largest contributions to them (feature positions, -1 for none,
        and values) per row, from one pass over the trees."""
        return self.explain_matrix(self._matrix(features), count)

    def contributions_matrix(self, X: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Calibrated log-odds of rows already in the trees' feature order (``_matrix``), and every feature's
        contribution to them (rows x features), from one pass over the trees."""
        evaluation = self.tables.evaluate(X, scale=self.slope, keep_contributions=True)
        assert evaluation.contributions is not None
        return self._calibrated(evaluation.raw), evaluation.contributions

    def explain_matrix(self, X: np.ndarray, count: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """``explain`` of rows already in the trees' feature order (``_matrix``)."""
        evaluation = self.tables.evaluate(X, scale=self.slope, top=count)
        return self._calibrated(evaluation.raw), evaluation.top_features, evaluation.top_contributions

    def probability(self, features: pd.DataFrame) -> np.ndarray:
        return probability(self.log_odds(features))

    def _calibrated(self, raw: Raw) -> Raw:
        # The trees' raw score through the fitted calibration: every log-odds this classifier gives goes through it.
        return self.slope * raw + self.intercept

    def _matrix(self, features: pd.DataFrame) -> np.ndarray:
        self.check_columns(list(features.columns))
        return features.to_numpy(dtype="float64", na_value=np.nan)

    def check_columns(self, columns: list[str]) -> None:
        # The tables index features by position, so the columns must be the trees' own, in their order.
        expected = list(getattr(self.trees, "feature_names_in_", columns))
        if columns != expected:
            raise ValueError(f"feature columns {columns} are not the model's {expected}")


def probability(log_odds: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-log_odds))


@dataclass
class InjuryRiskModel(PythonModel):
    """Feature frame in, one probability column per injury out (onset within ``horizon_days``)."""

    classifiers: dict[str, InjuryClassifier]
    features: list[str]
    horizon_days: int
    base_rates: dict[str, float]
    # Population 5th-95th percentiles of each feature, for explaining values to users.
    feature_ranges: dict[str, tuple[float, float]] = field(default_factory=dict)
    # The training population's distribution of each feature (``training.evaluation.drift.FeatureBins.as_dict``),
    # which monitoring compares recent assessments with. Plain lists, so the pickle holds no class of evaluation.
    feature_distribution: dict[str, dict[str, list[float]]] = field(default_factory=dict)

    def predict(self, context, model_input, params=None):
        return self.predict_risk(pd.DataFrame(model_input))

    def predict_risk(self, features: pd.DataFrame) -> pd.DataFrame:
        X = self._matrix(features)
        return pd.DataFrame(
            {kind: probability(self.classifiers[kind].log_odds_matrix(X)) for kind in INJURIES}, index=features.index
        )

    def explain_risk(self, features: pd.DataFrame, count: int) -> RiskExplanation:
        """``predict_risk`` plus, per injury, the ``count`` largest contributions to its calibrated log-odds,
        computed in the same pass over the trees."""
        X = self._matrix(features)
        explained = {kind: self.classifiers[kind].explain_matrix(X, count) for kind in INJURIES}
        risks = pd.DataFrame({kind: probability(explained[kind][0]) for kind in INJURIES}, index=features.index)
        return RiskExplanation(risks, X, {kind: explained[kind][1:] for kind in INJURIES})

    def _matrix(self, features: pd.DataFrame) -> np.ndarray:
        """The model's features of every row as one matrix for the four classifiers, in the frame's own
        (column-major) order: converting the frame costs as much as a pass over the trees."""
        for classifier in self.classifiers.values():
            classifier.check_columns(self.features)
        return features.reindex(columns=self.features).to_numpy(dtype="float64", na_value=np.nan)


@dataclass(frozen=True)
class RiskExplanation:
    """Risks of many rows with each injury's top contributions, and the feature values they were computed from."""

    risks: pd.DataFrame  # probability per injury (columns) and row
    values: np.ndarray  # (rows, features): the model's inputs, in ``InjuryRiskModel.features`` order
    drivers: dict[str, tuple[np.ndarray, np.ndarray]]  # per injury: (rows, count) feature positions (-1 for none)
    # and their contributions to the calibrated log-odds, largest magnitude first

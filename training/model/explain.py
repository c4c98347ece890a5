"""Explanations: per-feature contributions to each injury's calibrated log-odds, and the top drivers in plain words.

The classifier is additive on the log-odds scale: calibrated log-odds = slope * tree log-odds + intercept. TreeSHAP
(path-dependent, exact for trees; computed from the trees' lookup tables in ``training/tree_tables.py`` and equal to
shap.TreeExplainer on the raw margin) splits the tree log-odds of a row into one value per feature plus the trees'
expected value, so

    calibrated log-odds = (slope * expected + intercept) + sum over features of slope * shap value

holds exactly. Drivers are therefore the model's own arithmetic, not a fixed table of effect sizes.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal, SupportsFloat

import numpy as np
import pandas as pd

from training.model.narration import describe
from training.model.risk_model import InjuryRiskModel, RiskExplanation
from training.model.tree_tables import rank_contributions

Direction = Literal["raises", "lowers"]


@dataclass(frozen=True)
class Contributions:
    """Per-row log-odds contributions of each feature (columns = model features) and the shared base value."""

    values: pd.DataFrame
    base: float

    def log_odds(self) -> pd.Series:
        return self.values.sum(axis=1) + self.base


@dataclass(frozen=True)
class Driver:
    """One feature's part in a risk: its value, the population's usual range and its log-odds contribution."""

    feature: str
    value: float | None
    usual_low: float | None
    usual_high: float | None
    contribution: float
    direction: Direction
    sentence: str


def contributions(model: InjuryRiskModel, rows: pd.DataFrame, kind: str) -> Contributions:
    """Exact log-odds contributions of every feature for injury ``kind`` on each row of ``rows``."""
    classifier = model.classifiers[kind]
    values = classifier.contributions(rows.reindex(columns=model.features).astype("float64"))
    return Contributions(
        values=pd.DataFrame(values, columns=model.features, index=rows.index), base=classifier.base_log_odds
    )


def top_drivers(model: InjuryRiskModel, row: pd.Series, kind: str, count: int = 3) -> list[Driver]:
    """The ``count`` features with the largest absolute contribution to ``kind`` for one feature row."""
    return drivers_from(contributions(model, row.to_frame().T, kind), row, model, count)


def drivers_from(explained: Contributions, row: pd.Series, model: InjuryRiskModel, count: int) -> list[Driver]:
    """The ``count`` largest contributions of the first row of ``explained``, as drivers with sentences."""
    parts = explained.values.iloc[0]
    drivers = []
    # Ranked as the batch's driver columns are (in the trees' kernel), so both name the same features.
    columns, chosen = rank_contributions(parts.to_numpy(dtype="float64")[None, :], count)
    for column, contribution in zip(columns[0].tolist(), chosen[0].tolist(), strict=True):
        if column < 0:
            break
        feature = str(parts.index[column])
        drivers.append(driver(feature, row.get(feature), contribution, model.feature_ranges))
    return drivers


@dataclass(frozen=True)
class RowExplanation:
    """One row's calibrated log-odds for one injury, split as in ``Contributions``, and its top drivers."""

    log_odds: float  # base plus the sum of every contribution
    base: float
    drivers: list[Driver]


def explain_row(
    model: InjuryRiskModel, parts: np.ndarray, values: Mapping[str, float], kind: str, count: int
) -> RowExplanation:
    """``drivers_from`` of one row's contributions to ``kind`` (``parts``, in the model's feature order, as
    ``InjuryClassifier.contributions_matrix`` gives them), without frames; ``values`` are the row's feature values by
    name, as the drivers quote them."""
    classifier = model.classifiers[kind]
    columns, chosen = rank_contributions(parts[None, :], count)
    drivers = []
    for column, contribution in zip(columns[0].tolist(), chosen[0].tolist(), strict=True):
        if column < 0:
            break
        feature = model.features[column]
        drivers.append(driver(feature, values.get(feature), contribution, model.feature_ranges))
    # The same sum as Contributions.log_odds (numpy's over one row), so both paths give the same float.
    return RowExplanation(float(np.sum(parts) + classifier.base_log_odds), classifier.base_log_odds, drivers)


def driver(
    feature: str, value: SupportsFloat | None, contribution: float, feature_ranges: dict[str, tuple[float, float]]
) -> Driver:
    """One driver with its direction, the population's usual range and the sentence that explains it."""
    known = number(value)
    low, high = (number(v) for v in feature_ranges.get(feature, (math.nan, math.nan)))
    direction: Direction = "raises" if contribution > 0 else "lowers"
    return Driver(
        feature=feature,
        value=known,
        usual_low=low,
        usual_high=high,
        contribution=float(contribution),
        direction=direction,
        sentence=describe(feature, known, low, high, direction),
    )


def number(value: SupportsFloat | None) -> float | None:
    """A float, or None for a missing value (None or NaN), as JSON answers show it."""
    if value is None:
        return None
    result = float(value)
    return None if math.isnan(result) else result


def driver_column(kind: str, rank: int, part: str = "") -> str:
    """Batch column of the rank-th driver of ``kind``: its feature name, or with ``part`` its value/contribution."""
    return f"driver_{rank}_{kind}" + (f"_{part}" if part else "")


def driver_columns(
    model: InjuryRiskModel, rows: pd.DataFrame, explanation: RiskExplanation, count: int
) -> dict[str, object]:
    """Top ``count`` drivers per row and injury as flat columns, for batch outputs.

    Per injury and rank: ``driver_<rank>_<kind>`` (feature name), ``..._value`` (the feature's value) and
    ``..._contribution`` (log-odds). Null where the rank has no driver or the injury is not scored (the athlete has
    it), as for the API's ``drivers``. ``explanation`` is ``model.explain_risk`` of ``rows``.
    """
    names = np.asarray(model.features)
    index = np.arange(len(rows))[:, None]
    columns: dict[str, object] = {}
    for kind, (features, contributions) in explanation.drivers.items():
        injured = rows[f"injured_{kind}"].to_numpy(dtype=bool)[:, None] if f"injured_{kind}" in rows else False
        present = (features >= 0) & ~injured
        positions = np.where(present, features, -1)
        feature_values = np.where(present, explanation.values[index, np.maximum(features, 0)], np.nan)
        chosen = np.where(present, contributions, np.nan)
        for rank in range(1, count + 1):
            columns[driver_column(kind, rank)] = pd.Categorical.from_codes(positions[:, rank - 1], categories=names)
            columns[driver_column(kind, rank, "value")] = feature_values[:, rank - 1]
            columns[driver_column(kind, rank, "contribution")] = chosen[:, rank - 1]
    return columns

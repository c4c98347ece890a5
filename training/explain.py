"""Explanations: per-feature contributions to each injury's calibrated log-odds, and the top drivers in plain words.

The classifier is additive on the log-odds scale: calibrated log-odds = slope * tree log-odds + intercept. TreeSHAP
(path-dependent, exact for trees, shap.TreeExplainer on the raw margin) splits the tree log-odds of a row into one
value per feature plus the trees' expected value, so

    calibrated log-odds = (slope * expected + intercept) + sum over features of slope * shap value

holds exactly. Drivers are therefore the model's own arithmetic, not a fixed table of effect sizes.
"""

from __future__ import annotations

import math
import weakref
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd
import shap
from sklearn.ensemble import HistGradientBoostingClassifier

from training.model import InjuryRiskModel
from training.narration import describe

Direction = Literal["raises", "lowers"]

# One explainer per fitted tree ensemble: building it walks every tree, and a served model is reused for hours.
_EXPLAINERS: weakref.WeakKeyDictionary[HistGradientBoostingClassifier, shap.TreeExplainer] = (
    weakref.WeakKeyDictionary()
)


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


def _explainer(trees: HistGradientBoostingClassifier) -> shap.TreeExplainer:
    explainer = _EXPLAINERS.get(trees)
    if explainer is None:
        explainer = shap.TreeExplainer(trees, model_output="raw", feature_perturbation="tree_path_dependent")
        _EXPLAINERS[trees] = explainer
    return explainer


def contributions(model: InjuryRiskModel, rows: pd.DataFrame, kind: str) -> Contributions:
    """Exact log-odds contributions of every feature for injury ``kind`` on each row of ``rows``."""
    classifier = model.classifiers[kind]
    frame = rows.reindex(columns=model.features).astype("float64")
    explainer = _explainer(classifier.trees)
    raw = np.asarray(explainer.shap_values(frame.to_numpy()), dtype="float64").reshape(len(frame), len(model.features))
    expected = float(np.ravel(explainer.expected_value)[0])
    return Contributions(
        values=pd.DataFrame(classifier.slope * raw, columns=model.features, index=rows.index),
        base=classifier.slope * expected + classifier.intercept,
    )


def top_drivers(model: InjuryRiskModel, row: pd.Series, kind: str, count: int = 3) -> list[Driver]:
    """The ``count`` features with the largest absolute contribution to ``kind`` for one feature row."""
    return drivers_from(contributions(model, row.to_frame().T, kind), row, model, count)


def drivers_from(explained: Contributions, row: pd.Series, model: InjuryRiskModel, count: int) -> list[Driver]:
    """The ``count`` largest contributions of the first row of ``explained``, as drivers with sentences."""
    parts = explained.values.iloc[0]
    ranked = parts.reindex(parts.abs().sort_values(ascending=False, kind="stable").index)
    drivers = []
    for feature, contribution in ranked.head(count).items():
        if contribution == 0.0:
            break
        value = _number(row.get(feature))
        low, high = model.feature_ranges.get(str(feature), (math.nan, math.nan))
        direction: Direction = "raises" if contribution > 0 else "lowers"
        drivers.append(
            Driver(
                feature=str(feature),
                value=value,
                usual_low=_number(low),
                usual_high=_number(high),
                contribution=float(contribution),
                direction=direction,
                sentence=describe(str(feature), value, _number(low), _number(high), direction),
            )
        )
    return drivers


def _number(value: object) -> float | None:
    if value is None:
        return None
    number = float(value)  # type: ignore[arg-type]
    return None if math.isnan(number) else number


def drivers_frame(model: InjuryRiskModel, rows: pd.DataFrame, count: int = 3) -> pd.DataFrame:
    """Long table of the top ``count`` drivers per scored row and injury, for batch outputs.

    Columns: athlete_id, date, injury, rank (1 = largest), feature, value, contribution. Injuries the athlete has at
    that date (``injured_<kind>``) are left out, as they are not scored.
    """
    parts = []
    for kind in model.classifiers:
        scored = rows[~rows.get(f"injured_{kind}", pd.Series(False, index=rows.index)).astype(bool)]
        if scored.empty:
            continue
        values = contributions(model, scored, kind).values
        order = np.argsort(-values.abs().to_numpy(), axis=1, kind="stable")[:, :count]
        features = np.asarray(model.features)[order]
        chosen = np.take_along_axis(values.to_numpy(), order, axis=1)
        feature_values = np.take_along_axis(scored[model.features].to_numpy(dtype="float64"), order, axis=1)
        parts.append(
            pd.DataFrame(
                {
                    "athlete_id": np.repeat(scored["athlete_id"].to_numpy(), order.shape[1]),
                    "date": np.repeat(scored["date"].to_numpy(), order.shape[1]),
                    "injury": kind,
                    "rank": np.tile(np.arange(1, order.shape[1] + 1), len(scored)),
                    "feature": features.ravel(),
                    "value": feature_values.ravel(),
                    "contribution": chosen.ravel(),
                }
            )
        )
    columns = ["athlete_id", "date", "injury", "rank", "feature", "value", "contribution"]
    if not parts:
        return pd.DataFrame(columns=columns)
    table = pd.concat(parts, ignore_index=True)
    # As for single rows (drivers_from): a feature that moves nothing is no driver.
    return table[table["contribution"] != 0.0].reset_index(drop=True)

"""Scoring: features, the model's probability, relative risk and band per athlete-day; shared by API and batch."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Literal

import numpy as np
import pandas as pd

from training.domain.schema import INJURIES, Cohort
from training.features import compute_features
from training.model.horizons import LONG_HORIZON_DAYS, risk_over_days
from training.model.risk_model import InjuryRiskModel, probability

Band = Literal["low", "moderate", "high", "very_high"]
# Relative risk (probability / population base rate) at which each band starts. Absolute seven-day risks are a few
# per thousand, so bands judged against the base rate say more than absolute cut-offs would.
BAND_THRESHOLDS: tuple[tuple[Band, float], ...] = (("very_high", 4.0), ("high", 2.0), ("moderate", 1.0), ("low", 0.0))


def band_for(relative_risk: float) -> Band:
    for band, start in BAND_THRESHOLDS:
        if relative_risk >= start:
            return band
    return "low"


def bands(relative_risk: pd.Series) -> pd.Series:
    """``band_for`` of every value (NaN stays NaN) as a categorical series, by one binary search per value."""
    values = relative_risk.to_numpy(dtype="float64", na_value=np.nan)
    ascending = BAND_THRESHOLDS[::-1]
    starts = np.array([start for _, start in ascending])
    # Below the lowest start is "low" too; NaN sorts last and is blanked below.
    codes = np.clip(np.searchsorted(starts, values, side="right") - 1, 0, None)
    codes[np.isnan(values)] = -1
    chosen = pd.Categorical.from_codes(codes, categories=[band for band, _ in ascending])
    return pd.Series(chosen, index=relative_risk.index)


def risk_column(kind: str) -> str:
    return f"risk_{kind}"


def long_risk_column(kind: str) -> str:
    """The risk of onset within ``LONG_HORIZON_DAYS`` (28) days."""
    return f"risk_{LONG_HORIZON_DAYS}d_{kind}"


def score(cohort: Cohort, spans: pd.DataFrame, model: InjuryRiskModel) -> pd.DataFrame:
    """Feature rows plus ``risk_<kind>``, ``relative_risk_<kind>``, ``band_<kind>`` and ``risk_28d_<kind>`` for every
    athlete-day in spans.

    A kind the athlete is injured with at that day is not scored (NaN risk): the answer for it is rehab guidance.
    """
    rows = compute_features(cohort, spans)
    if rows.empty:
        return rows
    return add_risk(rows, model.predict_risk(rows), model)


def add_risk(rows: pd.DataFrame, probabilities: pd.DataFrame, model: InjuryRiskModel) -> pd.DataFrame:
    """``rows`` (with ``injured_<kind>``) plus risk, relative risk, band and 28-day risk from the model's
    probabilities."""
    return rows.assign(**risk_columns(rows, probabilities, model))


def risk_columns(rows: pd.DataFrame, probabilities: pd.DataFrame, model: InjuryRiskModel) -> dict[str, pd.Series]:
    """Per injury ``risk_<kind>``, ``relative_risk_<kind>``, ``band_<kind>`` and ``risk_28d_<kind>``
    (``training.model.horizons``); NaN risks while injured with it."""
    columns: dict[str, pd.Series] = {}
    for kind in INJURIES:
        risk = probabilities[kind].where(~rows[f"injured_{kind}"].astype(bool), np.nan)
        columns[risk_column(kind)] = risk
        columns[f"relative_risk_{kind}"] = risk / model.base_rates[kind]
        columns[f"band_{kind}"] = bands(columns[f"relative_risk_{kind}"])
        columns[long_risk_column(kind)] = pd.Series(risk_over_days(risk, model.horizon_days), index=risk.index)
    return columns


def feature_matrix(model: InjuryRiskModel, columns: Mapping[str, np.ndarray]) -> np.ndarray:
    """Rows of feature arrays (by name) as the model's input matrix, in its feature order."""
    # Built column by column in one copy and kept column-major, the order the trees' kernel reads features in.
    return np.array([columns[name] for name in model.features], dtype="float64").T


def risks_of_log_odds(
    model: InjuryRiskModel, log_odds: Mapping[str, np.ndarray], injured: Mapping[str, np.ndarray]
) -> dict[str, np.ndarray]:
    """``risk_columns`` without frames, for rows whose calibrated log-odds per injury are known
    (``InjuryClassifier.log_odds_matrix`` or ``contributions_matrix``): ``risk_<kind>``, ``relative_risk_<kind>`` and
    ``risk_28d_<kind>`` per injury, NaN while injured with it (``injured`` holds the ``injured_<kind>`` flags)."""
    columns: dict[str, np.ndarray] = {}
    for kind in INJURIES:
        risk = _risk(log_odds[kind], injured, kind)
        columns[risk_column(kind)] = risk
        columns[f"relative_risk_{kind}"] = risk / model.base_rates[kind]
        columns[long_risk_column(kind)] = risk_over_days(risk, model.horizon_days)
    return columns


def relative_risk_arrays(
    model: InjuryRiskModel, X: np.ndarray, injured: Mapping[str, np.ndarray]
) -> dict[str, np.ndarray]:
    """The ``relative_risk_<kind>`` columns of ``risks_of_log_odds`` alone for the rows of ``X``
    (``feature_matrix``), for callers that judge rows by nothing else."""
    return {
        f"relative_risk_{kind}": _risk(model.classifiers[kind].log_odds_matrix(X), injured, kind)
        / model.base_rates[kind]
        for kind in INJURIES
    }


def _risk(log_odds: np.ndarray, injured: Mapping[str, np.ndarray], kind: str) -> np.ndarray:
    return np.where(injured[f"injured_{kind}"], np.nan, probability(log_odds))

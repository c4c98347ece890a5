"""Scoring: features, the model's probability, relative risk and band per athlete-day; shared by API and batch."""

from __future__ import annotations

from typing import Literal

import numpy as np
import pandas as pd

from training.features import compute_features
from training.model import InjuryRiskModel
from training.schema import INJURIES, Cohort

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
    """``band_for`` of every value (NaN stays NaN), by one binary search per value rather than a mask per band."""
    values = relative_risk.to_numpy(dtype="float64", na_value=np.nan)
    ascending = BAND_THRESHOLDS[::-1]
    starts = np.array([start for _, start in ascending])
    names = np.array([band for band, _ in ascending], dtype=object)
    # Below the lowest start is "low" too; NaN sorts last and is blanked below.
    chosen = names[np.clip(np.searchsorted(starts, values, side="right") - 1, 0, None)]
    chosen[np.isnan(values)] = np.nan
    return pd.Series(chosen, index=relative_risk.index, dtype="object")


def risk_column(kind: str) -> str:
    return f"risk_{kind}"


def score(cohort: Cohort, spans: pd.DataFrame, model: InjuryRiskModel) -> pd.DataFrame:
    """Feature rows plus ``risk_<kind>``, ``relative_risk_<kind>`` and ``band_<kind>`` for every athlete-day in spans.

    A kind the athlete is injured with at that day is not scored (NaN risk): the answer for it is rehab guidance.
    """
    rows = compute_features(cohort, spans)
    if rows.empty:
        return rows
    return add_risk(rows, model.predict_risk(rows), model.base_rates)


def add_risk(rows: pd.DataFrame, probabilities: pd.DataFrame, base_rates: dict[str, float]) -> pd.DataFrame:
    """``rows`` (with ``injured_<kind>``) plus risk, relative risk and band from the model's probabilities.

    Separate from ``score`` so that the Spark engine, which applies the model as a Spark UDF, finishes rows alike.
    """
    for kind in INJURIES:
        risk = probabilities[kind].where(~rows[f"injured_{kind}"].astype(bool), np.nan)
        rows[risk_column(kind)] = risk
        rows[f"relative_risk_{kind}"] = risk / base_rates[kind]
        rows[f"band_{kind}"] = bands(rows[f"relative_risk_{kind}"])
    return rows

"""Batch scoring of every athlete of a cohort as of a day, with the same scoring code as the API."""

from __future__ import annotations

import pandas as pd

from training.features import days_to_score
from training.registry import ServedModel
from training.schema import INJURIES, Cohort
from training.scoring import risk_column, score

RESULT_COLUMNS: list[str] = ["athlete_id", "as_of", "model_name", "model_version"] + [
    column for kind in INJURIES for column in (risk_column(kind), f"relative_risk_{kind}", f"band_{kind}")
]


def result_frame(rows: pd.DataFrame, model_name: str, model_version: str) -> pd.DataFrame:
    """The stored shape of scored rows (output of ``scoring.score``): one row per athlete-day, see RESULT_COLUMNS.

    Hook for top drivers: once an explanation module exists, its per-row drivers are added here as extra columns,
    so the local and Spark engines (which both call this) store them alike.
    """
    if rows.empty:
        return pd.DataFrame(columns=RESULT_COLUMNS)
    result = rows.rename(columns={"date": "as_of"})
    result["model_name"] = model_name
    result["model_version"] = model_version
    return result[RESULT_COLUMNS].reset_index(drop=True)


def score_cohort(cohort: Cohort, as_of: pd.Timestamp, served: ServedModel) -> pd.DataFrame:
    """One row per athlete: as_of, model version, and per injury the probability, relative risk and band."""
    spans = days_to_score(cohort, as_of=as_of, start=as_of)
    return result_frame(score(cohort, spans, served.model), served.name, served.version)

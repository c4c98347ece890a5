"""Batch scoring of every athlete of a cohort as of a day, with the same scoring code as the API."""

from __future__ import annotations

import pandas as pd

from training.explain import driver_column, driver_columns
from training.features import compute_features
from training.model import InjuryRiskModel
from training.schema import INJURIES, Cohort
from training.scoring import add_risk, risk_column

# Top drivers stored per injury and athlete-day (the API's default number of drivers).
BATCH_DRIVERS = 3
DRIVER_COLUMNS: list[str] = [
    driver_column(kind, rank, part)
    for kind in INJURIES
    for rank in range(1, BATCH_DRIVERS + 1)
    for part in ("", "value", "contribution")
]
RESULT_COLUMNS: list[str] = (
    ["athlete_id", "as_of", "model_name", "model_version"]
    + [column for kind in INJURIES for column in (risk_column(kind), f"relative_risk_{kind}", f"band_{kind}")]
    + DRIVER_COLUMNS
)


def score_explained(cohort: Cohort, spans: pd.DataFrame, model: InjuryRiskModel) -> pd.DataFrame:
    """``scoring.score`` plus the top drivers of every risk: features, then one pass over the trees for both."""
    rows = compute_features(cohort, spans)
    if rows.empty:
        return rows
    risks, explained = model.explain_risk(rows)
    rows = add_risk(rows, risks, model.base_rates)
    return pd.concat([rows, driver_columns(model, rows, explained, BATCH_DRIVERS)], axis=1)


def result_frame(rows: pd.DataFrame, model_name: str, model_version: str) -> pd.DataFrame:
    """The stored shape of scored rows (output of ``score_explained``): one row per athlete-day, see RESULT_COLUMNS."""
    if rows.empty:
        return pd.DataFrame(columns=RESULT_COLUMNS)
    result = rows.rename(columns={"date": "as_of"})
    result["model_name"] = model_name
    result["model_version"] = model_version
    return result[RESULT_COLUMNS].reset_index(drop=True)


"""Batch scoring of every athlete of a cohort as of a day, with the same scoring code as the API."""

from __future__ import annotations

import numpy as np
import pandas as pd

from training.domain.schema import INJURIES, Cohort
from training.features import compute_features
from training.model.explain import driver_column, driver_columns
from training.model.registry import ServedModel
from training.model.scoring import long_risk_column, risk_column, risk_columns

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
    + [
        column
        for kind in INJURIES
        for column in (risk_column(kind), f"relative_risk_{kind}", f"band_{kind}", long_risk_column(kind))
    ]
    + DRIVER_COLUMNS
)


def scored_results(cohort: Cohort, spans: pd.DataFrame, served: ServedModel) -> pd.DataFrame:
    """Every athlete-day of ``spans`` scored and explained, in the stored shape (RESULT_COLUMNS, one row each).

    The same features and ``risk_columns`` as the API's ``scoring.score``, with the top drivers of every risk from
    the same pass over the trees as the probabilities. Both engines call this (Spark once per group of athletes).
    """
    rows = compute_features(cohort, spans)
    if rows.empty:
        return pd.DataFrame({column: pd.Series(dtype=_EMPTY_TYPES.get(column, "float64")) for column in RESULT_COLUMNS})
    explanation = served.model.explain_risk(rows, BATCH_DRIVERS)
    columns: dict[str, object] = {
        "athlete_id": rows["athlete_id"].to_numpy(),
        "as_of": rows["date"].to_numpy(),
        # One value each, as categories: the writers then store a code per row, not the same text again.
        "model_name": _constant(served.name, len(rows)),
        "model_version": _constant(served.version, len(rows)),
    }
    columns.update({k: v.to_numpy() for k, v in risk_columns(rows, explanation.risks, served.model).items()})
    columns.update(driver_columns(served.model, rows, explanation, BATCH_DRIVERS))
    # Columns stay separate blocks (copy=False): consolidating 50 of them would copy every result once more.
    return pd.DataFrame({column: columns[column] for column in RESULT_COLUMNS}, copy=False)


_EMPTY_TYPES = {"athlete_id": "object", "as_of": "datetime64[ns]", "model_name": "object", "model_version": "object"}


def _constant(value: str, rows: int) -> pd.Categorical:
    return pd.Categorical.from_codes(np.zeros(rows, dtype=np.int8), categories=[value])

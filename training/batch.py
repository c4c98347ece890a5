"""Batch scoring of every athlete of a cohort as of a day, with the same scoring code as the API."""

from __future__ import annotations

import pandas as pd

from training.features import days_to_score
from training.registry import ServedModel
from training.schema import INJURIES, Cohort
from training.scoring import risk_column, score


def score_cohort(cohort: Cohort, as_of: pd.Timestamp, served: ServedModel) -> pd.DataFrame:
    """One row per athlete: as_of, model version, and per injury the probability, relative risk and band."""
    spans = days_to_score(cohort, as_of=as_of, start=as_of)
    rows = score(cohort, spans, served.model)
    columns = ["athlete_id", "date"]
    for kind in INJURIES:
        columns += [risk_column(kind), f"relative_risk_{kind}", f"band_{kind}"]
    result = rows[columns].rename(columns={"date": "as_of"})
    result.insert(2, "model_version", served.version)
    result.insert(2, "model_name", served.name)
    return result

"""Which stored assessments were followed by an onset: the training label (``training.fitting.labels``) applied to
the stored assessments and the recorded injuries, so the service judges its predictions by the rule they were
trained for."""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
import pandas as pd

from service.schemas.monitoring import BandOutcomes, InjuryOutcomes, OnsetFigures
from training.domain.schema import INJURIES, Injury
from training.evaluation.outcomes import onset_check, realised_auc
from training.fitting.labels import label_column, onset_labels
from training.model.scoring import BAND_THRESHOLDS, bands


def onset_column(kind: str) -> str:
    return f"onset_{kind}"


def judged(
    assessments: pd.DataFrame, injuries: pd.DataFrame, observed_until: dt.date, horizon_days: int
) -> pd.DataFrame:
    """The assessments whose horizon ends by ``observed_until``, with ``onset_<kind>``: 1 if an injury of that kind
    began within the horizon after as_of, 0 if not, NaN where the kind was not scored (the athlete had it)."""
    if assessments.empty:
        return assessments
    day = pd.to_datetime(assessments["as_of"])
    due = assessments[day + pd.Timedelta(days=horizon_days) <= pd.Timestamp(observed_until)]
    if due.empty:
        return due
    rows = pd.DataFrame(
        {
            "athlete_id": due["athlete_id"].astype(str),
            "date": pd.to_datetime(due["as_of"]),
            **{f"injured_{kind}": due[f"p_{kind}"].isna() for kind in INJURIES},
        },
        index=due.index,
    )
    onsets = pd.DataFrame(
        {
            "athlete_id": injuries["athlete_id"].astype(str),
            "kind": injuries["kind"].astype(str),
            "onset": pd.to_datetime(injuries["onset"]),
        }
    )
    until = pd.Series(pd.Timestamp(observed_until), index=rows["athlete_id"].unique())
    labels = onset_labels(rows, onsets, until, horizon_days)
    return due.assign(**{onset_column(kind): labels[label_column(kind)] for kind in INJURIES})


def onset_figures(risks: np.ndarray, onsets: np.ndarray) -> dict[str, Any]:
    """``OnsetFigures`` fields of the risks against the onsets that followed them."""
    check = onset_check(risks, onsets)
    return OnsetFigures(
        assessments=check.predictions,
        onsets=check.onsets,
        expected_onsets=check.expected_onsets,
        expected_low=check.expected_low,
        expected_high=check.expected_high,
        within_expected=check.within_expected,
        observed_expected=check.observed_expected,
        observed_expected_low=check.observed_expected_low,
        observed_expected_high=check.observed_expected_high,
    ).model_dump()


def injury_outcomes(rows: pd.DataFrame, min_onsets_for_auc: int) -> list[InjuryOutcomes]:
    """Per model version and injury, the onset figures overall and per band, and the realised ROC AUC."""
    found = []
    for (name, version), of_version in rows.groupby(["model_name", "model_version"], sort=True):
        for kind in INJURIES:
            scored = of_version[of_version[onset_column(kind)].notna()]
            if scored.empty:
                continue
            risks = scored[f"p_{kind}"].to_numpy(dtype="float64")
            onsets = scored[onset_column(kind)].to_numpy(dtype="float64")
            band_of = bands(scored[f"rr_{kind}"]).astype(str).to_numpy()
            per_band = [
                BandOutcomes(band=band, **onset_figures(risks[band_of == band], onsets[band_of == band]))
                for band, _ in reversed(BAND_THRESHOLDS)
                if (band_of == band).any()
            ]
            auc = realised_auc(risks, onsets, min_onsets_for_auc)
            found.append(
                InjuryOutcomes(
                    injury=Injury(kind),
                    model_name=str(name),
                    model_version=str(version),
                    bands=per_band,
                    roc_auc=auc.auc,
                    roc_auc_low=auc.low,
                    roc_auc_high=auc.high,
                    roc_auc_note=auc.note,
                    **onset_figures(risks, onsets),
                )
            )
    return found

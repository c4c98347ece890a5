"""Drift of the assessed population: each feature of the window's assessments against the training population of
the model in service (population stability index), and the risk bands by week."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from service.schemas.monitoring import DriftReport, FeatureDrift, WeekBands
from training.domain.schema import INJURIES, Injury
from training.evaluation.drift import FeatureBins, feature_psi
from training.model.scoring import BAND_THRESHOLDS, bands

_BANDS = [band for band, _ in reversed(BAND_THRESHOLDS)]


def feature_drift(
    assessments: pd.DataFrame,
    distribution: Mapping[str, Mapping[str, list[float]]],
    version: str | None,
    threshold: float,
    min_assessments: int,
) -> DriftReport:
    """PSI per feature of the training ``distribution`` (the model's ``feature_distribution``) over the assessments
    that kept their features."""
    stored = [] if assessments.empty else [f for f in assessments["features"] if f]
    without = len(assessments) - len(stored)
    note = None
    if not distribution:
        note = "the model in service was trained before feature distributions were saved with it"
    elif len(stored) < min_assessments:
        note = f"{len(stored)} assessments with features; drift is flagged from {min_assessments}"
    drifts = []
    for name, saved in distribution.items():
        training = FeatureBins.from_dict(saved)
        values = np.array([np.nan if row.get(name) is None else row[name] for row in stored], dtype="float64")
        psi = feature_psi(training, values)
        known = not np.isnan(psi)
        drifts.append(
            FeatureDrift(
                feature=name,
                psi=psi if known else None,
                flagged=known and psi > threshold and len(stored) >= min_assessments,
                edges=list(training.edges),
                training_shares=list(training.shares),
                recent_shares=[float(s) for s in training.shares_of(values)] if known else [],
            )
        )
    flagged = sorted((d for d in drifts if d.flagged), key=lambda d: -(d.psi or 0.0))
    return DriftReport(
        training_model_version=version if distribution else None,
        assessments_with_features=len(stored),
        assessments_without_features=without,
        psi_threshold=threshold,
        min_assessments=min_assessments,
        flagged=[d.feature for d in flagged],
        features=drifts,
        note=note,
    )


def risk_by_week(assessments: pd.DataFrame) -> list[WeekBands]:
    """Per week (from Monday), model version and injury: assessments per band and their mean probability."""
    if assessments.empty:
        return []
    day = pd.to_datetime(assessments["as_of"])
    week = (day - pd.to_timedelta(day.dt.weekday, unit="D")).dt.date
    found = []
    for kind in INJURIES:
        frame = pd.DataFrame(
            {
                "week": week,
                "version": assessments["model_version"].astype(str),
                "p": assessments[f"p_{kind}"].astype("float64"),
                "band": bands(assessments[f"rr_{kind}"].astype("float64")).astype(object),
            }
        ).dropna(subset=["p"])
        for (start, version), rows in frame.groupby(["week", "version"], sort=True):
            counts = {band: int((rows["band"] == band).sum()) for band in _BANDS}
            found.append(
                WeekBands(
                    week_start=start,
                    model_version=str(version),
                    injury=Injury(kind),
                    assessments=len(rows),
                    mean_probability=float(rows["p"].mean()),
                    bands=counts,
                    shares={band: count / len(rows) for band, count in counts.items()},
                )
            )
    return sorted(found, key=lambda w: (w.week_start, w.model_version, INJURIES.index(w.injury.value)))

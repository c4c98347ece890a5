"""Body of GET /v1/model/monitoring: stored assessments against the injuries that followed, and feature drift."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, Field

from training.domain.schema import Injury
from training.model.scoring import Band


class OnsetFigures(BaseModel):
    """Onsets that followed a group of assessments against the onsets their risks predicted."""

    assessments: int = Field(description="Assessments whose horizon has passed and that scored this injury.")
    onsets: int = Field(description="Of them, those followed by an onset of this injury within the horizon.")
    expected_onsets: float = Field(description="Sum of the assessments' predicted risks.")
    expected_low: int = Field(description="Low end of the 95% range of onsets if every risk were right.")
    expected_high: int = Field(description="High end of the same range (Poisson-binomial of the risks).")
    within_expected: bool = Field(description="Whether the onsets fall within expected_low..expected_high.")
    observed_expected: float | None = Field(description="Onsets / expected onsets; null when nothing was expected.")
    observed_expected_low: float | None = Field(description="95% interval (exact Poisson on the onsets), low end.")
    observed_expected_high: float | None = Field(description="The same, high end.")


class BandOutcomes(OnsetFigures):
    band: Band


class InjuryOutcomes(OnsetFigures):
    """One injury's figures for the assessments of one model version."""

    injury: Injury
    model_name: str
    model_version: str
    bands: list[BandOutcomes] = Field(
        description="The same figures per band of the assessments (bands without any left out)."
    )
    roc_auc: float | None = Field(description="Realised ROC AUC against the onsets; null with too few onsets.")
    roc_auc_low: float | None = Field(description="95% interval (Hanley-McNeil), low end.")
    roc_auc_high: float | None = Field(description="95% interval, high end.")
    roc_auc_note: str | None = Field(description="Why the ROC AUC is not given, when it is not.")


class FeatureDrift(BaseModel):
    feature: str
    psi: float | None = Field(description="Population stability index against training; null with no assessments.")
    flagged: bool = Field(description="psi above the threshold, over at least min_assessments assessments.")
    edges: list[float] = Field(
        description="Bin edges: training quantiles (bin i holds edges[i-1] < value <= edges[i])."
    )
    training_shares: list[float] = Field(description="Share of training rows per bin, then the share missing.")
    recent_shares: list[float] = Field(description="The same for the window's assessments.")


class DriftReport(BaseModel):
    """The features of the window's assessments against the training population of the model in service."""

    training_model_version: str | None = Field(description="The model whose training population is compared with.")
    assessments_with_features: int
    assessments_without_features: int = Field(description="Stored before features were kept, or by the batch job.")
    psi_threshold: float
    min_assessments: int = Field(description="Assessments with features needed before a feature is flagged.")
    flagged: list[str] = Field(description="Features whose psi is above the threshold, largest first.")
    features: list[FeatureDrift]
    note: str | None = Field(description="Why drift is not judged, when it is not.")


class WeekBands(BaseModel):
    """One week's assessments of one model version: how many fell in each band of one injury."""

    week_start: dt.date = Field(description="Monday of the week of as_of.")
    model_version: str
    injury: Injury
    assessments: int = Field(description="Assessments that scored this injury that week.")
    mean_probability: float
    bands: dict[Band, int]
    shares: dict[Band, float]


class MonitoringReport(BaseModel):
    tenant: str | None = Field(description="The tenant these figures are of; null: every tenant (operators).")
    window_from: dt.date | None = Field(description="First as_of day included; null: from the first assessment.")
    window_to: dt.date | None = Field(description="Last as_of day included; null: to the latest.")
    model_version: str | None = Field(description="Only this model version's assessments; null: every version.")
    observed_until: dt.date = Field(
        description="Last day whose injuries count: an assessment's horizon must end by it."
    )
    horizon_days: int
    min_onsets_for_auc: int = Field(description="Onsets an injury needs before its realised ROC AUC is given.")
    assessments: int = Field(description="Assessments in the window (one per athlete, day and model version).")
    awaiting_outcome: int = Field(description="Of them, those whose horizon has not passed yet: not judged below.")
    outcomes: list[InjuryOutcomes] = Field(description="Per model version and injury.")
    drift: DriftReport
    risk_by_week: list[WeekBands] = Field(
        description="Every assessment of the window by week, model version and injury."
    )

"""Body of GET /v1/model."""

from __future__ import annotations

from pydantic import BaseModel, Field


class HorizonHeadline(BaseModel):
    """How well the model did on one injury's held-out test rows over one horizon; None where the run did not measure
    it (a model trained before the figure existed, or a test set with a single class)."""

    expected_auc: float | None = Field(
        None, description="ROC AUC against the simulator's true risk as soft label (pairs weighted p_i (1 - p_j))."
    )
    expected_auc_ci_low: float | None = Field(None, description="95% athlete-bootstrap interval, low end.")
    expected_auc_ci_high: float | None = Field(None, description="95% athlete-bootstrap interval, high end.")
    fair_oracle_expected_auc: float | None = Field(
        None, description="The same for the fair oracle: the true hazard known at day t, next week's plan unknown."
    )
    expected_auc_gap_to_fair_oracle: float | None = Field(None, description="Model minus fair oracle.")
    expected_brier: float | None = Field(None, description="Brier score averaged over the onset draw of the truth.")
    roc_auc: float | None = Field(None, description="ROC AUC against the realised onsets.")
    roc_auc_ci_low: float | None = None
    roc_auc_ci_high: float | None = None
    fair_oracle_roc_auc: float | None = None
    test_onsets: float | None = Field(None, description="Distinct onsets ahead of the test rows.")
    observed_expected: float | None = Field(None, description="Observed onsets / sum of predicted risks.")
    calibration_slope: float | None = Field(None, description="Logistic recalibration slope on realised onsets.")
    truth_calibration_slope: float | None = Field(None, description="Recalibration slope on the true risk.")
    truth_expected_ratio: float | None = Field(None, description="Sum of true risks / sum of predicted risks.")
    truth_decile_ratio_min: float | None = Field(
        None, description="Lowest mean true / mean predicted risk among the deciles of the model's risk."
    )
    truth_decile_ratio_max: float | None = Field(None, description="Highest of the same.")


class InjuryHeadline(HorizonHeadline):
    """The figures of the model's own horizon (``horizon_days``), and of its 28-day risk."""

    over_28_days: HorizonHeadline | None = Field(
        None,
        description="The same figures for probability_28d, against the simulator's true 28-day risk and onsets within "
        "28 days (test_onsets is not counted; None for a model trained before they were measured).",
    )


class ModelPublic(BaseModel):
    name: str
    version: str
    alias: str
    run_id: str
    trained_at: str
    horizon_days: int
    features: list[str]
    base_rates: dict[str, float]
    metrics: dict[str, float]
    headline: dict[str, InjuryHeadline] = Field(
        default_factory=dict, description="Per injury, the figures the model is judged by (also in metrics)."
    )
    model_card: str | None = None  # markdown: data, metrics vs baselines and oracles, intended use, limits

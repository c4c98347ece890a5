"""GET /v1/model: which registered model answers, how well it did on held-out data, and its model card.
POST /v1/model/reload (admin role): load the version the serving alias points at now (after a promotion) without a
restart."""

from __future__ import annotations

import math

from fastapi import APIRouter, HTTPException, status

from service.api.deps import ModelAdmin, ModelHolderDep, ServedModelDep
from service.schemas.model import HorizonHeadline, InjuryHeadline, ModelPublic
from training.domain.schema import INJURIES
from training.evaluation.metrics import long_horizon_name
from training.model.registry import ServedModel

# Headline field -> logged metric name, with {k} the injury.
_HEADLINE = {
    "expected_auc": "{k}_expected_auc",
    "expected_auc_ci_low": "{k}_expected_auc_ci_low",
    "expected_auc_ci_high": "{k}_expected_auc_ci_high",
    "fair_oracle_expected_auc": "oracle_fair_{k}_expected_auc",
    "expected_auc_gap_to_fair_oracle": "{k}_expected_auc_gap_to_oracle_fair",
    "expected_brier": "{k}_expected_brier",
    "roc_auc": "{k}_roc_auc",
    "roc_auc_ci_low": "{k}_roc_auc_ci_low",
    "roc_auc_ci_high": "{k}_roc_auc_ci_high",
    "fair_oracle_roc_auc": "oracle_fair_{k}_roc_auc",
    "test_onsets": "{k}_test_onsets",
    "observed_expected": "{k}_observed_expected",
    "calibration_slope": "{k}_calibration_slope",
    "truth_calibration_slope": "{k}_truth_calibration_slope",
    "truth_expected_ratio": "{k}_truth_expected_ratio",
    "truth_decile_ratio_min": "{k}_truth_decile_ratio_min",
    "truth_decile_ratio_max": "{k}_truth_decile_ratio_max",
}


def _figures(metrics: dict[str, float], name: str) -> dict[str, float]:
    values = {field: metrics.get(metric.format(k=name)) for field, metric in _HEADLINE.items()}
    return {f: v for f, v in values.items() if v is not None and not math.isnan(v)}


def _headline(metrics: dict[str, float], kind: str) -> InjuryHeadline:
    # The 28-day figures are logged under "<kind>_28d" in place of the injury (training.evaluation.metrics).
    long = _figures(metrics, long_horizon_name(kind))
    return InjuryHeadline(**_figures(metrics, kind), over_28_days=HorizonHeadline(**long) if long else None)


router = APIRouter(prefix="/v1", tags=["model"])


def _public(served: ServedModel) -> ModelPublic:
    return ModelPublic(
        name=served.name,
        version=served.version,
        alias=served.alias,
        run_id=served.run_id,
        trained_at=served.trained_at,
        horizon_days=served.model.horizon_days,
        features=served.model.features,
        base_rates=served.model.base_rates,
        metrics={k: v for k, v in served.metrics.items() if not math.isnan(v)},  # NaN (one-class test set) is not JSON
        headline={kind: _headline(served.metrics, kind) for kind in INJURIES},
        model_card=served.model_card,
    )


@router.get("/model", response_model=ModelPublic, summary="The model in service, its test metrics and model card")
def get_model(served: ServedModelDep) -> ModelPublic:
    return _public(served)


@router.post("/model/reload", response_model=ModelPublic, summary="Load the version the serving alias points at now")
def reload_model(_caller: ModelAdmin, holder: ModelHolderDep) -> ModelPublic:
    served = holder.reload_if_changed()
    if served is None:
        raise HTTPException(status_code=status.HTTP_503_SERVICE_UNAVAILABLE, detail=holder.problem)
    return _public(served)

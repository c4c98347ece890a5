"""GET /v1/model: which registered model answers, how well it did on held-out data, and its model card.
POST /v1/model/reload (admin role): load the version the serving alias points at now (after a promotion) without a
restart."""

from __future__ import annotations

import math

from fastapi import APIRouter, HTTPException, status

from service.api.deps import ModelAdmin, ModelHolderDep, ServedModelDep
from service.schemas.model import ModelPublic
from training.model.registry import ServedModel

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

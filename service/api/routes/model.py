"""GET /v1/model: which registered model answers, and how well it did on held-out athletes."""

from __future__ import annotations

import math

from fastapi import APIRouter

from service.api.deps import ServedModelDep
from service.schemas.model import ModelPublic

router = APIRouter(prefix="/v1", tags=["model"])


@router.get("/model", response_model=ModelPublic, summary="The model in service and its test metrics")
def get_model(served: ServedModelDep) -> ModelPublic:
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
    )

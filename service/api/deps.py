"""Dependencies shared by the routers: settings and the served model."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, HTTPException, Request, status

from service.model_holder import ModelHolder
from training.registry import ServedModel
from training.settings import Settings


def get_app_settings(request: Request) -> Settings:
    return request.app.state.settings


def get_model_holder(request: Request) -> ModelHolder:
    return request.app.state.models


def require_model(holder: Annotated[ModelHolder, Depends(get_model_holder)]) -> ServedModel:
    served = holder.current()
    if served is None:
        raise HTTPException(
            status_code=status.HTTP_503_SERVICE_UNAVAILABLE, detail=holder.problem, headers={"Retry-After": "30"}
        )
    return served


SettingsDep = Annotated[Settings, Depends(get_app_settings)]
ModelHolderDep = Annotated[ModelHolder, Depends(get_model_holder)]
ServedModelDep = Annotated[ServedModel, Depends(require_model)]

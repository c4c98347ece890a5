"""Liveness and readiness probes."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from service.api.deps import ModelHolderDep

router = APIRouter(tags=["operations"])


@router.get("/healthz", summary="The process is alive")
def healthz() -> dict[str, str]:
    return {"status": "ok"}


@router.get("/readyz", summary="A model is loaded and requests can be scored")
def readyz(holder: ModelHolderDep) -> JSONResponse:
    served = holder.current()
    if served is None:
        return JSONResponse({"status": "not ready", "reason": holder.problem}, status_code=503)
    return JSONResponse({"status": "ready", "model": served.name, "version": served.version})

"""Liveness and readiness probes."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from service.api.deps import DatabaseDep, ModelHolderDep

router = APIRouter(tags=["operations"])


@router.get("/healthz", summary="The process is alive")
def healthz() -> dict[str, str]:
    return {"status": "ok"}


@router.get("/readyz", summary="A model is loaded and the database answers")
def readyz(holder: ModelHolderDep, database: DatabaseDep) -> JSONResponse:
    served = holder.current()
    database_problem = database.problem()
    if served is None or database_problem:
        reason = "; ".join(p for p in (holder.problem if served is None else "", database_problem) if p)
        return JSONResponse(
            {"status": "not ready", "reason": reason, "database": database_problem or "ok"},
            status_code=503,
            headers={"Retry-After": "5"},
        )
    return JSONResponse({"status": "ready", "model": served.name, "version": served.version, "database": "ok"})

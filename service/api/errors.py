"""Errors the database layer raises, as HTTP answers: 503 with Retry-After when it is unreachable, 409 on conflicts."""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DataError, IntegrityError, InterfaceError, OperationalError, ProgrammingError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError

from service.db.session import unavailable_reason
from service.pagination import CursorError
from service.repositories.conflicts import Conflict

log = logging.getLogger(__name__)

RETRY_AFTER_S = 5


def install_error_handlers(app: FastAPI) -> None:
    async def unavailable(request: Request, error: Exception) -> JSONResponse:
        reason = unavailable_reason(error)
        log.warning("%s %s: %s", request.method, request.url.path, reason)
        # The full reason (host, port, driver message) goes to the log and /readyz, not to every caller.
        not_migrated = reason.startswith("database not migrated")
        public = reason if not_migrated else "database unavailable; retry later"
        metrics = request.app.state.metrics
        if metrics is not None:
            metrics.database_errors.labels("not_migrated" if not_migrated else "unavailable").inc()
        return JSONResponse({"detail": public}, status_code=503, headers={"Retry-After": str(RETRY_AFTER_S)})

    async def conflict(request: Request, error: Exception) -> JSONResponse:
        message = error.message if isinstance(error, Conflict) else "conflicts with a concurrent change; retry"
        return JSONResponse({"detail": message}, status_code=409)

    async def bad_cursor(request: Request, error: Exception) -> JSONResponse:
        detail = [{"type": "value_error", "loc": ["query", "cursor"], "msg": str(error), "input": None}]
        return JSONResponse({"detail": detail}, status_code=422)

    async def unstorable(request: Request, error: Exception) -> JSONResponse:
        # Input that passed validation but that the database cannot hold, e.g. a NUL character in PostgreSQL text.
        reason = unavailable_reason(error).removeprefix("database unavailable: ")
        detail = [{"type": "value_error", "loc": ["body"], "msg": f"a value the database cannot store: {reason}"}]
        return JSONResponse({"detail": detail}, status_code=422)

    async def missing_table(request: Request, error: Exception) -> JSONResponse:
        # PostgreSQL reports an unmigrated database as a programming error (undefined table), SQLite as operational.
        if unavailable_reason(error).startswith("database not migrated"):
            return await unavailable(request, error)
        log.error("%s %s: %s", request.method, request.url.path, error)
        return JSONResponse({"detail": "internal error"}, status_code=500)

    app.add_exception_handler(ProgrammingError, missing_table)
    for kind in (OperationalError, InterfaceError, PoolTimeoutError):
        app.add_exception_handler(kind, unavailable)
    app.add_exception_handler(Conflict, conflict)
    app.add_exception_handler(IntegrityError, conflict)
    app.add_exception_handler(CursorError, bad_cursor)
    app.add_exception_handler(DataError, unstorable)

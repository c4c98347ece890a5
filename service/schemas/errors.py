"""The body of every error answer, and the error statuses each kind of operation may answer."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field


class ErrorPublic(BaseModel):
    detail: str = Field(description="What went wrong, in one sentence; 422 answers list each field instead.")


def _error(description: str) -> dict[str, Any]:
    return {"model": ErrorPublic, "description": description}


# Raised before any handler runs (request limits, the database), so every operation may answer them.
ANY_OPERATION: dict[int | str, dict[str, Any]] = {
    408: _error("The request body did not arrive within request_body_timeout_s."),
    413: _error("The request body is over max_request_bytes."),
    431: _error("The request headers are over server_max_header_bytes."),
    503: _error("The database or the model is unavailable; retry after Retry-After seconds."),
}
# Operations under /v1 that take an API key.
WITH_KEY: dict[int | str, dict[str, Any]] = {
    **ANY_OPERATION,
    401: _error("No API key, or one that is unknown, revoked or expired."),
    403: _error("The key's role may not do this."),
    404: _error("No such athlete or key in the caller's tenant."),
    409: _error("Conflicts with stored data or a concurrent change."),
    429: _error("The key is over rate_limit_per_minute; retry after Retry-After seconds."),
}

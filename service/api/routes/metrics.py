"""GET /metrics: the Prometheus scrape, without an API key (operators restrict it by network; docs/operations.md)."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

router = APIRouter(tags=["operations"])


# Left out of the OpenAPI schema: it answers Prometheus's text format, not JSON, and is no part of the client API.
@router.get("/metrics", include_in_schema=False)
def metrics(request: Request) -> Response:
    body, content_type = request.app.state.metrics.exposition()
    return Response(body, media_type=content_type)

"""GET /metrics: the Prometheus scrape, without an API key (operators restrict it by network; docs/operations.md)."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

router = APIRouter(tags=["operations"])


# Left out of the OpenAPI schema: it answers Prometheus's text format, not JSON, and is no part of the client API.
@router.get("/metrics", include_in_schema=False)
def metrics(request: Request) -> Response:
    body, content_type = request.app.state.metrics.exposition()
    gauges = request.app.state.monitoring_gauges
    # A sync handler, so FastAPI runs it in the thread pool: the monitoring report may read the database.
    return Response(body + (gauges.exposition() if gauges is not None else b""), media_type=content_type)

"""Every request seen whole: its request id echoed, one access log line, and its count and latency by route."""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Sequence

from starlette.datastructures import Headers
from starlette.routing import BaseRoute, Match
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from service.json_logs import RequestContext, current_request, request_id_from
from service.metrics import ServiceMetrics
from service.schemas.risk import RiskResponse

access_log = logging.getLogger("service.access")

REQUEST_ID_HEADER = "X-Request-ID"

# The label of a path no route matches: scanners' raw paths would make a label value each.
UNMATCHED = "unmatched"


class RequestObserver:
    """ASGI middleware, outermost of the app's own: it sees the answers the limits give before routing as well.

    Routes are labelled by their template (``/v1/athletes/{athlete_id}``), never the raw path, so that the
    number of series stays that of the routes. An error that escapes the app is answered 500 here, with the
    request id, and then raised on for the server to log."""

    def __init__(self, app: ASGIApp, metrics: ServiceMetrics | None, routes: Callable[[], Sequence[BaseRoute]]) -> None:
        self.app = app
        self.metrics = metrics
        self.routes = routes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = request_id_from(Headers(scope=scope).get(REQUEST_ID_HEADER))
        context = RequestContext(request_id=request_id, method=scope["method"])
        token = current_request.set(context)
        started = time.perf_counter()
        status = 500
        answered = False

        async def send_with_id(message: Message) -> None:
            nonlocal status, answered
            if message["type"] == "http.response.start":
                status = message["status"]
                answered = True
                headers = [*message.get("headers", []), (REQUEST_ID_HEADER.lower().encode(), request_id.encode())]
                message = {**message, "headers": headers}
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        except Exception:
            if not answered:
                await _internal_error(send_with_id)
            access_log.exception("unhandled error")
            raise
        finally:
            context.route = self._route(scope)
            self._observe(context, status, time.perf_counter() - started)
            current_request.reset(token)

    def _route(self, scope: Scope) -> str:
        route = scope.get("route")
        if route is None:
            # Answered before routing (a body too large, headers too long): find the route the path would have had.
            route = next((r for r in self.routes() if r.matches(scope)[0] != Match.NONE), None)
        return str(getattr(route, "path", UNMATCHED))

    def _observe(self, context: RequestContext, status: int, seconds: float) -> None:
        route = context.route or UNMATCHED
        if self.metrics is not None:
            self.metrics.requests.labels(context.method, route, str(status)).inc()
            self.metrics.latency.labels(context.method, route).observe(seconds)
        duration_ms = round(seconds * 1000, 1)
        access_log.info(
            "%s %s %d %.1f ms",
            context.method,
            route,
            status,
            duration_ms,
            extra={"status": status, "duration_ms": duration_ms},
        )


async def _internal_error(send: Send) -> None:
    body = json.dumps({"detail": "internal error"}).encode()
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": 500, "headers": headers})
    await send({"type": "http.response.body", "body": body})


def count_risks(metrics: ServiceMetrics | None, answer: RiskResponse) -> None:
    """Count an answer's risks by injury and band (``currently_injured`` for a risk not scored while injured)."""
    if metrics is not None:
        metrics.answered([(risk.injury, risk.band or risk.status) for risk in answer.risks])

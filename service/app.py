"""The FastAPI application factory."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.routing import APIRoute
from starlette.routing import Mount, Route

from service.api.answer_thread import AnswerThread
from service.api.errors import install_error_handlers
from service.api.limits import RateLimiter, RequestLimits
from service.api.observe import RequestObserver
from service.api.routes import (
    activities,
    athlete_risk,
    athletes,
    cohort,
    exercises,
    health,
    imports,
    injuries,
    keys,
    load,
    metrics,
    model,
    monitoring,
    risk,
    what_if,
)
from service.api.trusted_keys import TrustedKeys
from service.api.web import mount_web
from service.assessment.log_assessment import warm_up
from service.db.session import Database
from service.gc_tuning import long_lived_heap
from service.metrics import ServiceMetrics
from service.model_holder import ModelHolder, poll_model
from service.monitoring.gauges import MonitoringGauges
from service.repositories.keys import active_key
from service.schemas.errors import ANY_OPERATION, WITH_KEY
from training.model.registry import ServedModel
from training.settings import Settings, get_settings


def operation_id(route: APIRoute) -> str:
    """The handler's name as the operation id: each handler is named after what the operation does."""
    return route.name


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        # The model is loaded and its scoring path compiled and run once before the server accepts requests, so
        # /readyz answers only when the first request costs what every other does. A worker thread does it: the
        # loop stays free for the poller and for signals.
        await asyncio.to_thread(app.state.models.load)
        await asyncio.to_thread(_connect, app.state.db)
        poll = settings.model_poll_seconds
        poller = asyncio.create_task(poll_model(app.state.models, poll)) if poll else None
        with long_lived_heap(settings.server_gc_young_threshold):
            yield
        if poller:
            poller.cancel()
        app.state.answer_thread.close()
        app.state.db.dispose()

    app = FastAPI(
        title="Runner injury-risk service",
        version="0.1.0",
        summary="Calibrated risk of runner's knee, shin splints, hamstring strain and Achilles tendinopathy.",
        lifespan=lifespan,
        # Generated clients name their methods after these: score_risk, create_athlete, not post_risk_v1_risk_post.
        generate_unique_id_function=operation_id,
    )
    app.state.settings = settings
    app.state.metrics = ServiceMetrics() if settings.metrics_enabled else None

    def prepare(served: ServedModel) -> None:
        warm_up(served, settings)
        if app.state.metrics is not None:
            app.state.metrics.serving(served.name, served.version)

    app.state.models = ModelHolder(settings, warm=prepare)
    app.state.answer_thread = AnswerThread()
    # Creating the engine opens no connection: an unreachable database shows in /readyz and as 503s, not at start.
    app.state.db = Database(settings)
    app.include_router(health.router, responses=ANY_OPERATION)
    app.state.monitoring_gauges = None
    if settings.metrics_enabled:
        app.include_router(metrics.router)
        if settings.monitoring_metrics_window_days:

            def population() -> tuple[dict, str] | None:
                served = app.state.models.served
                return None if served is None else (served.feature_distribution, served.version)

            app.state.monitoring_gauges = MonitoringGauges(settings, app.state.db.session, population)
    for router in (risk.router, what_if.router, exercises.router, model.router):
        app.include_router(router, responses=WITH_KEY)
    stateful = (athletes, activities, imports, injuries, athlete_risk, load, cohort, keys, monitoring)
    for module in stateful:
        app.include_router(module.router, responses=WITH_KEY)
    install_error_handlers(app)
    mount_web(app)
    # What a request is labelled by when routing set no route (an answer the limits gave before routing, the
    # OpenAPI document, the page's files): the routers' own routes (the app keeps included routers wrapped), then
    # the app's plain routes and mounts.
    modules = (health, risk, what_if, exercises, model, *stateful, *((metrics,) if settings.metrics_enabled else ()))
    routes = [route for module in modules for route in module.router.routes]
    routes += [route for route in app.router.routes if isinstance(route, Route | Mount)]
    app.state.trusted_keys = TrustedKeys(settings.auth_key_cache_s)
    app.state.rate_limiter = RateLimiter(settings.rate_limit_per_minute) if settings.rate_limit_per_minute else None
    app.add_middleware(
        RequestLimits,
        max_bytes=settings.max_request_bytes,
        body_timeout_s=settings.request_body_timeout_s,
        max_header_bytes=settings.server_max_header_bytes,
        upload_max_bytes=int(settings.import_max_request_mb * 1024 * 1024),
    )
    # Added last, so outermost: the limits' early answers are counted, logged and carry the request id too.
    app.add_middleware(RequestObserver, metrics=app.state.metrics, routes=routes)
    return app


def _connect(database: Database) -> None:
    """Open the pool's first connection and prepare the API-key lookup every request makes; an unreachable database
    is left for /readyz and the requests to report."""
    if database.problem() is None:
        with database.session() as session:
            active_key(session, "a key no one holds")

"""Dependencies shared by the routers: settings, the served model, database sessions, API keys, athletes."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, HTTPException, Request, status
from fastapi.concurrency import run_in_threadpool
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from service.api.answer_thread import AnswerThread
from service.api.trusted_keys import TrustedKeys
from service.db.models import ApiKey, Athlete
from service.db.session import Database, unavailable_reason
from service.json_logs import current_request
from service.metrics import ServiceMetrics
from service.model_holder import ModelHolder
from service.repositories import athletes, audit, keys
from service.security import ALL_PERMISSIONS, Permission, Principal, Role, display_prefix, hash_key
from training.model.registry import ServedModel
from training.settings import Settings


# Dependencies that only read the app's state are coroutines: FastAPI runs a plain function in the thread pool, and a
# hop there and back costs more than reading an attribute. Anything that may block (the database) stays a function.
async def get_app_settings(request: Request) -> Settings:
    return request.app.state.settings


async def get_model_holder(request: Request) -> ModelHolder:
    return request.app.state.models


async def require_model(holder: Annotated[ModelHolder, Depends(get_model_holder)]) -> ServedModel:
    # Loading reads the registry (blocking), so only that goes to a worker thread.
    served = holder.served or await run_in_threadpool(holder.load)
    if served is None:
        raise HTTPException(
            status_code=status.HTTP_503_SERVICE_UNAVAILABLE, detail=holder.problem, headers={"Retry-After": "30"}
        )
    return served


async def get_metrics(request: Request) -> ServiceMetrics | None:
    return request.app.state.metrics


SettingsDep = Annotated[Settings, Depends(get_app_settings)]
MetricsDep = Annotated[ServiceMetrics | None, Depends(get_metrics)]
ModelHolderDep = Annotated[ModelHolder, Depends(get_model_holder)]
ServedModelDep = Annotated[ServedModel, Depends(require_model)]


@dataclass(frozen=True)
class Scoring:
    """What an answer computed from the request alone needs: the served model, settings, metrics, answer thread."""

    served: ServedModel
    settings: Settings
    metrics: ServiceMetrics | None
    answers: AnswerThread


async def get_scoring(request: Request, served: ServedModelDep) -> Scoring:
    # One dependency, not four: FastAPI solves every dependency of a route on every request, a cached one too.
    state = request.app.state
    return Scoring(served, state.settings, state.metrics, state.answer_thread)


ScoringDep = Annotated[Scoring, Depends(get_scoring)]


# --- Database, API keys and athletes of the caller's tenant ---------------------------------------------------------

log = logging.getLogger(__name__)

# The tenant every request belongs to when auth is turned off (local demos only).
LOCAL_TENANT = "local"

_bearer = HTTPBearer(auto_error=False, description="An API key from `injury-risk keys create`.")
_api_key_header = APIKeyHeader(name="X-API-Key", auto_error=False, description="The same key, as a header.")


async def get_database(request: Request) -> Database:
    return request.app.state.db


DatabaseDep = Annotated[Database, Depends(get_database)]


async def get_trusted_keys(request: Request) -> TrustedKeys:
    return request.app.state.trusted_keys


TrustedKeysDep = Annotated[TrustedKeys, Depends(get_trusted_keys)]


def get_session(database: DatabaseDep) -> Iterator[Session]:
    # Handlers commit what they change; anything not committed is rolled back when the session closes.
    session = database.session()
    try:
        yield session
    finally:
        close_session(session)


def close_session(session: Session) -> None:
    try:
        session.close()
    except SQLAlchemyError as error:
        # The answer may be on its way already: a rollback that fails because the database went away after the
        # last statement must not cut it off. The server rolls back what was not committed when the connection
        # ends, and the pool has thrown the connection away.
        log.warning("closing a session: %s", unavailable_reason(error))


SessionDep = Annotated[Session, Depends(get_session)]


def _unauthorized(reason: str) -> HTTPException:
    return HTTPException(status.HTTP_401_UNAUTHORIZED, detail=reason, headers={"WWW-Authenticate": "Bearer"})


async def authenticate(
    request: Request,
    settings: SettingsDep,
    bearer: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
    header_key: Annotated[str | None, Depends(_api_key_header)],
) -> Principal:
    if not settings.auth_enabled:
        return Principal(None, "local", None, ALL_PERMISSIONS)
    metrics: ServiceMetrics | None = request.app.state.metrics
    key = bearer.credentials if bearer is not None else header_key
    if not key:
        if metrics is not None:
            metrics.auth_failures.labels("missing").inc()
        raise _unauthorized("an API key is required: send `Authorization: Bearer <key>` or `X-API-Key: <key>`")
    trusted: TrustedKeys = request.app.state.trusted_keys
    key_hash = hash_key(key)
    # A key checked moments ago needs no database; only the check itself blocks, so only it goes to a thread.
    principal = trusted.principal(key_hash)
    if principal is None:
        principal = await run_in_threadpool(_checked_principal, request.app.state.db, metrics, key, key_hash, trusted)
    limiter = request.app.state.rate_limiter
    if limiter is not None:
        limiter.check(principal.key_id)
    context = current_request.get()
    if context is not None:
        context.tenant = principal.tenant_id
    return principal


def _checked_principal(
    database: Database, metrics: ServiceMetrics | None, key: str, key_hash: str, trusted: TrustedKeys
) -> Principal:
    """The key (``key_hash``: its hash) checked against the database in a session of its own: a refusal counted, a
    use recorded, a pass trusted."""
    started = trusted.now()
    session = database.session()
    try:
        row, problem = keys.checked_key(session, key)
        if problem or row is None:
            if metrics is not None:
                metrics.auth_failures.labels(_refusal(row)).inc()
            _count_failure(session, row, display_prefix(key), problem or "unknown")
            raise _unauthorized(f"the API key is {problem}")
        keys.mark_used(session, row)
        principal = Principal.for_role(row.tenant_id, Role(row.role), row.id)
        trusted.trust(key_hash, principal, row.expires_at, started)
        return principal
    finally:
        close_session(session)


def _refusal(row: ApiKey | None) -> str:
    """Why a key was refused, for the operator: the client hears "unknown or revoked" for the first two alike."""
    if row is None:
        return "unknown"
    return "revoked" if row.revoked_at is not None else "expired"


def _count_failure(session: Session, row: ApiKey | None, prefix: str, problem: str) -> None:
    """A refused key: logged always; for a key the service knows, counted on the key and in the tenant's audit log."""
    log.warning("refused API key %s...: %s", prefix, problem)
    if row is None:
        return
    keys.count_failure(session, row)
    audit.record(session, Principal(row.tenant_id, row.role, row.id, frozenset()), "auth.refused")
    session.commit()


CurrentKey = Annotated[Principal, Depends(authenticate)]


# Scoring a log sent whole and reloading the model touch no tenant's data, so auth-off demos need no tenant row.
_TENANTLESS = frozenset({Permission.score, Permission.manage_model})


def require(permission: Permission) -> Any:
    """A dependency that lets through callers whose role grants ``permission`` (403 otherwise)."""

    async def check(request: Request, principal: CurrentKey) -> Principal:
        if permission not in principal.permissions:
            action = permission.value.replace("_", " ")
            raise HTTPException(status.HTTP_403_FORBIDDEN, detail=f"the {principal.role} role may not {action}")
        if principal.tenant_id is None and permission not in _TENANTLESS:
            tenant_id = await run_in_threadpool(_local_tenant_id, request.app.state.db)
            return Principal(tenant_id, principal.role, None, principal.permissions)
        return principal

    return Depends(check)


def _local_tenant_id(database: Database) -> int:
    session = database.session()
    try:
        tenant = keys.tenant_named(session, LOCAL_TENANT)
        session.commit()
        return tenant.id
    finally:
        close_session(session)


Scorer = Annotated[Principal, require(Permission.score)]
Reader = Annotated[Principal, require(Permission.read_athletes)]
Writer = Annotated[Principal, require(Permission.write_athletes)]
InjuryWriter = Annotated[Principal, require(Permission.write_injuries)]
KeyAdmin = Annotated[Principal, require(Permission.manage_keys)]
ModelAdmin = Annotated[Principal, require(Permission.manage_model)]
MonitoringReader = Annotated[Principal, require(Permission.read_monitoring)]


def athlete_of_tenant(athlete_id: str, principal: CurrentKey, session: SessionDep) -> Athlete:
    """The athlete in the caller's tenant; another tenant's id answers exactly like an id that does not exist."""
    tenant_id = principal.tenant_id
    if tenant_id is None:
        tenant_id = keys.tenant_named(session, LOCAL_TENANT).id
    athlete = athletes.get(session, tenant_id, athlete_id)
    if athlete is None:
        raise no_athlete(athlete_id)
    return athlete


def no_athlete(athlete_id: str) -> HTTPException:
    return HTTPException(status.HTTP_404_NOT_FOUND, detail=f"no athlete {athlete_id!r}")


AthleteDep = Annotated[Athlete, Depends(athlete_of_tenant)]

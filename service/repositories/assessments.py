"""Stored risk assessments: one athlete's history, and the tenant's latest per athlete sorted by risk."""

from __future__ import annotations

import datetime as dt
import functools
import math
from typing import Any

import pandas as pd
from sqlalchemy import Insert, and_, bindparam, func, insert, or_, select
from sqlalchemy.orm import Session

from service.db.models import Athlete, AuditEntry, RiskAssessment
from service.repositories._windows import of_tenant, on_days
from service.schemas.risk import RiskResponse
from training.domain.schema import INJURIES


def _parameters(model: type[Any], columns: tuple[str, ...], prefix: str = "") -> dict[str, Any]:
    table = model.__table__
    return {name: bindparam(prefix + name, type_=table.c[name].type) for name in columns}


# Built once per dialect and set of columns, then run with each request's values as parameters: building an INSERT
# from values costs more CPU per request than the database takes to run it.
@functools.cache
def _insert_statement(dialect: str, columns: tuple[str, ...], audit_columns: tuple[str, ...]) -> Insert:
    statement = insert(RiskAssessment).values(_parameters(RiskAssessment, columns)).returning(RiskAssessment.id)
    if dialect == "postgresql":
        # PostgreSQL runs an INSERT inside WITH as part of the statement: both rows in one round trip. SQLite has no
        # such thing, and no network to save a trip on.
        audit_insert = insert(AuditEntry).values(_parameters(AuditEntry, audit_columns, "audit_"))
        statement = statement.add_cte(audit_insert.cte("audit_entry"))
    return statement


def store(
    session: Session,
    athlete_id: str,
    response: RiskResponse,
    features: dict[str, float] | None,
    audit_entry: dict[str, Any],
) -> tuple[int, dt.datetime]:
    """One assessment, with the feature values it was scored from when given (NaN stored as null: JSON has none),
    and ``audit_entry`` (``audit.entry``) in the same transaction; the new row's id and created_at."""
    by_kind = {r.injury.value: r for r in response.risks}
    relative = [r.relative_risk for r in response.risks if r.relative_risk is not None]
    created_at = dt.datetime.now(dt.UTC)
    values: dict[str, Any] = {
        "athlete_id": athlete_id,
        "as_of": response.as_of,
        "model_name": response.model.name,
        "model_version": response.model.version,
        "rr_max": max(relative) if relative else None,
        # One entry per injury, so the history shows why each risk was what it was.
        "drivers": [
            {"injury": r.injury.value, "drivers": [d.model_dump(mode="json") for d in r.drivers]}
            for r in response.risks
        ],
        **{f"p_{kind}": by_kind[kind].probability for kind in INJURIES},
        **{f"rr_{kind}": by_kind[kind].relative_risk for kind in INJURIES},
        "features": None if features is None else {k: v if math.isfinite(v) else None for k, v in features.items()},
        "created_at": created_at,
    }
    dialect = session.get_bind().dialect.name
    statement = _insert_statement(dialect, tuple(values), tuple(audit_entry))
    if dialect == "postgresql":
        values.update({f"audit_{name}": value for name, value in audit_entry.items()})
    else:
        session.connection().execute(insert(AuditEntry), [audit_entry])
    # On the connection, as a plain statement: the ORM adds nothing to an INSERT of given values.
    return session.connection().execute(statement, values).scalar_one(), created_at


def history(session: Session, athlete_id: str, before: int | None, limit: int) -> tuple[list[RiskAssessment], int]:
    """Newest first."""
    query = select(RiskAssessment).where(RiskAssessment.athlete_id == athlete_id)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    if before is not None:
        query = query.where(RiskAssessment.id < before)
    return list(session.scalars(query.order_by(RiskAssessment.id.desc()).limit(limit))), total


def sort_column(injury: str | None) -> Any:
    return getattr(RiskAssessment, f"rr_{injury}" if injury else "rr_max")


def cohort(
    session: Session,
    tenant_id: int,
    injury: str | None,
    min_relative_risk: float | None,
    after: tuple[float, str] | None,
    limit: int,
    search: str | None = None,
) -> tuple[list[tuple[Athlete, RiskAssessment]], int]:
    """Each assessed athlete's latest assessment, highest relative risk first (unscored, i.e. injured, last);
    ``search``: only external ids containing it, in any case."""
    ranked = (
        select(
            RiskAssessment.id.label("assessment_id"),
            func.row_number()
            .over(
                partition_by=RiskAssessment.athlete_id,
                order_by=(RiskAssessment.as_of.desc(), RiskAssessment.id.desc()),
            )
            .label("rank"),
        )
        .join(Athlete, Athlete.id == RiskAssessment.athlete_id)
        .where(Athlete.tenant_id == tenant_id)
        .subquery()
    )
    # -1 puts unscored athletes (currently injured: no probability) after every scored one.
    key = func.coalesce(sort_column(injury), -1.0)
    query = (
        select(Athlete, RiskAssessment)
        .join(RiskAssessment, RiskAssessment.athlete_id == Athlete.id)
        .join(ranked, and_(ranked.c.assessment_id == RiskAssessment.id, ranked.c.rank == 1))
    )
    if min_relative_risk is not None:
        query = query.where(sort_column(injury) >= min_relative_risk)
    if search:
        # autoescape: a % or _ typed by the user is a character to find, not a wildcard.
        query = query.where(func.lower(Athlete.external_id).contains(search.lower(), autoescape=True))
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    if after is not None:
        last_key, last_athlete = after
        query = query.where(or_(key < last_key, and_(key == last_key, Athlete.id > last_athlete)))
    rows = session.execute(query.order_by(key.desc(), Athlete.id).limit(limit)).tuples().all()
    return [(athlete, assessment) for athlete, assessment in rows], total


def in_window(
    session: Session,
    tenant_id: int | None,
    first: dt.date | None,
    last: dt.date | None,
    model_version: str | None,
) -> pd.DataFrame:
    """Assessments with as_of in first..last (either open), of one tenant (None: every tenant) and model version (None:
    every version): id, athlete_id, as_of, model_name, model_version, p_<kind>, rr_<kind> and features (a dict, or
    None), oldest first. An
    athlete assessed twice on a day by one version keeps the later row: the second answer replaced the first."""
    query = select(
        RiskAssessment.id,
        RiskAssessment.athlete_id,
        RiskAssessment.as_of,
        RiskAssessment.model_name,
        RiskAssessment.model_version,
        *(getattr(RiskAssessment, f"{prefix}_{kind}") for prefix in ("p", "rr") for kind in INJURIES),
        RiskAssessment.features,
    )
    query = on_days(of_tenant(query, RiskAssessment.athlete_id, tenant_id), RiskAssessment.as_of, first, last)
    if model_version is not None:
        query = query.where(RiskAssessment.model_version == model_version)
    rows = pd.DataFrame(session.execute(query.order_by(RiskAssessment.id)).mappings().all())
    if rows.empty:
        return rows
    rows = rows.drop_duplicates(["athlete_id", "as_of", "model_name", "model_version"], keep="last")
    return rows.sort_values(["as_of", "id"], kind="stable").reset_index(drop=True)

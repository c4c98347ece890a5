"""Athletes of a tenant: create, find, list, change, erase."""

from __future__ import annotations

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from service.db.models import Activity, Athlete, InjuryEvent, RiskAssessment
from service.repositories import audit
from service.repositories.conflicts import Conflict
from service.schemas.athletes import READING_FIELDS, AthleteCreate, AthleteUpdate
from service.schemas.risk import AthleteProfile


def _taken(session: Session, tenant_id: int, external_id: str) -> bool:
    query = select(Athlete.id).where(Athlete.tenant_id == tenant_id, Athlete.external_id == external_id)
    return session.scalar(query) is not None


def create(session: Session, tenant_id: int, body: AthleteCreate) -> Athlete:
    if _taken(session, tenant_id, body.external_id):
        raise Conflict(f"an athlete with external_id {body.external_id!r} already exists")
    reading = {field: getattr(body, field) for field in READING_FIELDS}
    athlete = Athlete(
        tenant_id=tenant_id,
        external_id=body.external_id,
        log_start=body.log_start,
        **body.profile.model_dump(),
        **reading,
    )
    session.add(athlete)
    session.flush()
    return athlete


def get(session: Session, tenant_id: int, athlete_id: str) -> Athlete | None:
    """The athlete, or None when it does not exist or belongs to another tenant (callers cannot tell which)."""
    return session.scalar(select(Athlete).where(Athlete.id == athlete_id, Athlete.tenant_id == tenant_id))


def page(
    session: Session, tenant_id: int, after: str | None, limit: int, external_id: str | None = None
) -> tuple[list[Athlete], int]:
    query = select(Athlete).where(Athlete.tenant_id == tenant_id)
    if external_id is not None:
        query = query.where(Athlete.external_id == external_id)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    if after is not None:
        query = query.where(Athlete.id > after)
    return list(session.scalars(query.order_by(Athlete.id).limit(limit))), total


def of_tenant(session: Session, tenant_id: int) -> list[Athlete]:
    """Every athlete of the tenant, by id (batch scoring)."""
    return list(session.scalars(select(Athlete).where(Athlete.tenant_id == tenant_id).order_by(Athlete.id)))


def update(session: Session, athlete: Athlete, body: AthleteUpdate) -> Athlete:
    if body.external_id is not None and body.external_id != athlete.external_id:
        if _taken(session, athlete.tenant_id, body.external_id):
            raise Conflict(f"an athlete with external_id {body.external_id!r} already exists")
        athlete.external_id = body.external_id
    if body.profile is not None:
        for field, value in body.profile.model_dump().items():
            setattr(athlete, field, value)
    for field in READING_FIELDS:
        if field in body.model_fields_set:
            setattr(athlete, field, getattr(body, field))
    if "log_start" in body.model_fields_set:
        athlete.log_start = body.log_start
    session.flush()
    return athlete


def profile_of(athlete: Athlete) -> AthleteProfile:
    return AthleteProfile(
        age=athlete.age,
        sex=athlete.sex,
        years_running=athlete.years_running,
        body_mass_kg=athlete.body_mass_kg,
        height_cm=athlete.height_cm,
    )


def erase(session: Session, athlete: Athlete) -> None:
    """Right to erasure: the athlete, their log, injuries and assessments go; the audit log forgets them."""
    # Explicit deletes rather than relying on ON DELETE CASCADE, so erasure does not hinge on a SQLite pragma.
    for table in (Activity, InjuryEvent, RiskAssessment):
        session.execute(delete(table).where(table.athlete_id == athlete.id))
    audit.forget_athlete(session, athlete.id)
    session.delete(athlete)
    session.flush()

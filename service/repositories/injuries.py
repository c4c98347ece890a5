"""An athlete's injuries, keyed by the caller's external id."""

from __future__ import annotations

import datetime as dt

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from service.db.models import Athlete, InjuryEvent
from service.repositories._dated_pages import dated_page
from service.repositories._windows import of_tenant, on_days
from service.schemas.injuries import InjuryIn


def upsert(session: Session, athlete_id: str, external_id: str, body: InjuryIn) -> tuple[InjuryEvent, str]:
    values = body.model_dump()
    values["kind"] = body.kind.value
    row = session.scalar(
        select(InjuryEvent).where(InjuryEvent.athlete_id == athlete_id, InjuryEvent.external_id == external_id)
    )
    if row is None:
        row = InjuryEvent(athlete_id=athlete_id, external_id=external_id, **values)
        session.add(row)
        session.flush()
        return row, "created"
    if all(getattr(row, name) == value for name, value in values.items()):
        return row, "unchanged"
    for name, value in values.items():
        setattr(row, name, value)
    row.updated_at = dt.datetime.now(dt.UTC)
    session.flush()
    return row, "updated"


def page(
    session: Session,
    athlete_id: str,
    onset_from: dt.date | None,
    onset_to: dt.date | None,
    after: tuple[dt.date, int] | None,
    limit: int,
) -> tuple[list[InjuryEvent], int]:
    return dated_page(session, InjuryEvent, InjuryEvent.onset, athlete_id, onset_from, onset_to, after, limit)


def known_on(session: Session, athlete_id: str, as_of: dt.date) -> list[InjuryEvent]:
    """Injuries that had started by as_of."""
    query = select(InjuryEvent).where(InjuryEvent.athlete_id == athlete_id, InjuryEvent.onset <= as_of)
    return list(session.scalars(query.order_by(InjuryEvent.onset, InjuryEvent.id)))


def tenant_known_on(session: Session, tenant_id: int, as_of: dt.date) -> list[InjuryEvent]:
    """Injuries of all the tenant's athletes that had started by as_of, in one query (batch scoring)."""
    query = (
        select(InjuryEvent)
        .join(Athlete, Athlete.id == InjuryEvent.athlete_id)
        .where(Athlete.tenant_id == tenant_id, InjuryEvent.onset <= as_of)
    )
    return list(session.scalars(query.order_by(InjuryEvent.athlete_id, InjuryEvent.onset, InjuryEvent.id)))


def onsets(session: Session, tenant_id: int | None, first: dt.date | None, last: dt.date | None) -> pd.DataFrame:
    """athlete_id, kind and onset of the injuries with onset in first..last (either open), of one tenant (None:
    every tenant)."""
    query = select(InjuryEvent.athlete_id, InjuryEvent.kind, InjuryEvent.onset)
    query = on_days(of_tenant(query, InjuryEvent.athlete_id, tenant_id), InjuryEvent.onset, first, last)
    return pd.DataFrame(session.execute(query).tuples().all(), columns=["athlete_id", "kind", "onset"])

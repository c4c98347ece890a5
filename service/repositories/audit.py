"""The audit log: every write, and every read of an athlete's data by a clinician."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import update
from sqlalchemy.orm import Session

from service.db.models import AuditEntry
from service.security import Principal, Role


def record(session: Session, principal: Principal, action: str, athlete_id: str | None = None) -> None:
    """Add an entry to the caller's transaction, so it is kept exactly when the change is."""
    session.add(AuditEntry(**entry(principal, action, athlete_id)))


def entry(principal: Principal, action: str, athlete_id: str | None = None) -> dict[str, Any]:
    """The values of the entry ``record`` adds, for a caller that sends them in its own statement along with its
    change (``assessments.store``); keys are ``AuditEntry``'s columns."""
    assert principal.tenant_id is not None
    return {
        "tenant_id": principal.tenant_id,
        "api_key_id": principal.key_id,
        "role": principal.role,
        "action": action,
        "athlete_id": athlete_id,
        "at": dt.datetime.now(dt.UTC),
    }


def record_read(session: Session, principal: Principal, action: str, athlete_id: str | None = None) -> None:
    """Reads are audited for clinicians (health data seen by a person), not for a platform syncing its own data."""
    if principal.role == Role.clinician.value:
        record(session, principal, action, athlete_id)
        session.commit()


def forget_athlete(session: Session, athlete_id: str) -> None:
    """Erasure: entries stay (that something was done, by whom, when) but no longer point at the athlete."""
    session.execute(update(AuditEntry).where(AuditEntry.athlete_id == athlete_id).values(athlete_id=None))

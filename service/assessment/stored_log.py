"""An athlete's stored rows as the RiskRequest POST /v1/risk would receive, so both paths score identical input."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from service.assessment.log_checks import log_start
from service.db.models import Athlete
from service.repositories import activities, athletes, injuries
from service.schemas.risk import ExerciseSet, InjuryRecord, RiskRequest, Run, StrengthSession


def stored_request(session: Session, athlete: Athlete, as_of: dt.date, max_log_days: int) -> RiskRequest:
    """The log up to as_of (the same window POST /v1/risk accepts) and the injuries known on that day."""
    earliest = log_start(as_of, max_log_days)
    runs: list[Run] = []
    sessions: list[StrengthSession] = []
    for row in activities.log_between(session, athlete.id, earliest, as_of):
        if row.kind == "run":
            runs.append(
                Run(
                    id=row.external_id,
                    date=row.date,
                    km=row.km,
                    km_threshold=row.km_threshold or 0.0,
                    km_interval=row.km_interval or 0.0,
                    km_sprint=row.km_sprint or 0.0,
                    duration_min=row.duration_min,
                    rpe=row.rpe,
                )
            )
        else:
            exercises = [ExerciseSet(**item) for item in row.exercises or []]
            sessions.append(StrengthSession(id=row.external_id, date=row.date, exercises=exercises))
    known = [
        # A recovery recorded after as_of was not known on as_of: the injury was still ongoing then.
        InjuryRecord(
            kind=row.kind,
            onset=row.onset,
            side=row.side,
            resolved=row.resolved if row.resolved is not None and row.resolved <= as_of else None,
        )
        for row in injuries.known_on(session, athlete.id, as_of)
    ]
    return RiskRequest(
        athlete=athletes.profile_of(athlete),
        injuries=known,
        runs=runs,
        strength_sessions=sessions,
        as_of=as_of,
        log_start=athlete.log_start,
    )

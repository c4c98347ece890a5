"""An athlete's stored rows as the RiskRequest POST /v1/risk would receive, so both paths score identical input."""

from __future__ import annotations

import datetime as dt
import itertools
from collections import defaultdict
from typing import Any

from sqlalchemy.orm import Session

from service.assessment.log_checks import log_start
from service.assessment.request_log import injury_arrays, profile_arrays, run_columns, strength_arrays
from service.db.models import Athlete
from service.repositories import activities, athlete_log, athletes, injuries
from service.repositories.conflicts import Conflict
from service.schemas.risk import AthleteProfile, ExerciseSet, InjuryRecord, RiskRequest, Run, StrengthSession
from training.domain.athlete_log import AthleteLog, day_number
from training.domain.log_rules import MAX_KM_PER_DAY
from training.features import RUN_VALUES
from training.settings import Settings


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


def stored_log(
    session: Session, tenant_id: int, athlete_id: str, as_of: dt.date, settings: Settings
) -> AthleteLog | None:
    """``request_log(stored_request(...))`` without the request: the athlete, the log and the injuries in one query,
    straight into arrays; None when the tenant has no such athlete.

    Every stored row passed validation when it was written; the whole-log rules (how many activities, km per day)
    are checked here, as ``log_errors`` checks them for a body, and a broken rule is a 409.
    """
    stored = athlete_log.read(session, tenant_id, athlete_id, log_start(as_of, settings.max_log_days), as_of)
    if stored is None:
        return None
    log = stored.activities
    is_run = [kind == "run" for kind in log["kind"]]
    # The runs' columns, each taken once: the arrays and the km-per-day rule read them.
    of_runs: dict[str, list[Any]] = {
        name: list(itertools.compress(log[name], is_run)) for name in ("date", *RUN_VALUES)
    }
    runs = run_columns(of_runs["date"], **{name: of_runs[name] for name in RUN_VALUES})
    sessions = [(day, done) for day, done, run in zip(log["date"], log["exercises"], is_run, strict=True) if not run]
    problems = []
    if len(is_run) > settings.max_activities:
        problems.append(f"the log holds {len(is_run)} activities; at most {settings.max_activities} are accepted")
    day_km: dict[dt.date, float] = defaultdict(float)
    for day, km in zip(of_runs["date"], of_runs["km"], strict=True):
        day_km[day] += km
    problems += [
        f"runs on {d} add up to more than {MAX_KM_PER_DAY:g} km" for d, km in day_km.items() if km > MAX_KM_PER_DAY
    ]
    if stored.log_start is not None and stored.log_start > as_of:
        problems.append(f"log_start {stored.log_start} is after as_of {as_of}")
    if problems:
        raise Conflict("the stored log cannot be scored: " + "; ".join(problems[:5]))
    return AthleteLog(
        profile=profile_arrays(AthleteProfile(**stored.profile)),
        runs=runs,
        strength=strength_arrays(
            [(day, [(e["exercise_id"], e["sets"], e.get("reps")) for e in done or []]) for day, done in sessions]
        ),
        injuries=injury_arrays(
            [kind for kind, _, _ in stored.injuries],
            [onset for _, onset, _ in stored.injuries],
            # A recovery recorded after as_of was not known on as_of: the injury was still ongoing then.
            [resolved if resolved is not None and resolved <= as_of else None for _, _, resolved in stored.injuries],
        ),
        log_start=day_number(stored.log_start) if stored.log_start else None,
    )

"""A cohort folder's athletes stored in the service database, as a training platform would push them over the API.

Each row passes the API's own bodies (``AthleteCreate``, ``RunActivity``, ``StrengthActivity``, ``InjuryIn``) and is
stored by the same repositories, so a simulated or exported cohort lands exactly as pushed data does. An athlete
already stored under the same external id is updated, never doubled, so loading a folder again changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from service.batch.input import read_checked
from service.db.models import Athlete
from service.db.session import Database
from service.repositories import activities, athletes, injuries
from service.repositories.keys import tenant_named
from service.schemas.activities import RunActivity, StrengthActivity
from service.schemas.athletes import AthleteCreate
from service.schemas.injuries import InjuryIn
from service.schemas.risk import AthleteProfile, ExerciseSet
from training.domain.schema import Cohort
from training.settings import Settings


@dataclass(frozen=True)
class StoredCohort:
    athletes: int
    activities: int
    injuries: int
    rows_rejected: int


def store_cohort(folder: Path, tenant: str, settings: Settings) -> StoredCohort:
    """Store every sound athlete of ``folder`` in ``tenant`` (created if new), one transaction per athlete."""
    checked = read_checked(folder)
    cohort = checked.cohort
    stored = {"athletes": 0, "activities": 0, "injuries": 0}
    database = Database(settings)
    try:
        with database.session() as session:
            tenant_id = tenant_named(session, tenant).id
            session.commit()
            for profile in cohort.profiles.itertuples(index=False):
                counts = _store_athlete(session, tenant_id, profile, cohort)
                session.commit()
                for name, count in counts.items():
                    stored[name] += count
    finally:
        database.dispose()
    return StoredCohort(**stored, rows_rejected=len(checked.rejects))


def _store_athlete(session: Session, tenant_id: int, profile: Any, cohort: Cohort) -> dict[str, int]:
    external_id = str(profile.athlete_id)
    body = AthleteCreate(
        external_id=external_id,
        profile=AthleteProfile(
            age=int(profile.age),
            sex=profile.sex,
            years_running=float(profile.years_running),
            body_mass_kg=_number(profile.body_mass_kg),
            height_cm=_number(profile.height_cm),
        ),
        log_start=None if pd.isna(getattr(profile, "log_start", pd.NaT)) else profile.log_start.date(),
    )
    query = select(Athlete).where(Athlete.tenant_id == tenant_id, Athlete.external_id == external_id)
    athlete = session.scalar(query) or athletes.create(session, tenant_id, body)
    runs = cohort.runs[cohort.runs["athlete_id"] == external_id]
    log: list[RunActivity | StrengthActivity] = [
        RunActivity(
            kind="run",
            id=str(run.activity_id),
            date=run.date.date(),
            km=float(run.km),
            km_threshold=float(run.km_threshold),
            km_interval=float(run.km_interval),
            km_sprint=float(run.km_sprint),
            duration_min=_number(run.duration_min),
            rpe=_number(run.rpe),
        )
        for run in runs.itertuples(index=False)
    ]
    sets = cohort.strength[cohort.strength["athlete_id"] == external_id]
    for activity_id, session_sets in sets.groupby("activity_id", sort=False):
        exercises = [
            ExerciseSet(
                exercise_id=s.exercise_id,
                sets=int(s.sets),
                reps=None if pd.isna(s.reps) else int(s.reps),
                load_kg=_number(s.load_kg),
            )
            for s in session_sets.itertuples(index=False)
        ]
        day = session_sets["date"].iloc[0].date()
        log.append(StrengthActivity(kind="strength", id=str(activity_id), date=day, exercises=exercises))
    activities.bulk_upsert(session, athlete.id, log)
    recorded = cohort.injuries[cohort.injuries["athlete_id"] == external_id]
    for injury in recorded.itertuples(index=False):
        onset = injury.onset.date()
        resolved = None if pd.isna(injury.resolved) else injury.resolved.date()
        # The onset names the record, so loading the folder again finds it.
        injuries.upsert(
            session, athlete.id, f"{injury.kind}-{onset}", InjuryIn(kind=injury.kind, onset=onset, resolved=resolved)
        )
    return {"athletes": 1, "activities": len(log), "injuries": len(recorded)}


def _number(value: Any) -> float | None:
    return None if value is None or pd.isna(value) else float(value)

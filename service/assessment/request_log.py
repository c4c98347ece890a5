"""A POST /v1/risk body as one athlete's log arrays (``AthleteLog``), in the row order ``request_cohort`` uses."""

from __future__ import annotations

import math

import numpy as np

from service.schemas.risk import RiskRequest, Run
from training.domain.athlete_log import AthleteLog, InjuryArrays, Profile, RunArrays, StrengthArrays, day_number


def _value(number: float | None) -> float:
    return math.nan if number is None else float(number)


def run_arrays(runs: list[Run]) -> RunArrays:
    return RunArrays(
        day=np.array([day_number(r.date) for r in runs], dtype=np.int64),
        km=np.array([r.km for r in runs], dtype="float64"),
        km_threshold=np.array([r.km_threshold for r in runs], dtype="float64"),
        km_interval=np.array([r.km_interval for r in runs], dtype="float64"),
        km_sprint=np.array([r.km_sprint for r in runs], dtype="float64"),
        duration_min=np.array([_value(r.duration_min) for r in runs], dtype="float64"),
        rpe=np.array([_value(r.rpe) for r in runs], dtype="float64"),
    )


def request_log(body: RiskRequest) -> AthleteLog:
    athlete = body.athlete
    profile = Profile(
        age=float(athlete.age),
        sex=athlete.sex,
        years_running=float(athlete.years_running),
        body_mass_kg=_value(athlete.body_mass_kg),
        height_cm=_value(athlete.height_cm),
    )
    rows = [(n, s.date, e) for n, s in enumerate(body.strength_sessions) for e in s.exercises]
    codes: dict[str, int] = {}
    exercise = np.array([codes.setdefault(e.exercise_id, len(codes)) for _, _, e in rows], dtype=np.int64)
    strength = StrengthArrays(
        day=np.array([day_number(d) for _, d, _ in rows], dtype=np.int64),
        session=np.array([n for n, _, _ in rows], dtype=np.int64),
        exercise=exercise,
        exercise_ids=tuple(codes),
        sets=np.array([e.sets for _, _, e in rows], dtype="float64"),
        reps=np.array([_value(e.reps) for _, _, e in rows], dtype="float64"),
    )
    injuries = body.injuries
    return AthleteLog(
        profile=profile,
        runs=run_arrays(body.runs),
        strength=strength,
        injuries=InjuryArrays(
            kind=np.array([getattr(i.kind, "value", i.kind) for i in injuries], dtype=object),
            onset=np.array([day_number(i.onset) for i in injuries], dtype=np.int64),
            resolved=np.array([0 if i.resolved is None else day_number(i.resolved) for i in injuries], dtype=np.int64),
            resolved_known=np.array([i.resolved is not None for i in injuries], dtype=bool),
        ),
    )

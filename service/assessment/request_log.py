"""A log as one athlete's arrays (``AthleteLog``): from a POST /v1/risk body, and the builders the stored log shares.

Rows keep the order ``request_cohort`` gives them (runs, then each session's exercises in turn), so the features are
the same floats on the frame path.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from service.schemas.risk import AthleteProfile, RiskRequest
from training.domain.athlete_log import AthleteLog, InjuryArrays, Profile, RunArrays, StrengthArrays, day_number

# One exercise performed in a session: (exercise id, sets, reps or None for a hold).
ExerciseDone = tuple[str, int, int | None]


def request_log(body: RiskRequest) -> AthleteLog:
    return AthleteLog(
        profile=profile_arrays(body.athlete),
        runs=run_arrays(body.runs),
        strength=strength_arrays(
            [(s.date, [(e.exercise_id, e.sets, e.reps) for e in s.exercises]) for s in body.strength_sessions]
        ),
        injuries=injury_arrays(
            [getattr(i.kind, "value", i.kind) for i in body.injuries],
            [i.onset for i in body.injuries],
            [i.resolved for i in body.injuries],
        ),
        log_start=day_number(body.log_start) if body.log_start else None,
    )


def profile_arrays(athlete: AthleteProfile) -> Profile:
    return Profile(
        age=float(athlete.age),
        sex=athlete.sex,
        years_running=float(athlete.years_running),
        body_mass_kg=_value(athlete.body_mass_kg),
        height_cm=_value(athlete.height_cm),
    )


def run_arrays(runs: Sequence[Any]) -> RunArrays:
    """Runs with ``date``, ``km``, the zone km (None counts as 0), ``duration_min`` and ``rpe`` (None: not given)."""
    return RunArrays(
        day=np.array([day_number(r.date) for r in runs], dtype=np.int64),
        km=np.array([r.km for r in runs], dtype="float64"),
        km_threshold=np.array([r.km_threshold or 0.0 for r in runs], dtype="float64"),
        km_interval=np.array([r.km_interval or 0.0 for r in runs], dtype="float64"),
        km_sprint=np.array([r.km_sprint or 0.0 for r in runs], dtype="float64"),
        duration_min=np.array([_value(r.duration_min) for r in runs], dtype="float64"),
        rpe=np.array([_value(r.rpe) for r in runs], dtype="float64"),
    )


def strength_arrays(sessions: Sequence[tuple[dt.date, Sequence[ExerciseDone]]]) -> StrengthArrays:
    rows = [(n, day, done) for n, (day, exercises) in enumerate(sessions) for done in exercises]
    codes: dict[str, int] = {}
    exercise = np.array([codes.setdefault(done[0], len(codes)) for _, _, done in rows], dtype=np.int64)
    return StrengthArrays(
        day=np.array([day_number(day) for _, day, _ in rows], dtype=np.int64),
        session=np.array([n for n, _, _ in rows], dtype=np.int64),
        exercise=exercise,
        exercise_ids=tuple(codes),
        sets=np.array([done[1] for _, _, done in rows], dtype="float64"),
        reps=np.array([_value(done[2]) for _, _, done in rows], dtype="float64"),
    )


def injury_arrays(kinds: list[str], onsets: list[dt.date], resolved: list[dt.date | None]) -> InjuryArrays:
    """Injuries as known on the scored day (``resolved`` None while ongoing then)."""
    return InjuryArrays(
        kind=np.array(kinds, dtype=object),
        onset=np.array([day_number(d) for d in onsets], dtype=np.int64),
        resolved=np.array([0 if d is None else day_number(d) for d in resolved], dtype=np.int64),
        resolved_known=np.array([d is not None for d in resolved], dtype=bool),
    )


def _value(number: float | None) -> float:
    return math.nan if number is None else float(number)

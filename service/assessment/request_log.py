"""A log as one athlete's arrays (``AthleteLog``): from a POST /v1/risk body, and the builders the stored log shares.

Rows keep the order ``request_cohort`` gives them (runs, then each session's exercises in turn), so the features are
the same floats on the frame path.
"""

from __future__ import annotations

import datetime as dt
import math
import operator
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


_RUN_ATTRIBUTES = operator.attrgetter("date", "km", "km_threshold", "km_interval", "km_sprint", "duration_min", "rpe")


def run_arrays(runs: Sequence[Any]) -> RunArrays:
    """Runs with ``date``, ``km``, the zone km (None counts as 0), ``duration_min`` and ``rpe`` (None: not given)."""
    return run_columns(*zip(*map(_RUN_ATTRIBUTES, runs), strict=True)) if runs else run_columns(*((),) * 7)


def run_columns(
    dates: Sequence[dt.date],
    km: Sequence[float],
    km_threshold: Sequence[float | None],
    km_interval: Sequence[float | None],
    km_sprint: Sequence[float | None],
    duration_min: Sequence[float | None],
    rpe: Sequence[float | None],
) -> RunArrays:
    """``run_arrays`` of runs given column by column (a year of stored runs is read as columns, not row objects)."""
    return RunArrays(
        day=np.array([day_number(d) for d in dates], dtype=np.int64),
        km=np.array(km, dtype="float64"),
        km_threshold=_zero_for_none(km_threshold),
        km_interval=_zero_for_none(km_interval),
        km_sprint=_zero_for_none(km_sprint),
        # None reads as NaN: not given.
        duration_min=np.array(duration_min, dtype="float64"),
        rpe=np.array(rpe, dtype="float64"),
    )


def _zero_for_none(values: Sequence[float | None]) -> np.ndarray:
    return np.array([v or 0.0 for v in values], dtype="float64")


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

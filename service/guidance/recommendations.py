"""Exercise recommendations: protective strength and tendon-loading work for raised risks, rehab for current injuries.

Pure functions of the athlete's state (risks, current injuries, the feature row, strength session dates) and the
catalogue; the rules are enforced here, not just printed: contraindications and the injured tissue block an exercise,
prerequisites are checked against the logged strength sessions, and the total weekly time fits the budget.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal, SupportsFloat

from service.guidance.progression import ProgressionStep, progression_steps
from service.guidance.return_to_run import ReturnToRun, return_to_run
from training.domain.catalogue import Catalogue, Dosing, Exercise, Prerequisite, Region
from training.domain.schema import INJURY_NAMES

_EVIDENCE_RANK = {"prevention_trial": 0, "treatment_trial": 1, "expert_opinion": 2}
_EVIDENCE_WORDS = {
    "prevention_trial": "tested for prevention in a trial",
    "treatment_trial": "tested as treatment in a trial",
    "expert_opinion": "expert opinion",
}
# Only injuries at least this far above their base rate get exercises; lower risks need no change of routine.
MIN_RELATIVE_RISK = 1.0
PER_INJURY = 3
# Prerequisites ask for a few weeks; counting further back than a year changes no decision.
_MAX_WEEKS_COUNTED = 52
# Strength sessions per week (28-day mean) below which a runner starts at the starter dose.
NOVICE_SESSIONS_PER_WEEK = 1.0
# The tissue each injury damages, as catalogue regions: while it is injured nothing may load these beyond the rehab
# protocol for that injury (DOMAIN.md: patellofemoral joint and quads; tibia and soleus; biceps femoris; tendon).
INJURED_TISSUE: dict[str, frozenset[Region]] = {
    "pfps": frozenset({"quads"}),
    "mtss": frozenset({"tibialis", "calves"}),
    "hamstring": frozenset({"hamstrings"}),
    "achilles": frozenset({"achilles", "calves"}),
}
Role = Literal["prevention", "rehab"]


@dataclass(frozen=True)
class StrengthBudget:
    """Time the athlete gives strength work: sessions a week of so many minutes."""

    sessions_per_week: int
    minutes_per_session: int

    @property
    def weekly_minutes(self) -> float:
        return float(self.sessions_per_week * self.minutes_per_session)


@dataclass(frozen=True)
class AthleteState:
    """What the rules read: relative risks (None while injured), current injuries, feature row, strength days."""

    relative_risks: Mapping[str, float | None]
    injured: frozenset[str]
    features: Mapping[str, float]
    strength_session_dates: Sequence[dt.date]
    as_of: dt.date


@dataclass(frozen=True)
class Prescription:
    injury: str
    exercise: Exercise
    role: Role
    starter: bool
    dose: Dosing
    weekly_minutes: float
    current_weekly_reps: float | None
    target_weekly_reps: float | None
    progression: tuple[ProgressionStep, ...]
    why: str


@dataclass(frozen=True)
class Exclusion:
    """A protective exercise that was considered and left out, and why."""

    injury: str
    exercise_id: str
    reason: str


@dataclass(frozen=True)
class StrengthPlan:
    prescriptions: list[Prescription]
    excluded: list[Exclusion]
    weekly_minutes: float
    budget: StrengthBudget
    see_clinician: bool
    return_to_run: list[ReturnToRun] = field(default_factory=list)


def weeks_meeting(session_dates: Sequence[dt.date], as_of: dt.date, sessions_per_week: float) -> int:
    """Consecutive 7-day blocks, counted back from ``as_of``, holding at least ``sessions_per_week`` sessions."""
    weeks = 0
    while weeks < _MAX_WEEKS_COUNTED:
        end = as_of - dt.timedelta(days=7 * weeks)
        start = end - dt.timedelta(days=6)
        if sum(start <= d <= end for d in session_dates) < sessions_per_week:
            return weeks
        weeks += 1
    return weeks


def blocking_reason(exercise: Exercise, state: AthleteState) -> str | None:
    """Why ``exercise`` must not be prescribed to this athlete now, or None when it may be."""
    for kind in sorted(state.injured):
        if kind in exercise.rehab_for:
            continue
        name = INJURY_NAMES[kind]
        if kind in exercise.contraindications:
            return f"contraindicated during a current {name}: {exercise.contraindication_note}"
        if INJURED_TISSUE[kind] & set(exercise.regions):
            return f"loads the injured tissue ({name}) beyond its rehab protocol"
    if state.injured and exercise.is_ballistic:
        return f"{exercise.category.replace('_', ' ')} work waits until you are back to full running"
    for prerequisite in exercise.prerequisites:
        missing = _unmet(prerequisite, state)
        if missing:
            return missing
    return None


def recommend(state: AthleteState, catalogue: Catalogue, budget: StrengthBudget) -> StrengthPlan:
    """Rehab for current injuries, then up to 3 protective exercises per raised risk, within the weekly budget."""
    # Unknown counts as none: a starter dose is the safe side.
    novice = not _number(state.features.get("strength_sessions_per_week")) >= NOVICE_SESSIONS_PER_WEEK
    chosen: list[Prescription] = []
    excluded: list[Exclusion] = []
    used: set[str] = set()
    remaining = budget.weekly_minutes

    def accept(prescription: Prescription) -> None:
        nonlocal remaining
        remaining -= prescription.weekly_minutes
        used.add(prescription.exercise.id)
        chosen.append(prescription)

    def too_long(kind: str, prescription: Prescription) -> None:
        excluded.append(
            Exclusion(kind, prescription.exercise.id, f"does not fit the weekly budget ({remaining:.0f} min left)")
        )

    for kind in sorted(state.injured):
        for exercise in sorted(
            (e for e in catalogue.exercises if kind in e.rehab_for), key=lambda e: _EVIDENCE_RANK[e.evidence]
        )[:PER_INJURY]:
            reason = blocking_reason(exercise, state)
            if reason:
                excluded.append(Exclusion(kind, exercise.id, reason))
            elif exercise.id not in used:
                rehab = _prescribe(
                    kind, exercise, "rehab", True, state, budget, f"part of the rehab protocol for {INJURY_NAMES[kind]}"
                )
                if rehab.weekly_minutes <= remaining + 1e-9:
                    accept(rehab)
                else:
                    too_long(kind, rehab)

    raised = sorted(
        (
            (rr, kind)
            for kind, rr in state.relative_risks.items()
            if rr is not None and rr >= MIN_RELATIVE_RISK and kind not in state.injured
        ),
        reverse=True,
    )
    queues: dict[str, list[Prescription]] = {}
    for rr, kind in raised:
        queue = []
        for exercise in sorted(catalogue.protecting(kind), key=lambda e: _rank(e, kind, state, budget)):
            reason = blocking_reason(exercise, state)
            if reason:
                excluded.append(Exclusion(kind, exercise.id, reason))
            else:
                queue.append(
                    _prescribe(
                        kind, exercise, "prevention", novice, state, budget, _why(kind, rr, exercise, state, budget)
                    )
                )
        queues[kind] = queue
    # Rounds over the raised risks, riskiest first: each round gives every risk its best exercise that fits while
    # leaving room for the cheapest option of each risk still waiting in that round, so a tight budget covers every
    # raised risk once before any gets a second exercise.
    taken = dict.fromkeys(queues, 0)
    for _ in range(PER_INJURY):
        waiting = [kind for _, kind in raised if taken[kind] < PER_INJURY and queues[kind]]
        for position, kind in enumerate(waiting):
            reserve = sum(
                min((p.weekly_minutes for p in queues[later] if p.exercise.id not in used), default=0.0)
                for later in waiting[position + 1 :]
            )
            for prescription in list(queues[kind]):
                if prescription.exercise.id in used:
                    queues[kind].remove(prescription)
                elif prescription.weekly_minutes > remaining + 1e-9:
                    too_long(kind, prescription)
                    queues[kind].remove(prescription)
                elif prescription.weekly_minutes <= remaining - reserve + 1e-9:
                    queues[kind].remove(prescription)
                    accept(prescription)
                    taken[kind] += 1
                    break
    return StrengthPlan(
        prescriptions=chosen,
        excluded=excluded,
        weekly_minutes=budget.weekly_minutes - remaining,
        budget=budget,
        see_clinician=bool(state.injured),
        return_to_run=return_to_run(state.injured),
    )


def _prescribe(
    kind: str, exercise: Exercise, role: Role, starter: bool, state: AthleteState, budget: StrengthBudget, why: str
) -> Prescription:
    # Prevention work is done inside the budgeted sessions, so it cannot be more frequent than they are; rehab keeps
    # its protocol's frequency (e.g. Alfredson twice daily).
    cap = None if role == "rehab" else float(budget.sessions_per_week)
    steps = progression_steps(exercise, starter, cap)
    dose = steps[0].dose
    current, target = _current_volume(exercise, kind, state), _target_volume(exercise, budget)
    return Prescription(
        injury=kind,
        exercise=exercise,
        role=role,
        starter=starter,
        dose=dose,
        weekly_minutes=dose.minutes * dose.sessions_per_week,
        current_weekly_reps=current,
        target_weekly_reps=target,
        progression=steps,
        why=why,
    )


def _current_volume(exercise: Exercise, kind: str, state: AthleteState) -> float:
    """The athlete's recent weekly reps (28-day mean) of the work this exercise is: eccentric hamstring, calf, or the
    injury's protective exercises as a whole."""
    if exercise.eccentric_hamstring:
        name = "nordic_reps_per_week"
    elif exercise.calf_loading:
        name = "calf_reps_per_week"
    else:
        name = f"protective_reps_per_week_{kind}"
    value = _number(state.features.get(name))
    return 0.0 if math.isnan(value) else value


def _target_volume(exercise: Exercise, budget: StrengthBudget) -> float | None:
    dose = exercise.dosing
    if dose.reps is None:
        return None
    return float(dose.sets * dose.reps * min(dose.sessions_per_week, budget.sessions_per_week))


def _deficit(exercise: Exercise, kind: str, state: AthleteState, budget: StrengthBudget) -> float:
    """Share of the target weekly volume the athlete is missing (0 = already at dose, 1 = none of it)."""
    current, target = _current_volume(exercise, kind, state), _target_volume(exercise, budget)
    if target is None:
        # Holds add no reps to the volume features; judge them by whether the tissue gets any work at all.
        return 1.0 if current == 0 else 0.5
    return max(0.0, 1.0 - current / target)


def _rank(exercise: Exercise, kind: str, state: AthleteState, budget: StrengthBudget) -> tuple[float, ...]:
    deficit = _deficit(exercise, kind, state, budget)
    # Exercises whose dose the athlete already meets go last: the advice there is to keep going, not to add work.
    return (float(deficit == 0.0), float(_EVIDENCE_RANK[exercise.evidence]), -deficit)


def _why(kind: str, rr: float, exercise: Exercise, state: AthleteState, budget: StrengthBudget) -> str:
    current, target = _current_volume(exercise, kind, state), _target_volume(exercise, budget)
    volume = (
        f"you do about {current:.0f} reps a week of this kind of work against a target of {target:.0f}"
        if target is not None
        else f"you do about {current:.0f} reps a week of work protecting this tissue"
    )
    return (
        f"{INJURY_NAMES[kind]} risk is {rr:.1f}x the population rate; {volume}; "
        f"evidence: {_EVIDENCE_WORDS[exercise.evidence]} ({exercise.source})"
    )


def _unmet(prerequisite: Prerequisite, state: AthleteState) -> str | None:
    have = weeks_meeting(state.strength_session_dates, state.as_of, prerequisite.min)
    if have >= prerequisite.weeks:
        return None
    return (
        f"needs {prerequisite.weeks} weeks of at least {prerequisite.min:g} strength sessions a week first; "
        f"your log shows {have}"
    )


def _number(value: SupportsFloat | None) -> float:
    if value is None:
        return math.nan
    return float(value)

"""Dose progression of a catalogue exercise: from its starter dose to its target dose over its progression weeks."""

from __future__ import annotations

from dataclasses import dataclass

from training.domain.catalogue import Dosing, Exercise


@dataclass(frozen=True)
class ProgressionStep:
    """The dose for a range of weeks of the programme (``last_week`` None: from ``first_week`` on)."""

    first_week: int
    last_week: int | None
    dose: Dosing


def progression_steps(
    exercise: Exercise, starter: bool, sessions_cap: float | None = None
) -> tuple[ProgressionStep, ...]:
    """Starter dose, a midway step, then the target dose from week ``progression_weeks + 1`` (target alone if trained).

    ``sessions_cap`` limits sessions a week (prevention work fits in the budgeted sessions).
    """

    def capped(dose: Dosing) -> Dosing:
        if sessions_cap is None or dose.sessions_per_week <= sessions_cap:
            return dose
        return dose.model_copy(update={"sessions_per_week": float(sessions_cap)})

    start, target = capped(exercise.starter_dosing), capped(exercise.dosing)
    if not starter:
        return (ProgressionStep(1, None, target),)
    weeks = exercise.progression_weeks
    if weeks < 3:
        return ProgressionStep(1, weeks, start), ProgressionStep(weeks + 1, None, target)
    third = weeks // 3
    # A midway step so the athlete never makes the whole jump from starter to target dose in one week; the
    # exercise's own progression note says how to load it.
    midway = start.model_copy(
        update={
            "sets": max(start.sets, target.sets),
            "reps": None if start.reps is None else round((start.reps + (target.reps or start.reps)) / 2),
            "hold_seconds": None
            if start.hold_seconds is None
            else round((start.hold_seconds + (target.hold_seconds or start.hold_seconds)) / 2),
            "sessions_per_week": max(start.sessions_per_week, target.sessions_per_week),
            "load": f"between '{start.load}' and '{target.load}'",
            "minutes": max(start.minutes, target.minutes),
        }
    )
    return (
        ProgressionStep(1, third, start),
        ProgressionStep(third + 1, weeks, midway),
        ProgressionStep(weeks + 1, None, target),
    )

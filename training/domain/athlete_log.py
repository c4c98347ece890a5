"""One athlete's training log as arrays: what a single answer scores, without the cohort tables' frames.

The same log as a one-athlete ``Cohort`` (``schema.py``), field for field and row for row in the same order, so that
the features computed from either are the same floats. Days are whole days since 1970-01-01 (int64).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, fields

import numpy as np

_EPOCH_ORDINAL = dt.date(1970, 1, 1).toordinal()


def day_number(day: dt.date) -> int:
    """Whole days since 1970-01-01."""
    return day.toordinal() - _EPOCH_ORDINAL


def date_of(number: int) -> dt.date:
    return dt.date.fromordinal(int(number) + _EPOCH_ORDINAL)


@dataclass(frozen=True)
class Profile:
    """The profile columns of ``PROFILE_COLUMNS``; NaN (None for sex) where not given."""

    age: float
    sex: str | None
    years_running: float
    body_mass_kg: float
    height_cm: float


@dataclass(frozen=True)
class RunArrays:
    """One entry per run, in log order; NaN where a duration or RPE is not given."""

    day: np.ndarray
    km: np.ndarray
    km_threshold: np.ndarray
    km_interval: np.ndarray
    km_sprint: np.ndarray
    duration_min: np.ndarray
    rpe: np.ndarray

    def take(self, rows: np.ndarray) -> RunArrays:
        return RunArrays(*(getattr(self, f.name)[rows] for f in fields(self)))


@dataclass(frozen=True)
class StrengthArrays:
    """One entry per exercise performed (the strength table's rows); ``session`` numbers the sessions 0, 1, ..."""

    day: np.ndarray
    session: np.ndarray
    exercise: np.ndarray  # position in ``exercise_ids`` (-1: none)
    exercise_ids: tuple[str, ...]  # the distinct exercises
    sets: np.ndarray
    reps: np.ndarray  # NaN for holds

    def take(self, rows: np.ndarray) -> StrengthArrays:
        return StrengthArrays(
            self.day[rows], self.session[rows], self.exercise[rows], self.exercise_ids, self.sets[rows], self.reps[rows]
        )


@dataclass(frozen=True)
class InjuryArrays:
    """One entry per recorded injury; ``resolved`` is meaningful only where ``resolved_known``."""

    kind: np.ndarray  # object array of injury ids
    onset: np.ndarray
    resolved: np.ndarray
    resolved_known: np.ndarray


@dataclass(frozen=True)
class AthleteLog:
    profile: Profile
    runs: RunArrays
    strength: StrengthArrays
    injuries: InjuryArrays
    log_start: int | None = None  # the day the log is complete from; None: complete

    def unread(self) -> int:
        """Activities (runs and strength sessions) dated before ``log_start``: they are not read."""
        if self.log_start is None:
            return 0
        before = self.strength.day < self.log_start
        return int((self.runs.day < self.log_start).sum()) + len(np.unique(self.strength.session[before]))

    def session_days(self) -> np.ndarray:
        """The day of each strength session, in log order."""
        first = np.unique(self.strength.session, return_index=True)[1]
        return self.strength.day[np.sort(first)]

"""What an activity file holds once parsed, before it is mapped onto a run or strength session of the log."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np


class RefusedFile(Exception):
    """A file that stores nothing, with the reason and the HTTP status that says so."""

    def __init__(self, reason: str, status: int = 422) -> None:
        super().__init__(reason)
        self.reason = reason
        self.status = status


@dataclass(frozen=True)
class Track:
    """Time-ordered samples: UTC seconds since 1970, cumulative metres and heart rate (NaN where unknown)."""

    seconds: np.ndarray
    metres: np.ndarray
    heart_rate: np.ndarray

    @classmethod
    def of(cls, seconds: list[float], metres: list[float], heart_rate: list[float]) -> Track:
        order = np.argsort(np.asarray(seconds, dtype=float), kind="stable")
        return cls(*(np.asarray(values, dtype=float)[order] for values in (seconds, metres, heart_rate)))

    @property
    def has_heart_rate(self) -> bool:
        return bool(np.isfinite(self.heart_rate).any())


@dataclass(frozen=True)
class StrengthSet:
    """One active set as a device recorded it: the FIT exercise category and name, reps and load."""

    category: str
    name: str | None
    reps: int | None
    load_kg: float | None


@dataclass(frozen=True)
class Recording:
    """One activity of a file. ``sport`` is ``run``, ``strength`` or the file's own word for anything else."""

    sport: str
    start: dt.datetime  # aware, UTC
    utc_offset: dt.timedelta | None  # the local offset the file itself states, if any
    track: Track | None = None
    total_metres: float | None = None  # the device's own total, when the file states one
    rpe: float | None = None
    sets: tuple[StrengthSet, ...] = field(default_factory=tuple)
    laps: int = 1


def offset_of(moment: dt.datetime) -> dt.timedelta | None:
    """The local offset a timestamp carries; UTC (``Z``) or no zone says nothing about the athlete's local day."""
    offset = moment.utcoffset()
    return offset if offset else None

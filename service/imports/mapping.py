"""A recording mapped onto the log: the athlete's local day, a run's distance, moving time and zones, or a strength
session's exercises; or the reason it is skipped."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TypeVar

from pydantic import ValidationError

from service.db.models import Athlete
from service.imports.exercises import catalogue_id, label
from service.imports.recording import Recording, RefusedFile
from service.imports.zones import Reference, effort
from service.schemas.activities import RunActivity, StrengthActivity

_Activity = TypeVar("_Activity", RunActivity, StrengthActivity)
_MAX_SETS = 20
# The marathon world record averages 5.9 m/s; no run of a training log averages more than this.
FASTEST_RUN_M_PER_S = 7.0  # ExerciseSet's ceiling: more sets of one exercise are split over entries


@dataclass(frozen=True)
class Reading:
    """The athlete's settings that decide how a file is read."""

    timezone: str | None = None
    age: int | None = None
    max_hr_bpm: float | None = None
    threshold_hr_bpm: float | None = None
    threshold_pace_s_per_km: float | None = None

    @classmethod
    def of(cls, athlete: Athlete) -> Reading:
        return cls(
            athlete.timezone, athlete.age, athlete.max_hr_bpm, athlete.threshold_hr_bpm, athlete.threshold_pace_s_per_km
        )

    def reference(self) -> Reference:
        estimated = self.max_hr_bpm is None and self.threshold_hr_bpm is None and self.age is not None
        # Tanaka, Monahan and Seals 2001 (JACC): maximum heart rate = 208 - 0.7 x age, when the athlete gave none.
        max_hr = 208 - 0.7 * self.age if estimated and self.age is not None else self.max_hr_bpm
        return Reference(max_hr, self.threshold_hr_bpm, self.threshold_pace_s_per_km, max_hr_estimated=estimated)


@dataclass(frozen=True)
class Mapped:
    """One activity of a file: what will be stored, or why it is skipped."""

    id: str
    sport: str
    activity: RunActivity | StrengthActivity | None = None
    skipped: str | None = None
    notes: tuple[str, ...] = field(default_factory=tuple)


def map_recording(recording: Recording, reading: Reading) -> Mapped:
    start = recording.start
    if recording.track is not None and len(recording.track.seconds):
        start = dt.datetime.fromtimestamp(float(recording.track.seconds[0]), dt.UTC)
    # Start time and sport identify an activity: re-uploading a file, or the same run exported as FIT and as GPX,
    # finds the row already stored.
    activity_id = f"{recording.sport}-{start:%Y%m%dT%H%M%SZ}"
    if recording.sport not in ("run", "strength"):
        reason = f"a {recording.sport} activity: only runs and strength sessions are imported"
        return Mapped(activity_id, recording.sport, skipped=reason)
    day, day_note = local_day(start, recording.utc_offset, reading.timezone)
    activity: RunActivity | StrengthActivity
    if recording.sport == "run":
        activity, notes = _run(recording, reading, activity_id, day)
    else:
        activity, notes = _strength(recording, activity_id, day)
    return Mapped(activity_id, recording.sport, activity, notes=(day_note, *notes))


def local_day(start: dt.datetime, offset: dt.timedelta | None, timezone: str | None) -> tuple[dt.date, str]:
    if offset is not None:
        sign = "-" if offset < dt.timedelta(0) else "+"
        hours, rest = divmod(abs(int(offset.total_seconds())) // 60, 60)
        return (start + offset).date(), f"local day from the file's UTC offset {sign}{hours:02d}:{rest:02d}"
    if timezone is not None:
        return start.astimezone(zoneinfo.ZoneInfo(timezone)).date(), f"local day in the athlete's time zone {timezone}"
    return start.date(), "day in UTC: neither the file nor the athlete gives a time zone"


def _run(recording: Recording, reading: Reading, activity_id: str, day: dt.date) -> tuple[RunActivity, list[str]]:
    track, notes = recording.track, []
    measured = effort(track, reading.reference()) if track is not None and len(track.seconds) >= 2 else None
    total = recording.total_metres
    if not total and track is not None and len(track.metres):
        finite = track.metres[track.metres == track.metres]
        total = float(finite[-1] - finite[0]) if len(finite) else None
    if not total or total <= 0:
        raise RefusedFile("a run without distance")
    if measured is not None and measured.moving_seconds > 0:
        speed = measured.moving_metres / measured.moving_seconds
        if speed > FASTEST_RUN_M_PER_S:
            # A ride or a drive exported without its sport: faster on average than any human runs.
            raise RefusedFile(f"moves at {3.6 * speed:.0f} km/h on average: not a run; set the file's sport")
    km = round(total / 1000, 3)
    values: dict[str, float | None] = {"km_threshold": 0.0, "km_interval": 0.0, "km_sprint": 0.0}
    if measured is not None:
        zones = [measured.threshold_metres, measured.interval_metres, measured.sprint_metres]
        # The device's total may be shorter than the distance its samples add up to: zones never exceed the run.
        scale = min(1.0, total / sum(zones)) if sum(zones) > 0 else 1.0
        for name, metres in zip(("km_threshold", "km_interval", "km_sprint"), zones, strict=True):
            values[name] = round(metres * scale / 1000, 3)
        excess = sum(v or 0.0 for v in values.values()) - km
        if excess > 0:
            values["km_threshold"] = round(max(0.0, (values["km_threshold"] or 0.0) - excess), 3)
        values["duration_min"] = round(measured.moving_seconds / 60, 2) if measured.moving_seconds > 0 else None
        notes.append(f"zones from {measured.basis}")
    if recording.laps > 1:
        notes.append(f"{recording.laps} laps")
    body = {"id": activity_id, "kind": "run", "date": day, "km": km, "rpe": recording.rpe, **values}
    return _validated(RunActivity, body), notes


def _strength(recording: Recording, activity_id: str, day: dt.date) -> tuple[StrengthActivity, list[str]]:
    if not recording.sets:
        raise RefusedFile("a strength session without recorded sets: nothing to count")
    grouped: dict[tuple[str, int | None, float | None], int] = {}
    unknown = []
    for strength_set in recording.sets:
        exercise = catalogue_id(strength_set)
        if exercise is None:
            unknown.append(label(strength_set))
            continue
        key = (exercise, strength_set.reps, strength_set.load_kg)
        grouped[key] = grouped.get(key, 0) + 1
    if not grouped:
        names = ", ".join(sorted(set(unknown)))
        raise RefusedFile(f"no exercise of this strength session is in the catalogue (GET /v1/exercises): {names}")
    exercises = []
    for (exercise, reps, load), sets in grouped.items():
        for start in range(0, sets, _MAX_SETS):
            count = min(_MAX_SETS, sets - start)
            exercises.append({"exercise_id": exercise, "sets": count, "reps": reps, "load_kg": load})
    notes = [f"left out, not in the catalogue: {', '.join(sorted(set(unknown)))}"] if unknown else []
    body = {"id": activity_id, "kind": "strength", "date": day, "exercises": exercises}
    return _validated(StrengthActivity, body), notes


def _validated(model: type[_Activity], body: Mapping[str, object]) -> _Activity:
    try:
        return model.model_validate(body)
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or "activity"
        raise RefusedFile(f"{where}: {first['msg']}") from None

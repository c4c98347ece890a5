"""Activity files into an athlete's stored log: each file read, mapped and stored in a transaction of its own."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Literal

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from service.imports.csv_rows import read_csv
from service.imports.detect import Format, Limits, sniff, unpack
from service.imports.fit import read_fit
from service.imports.gpx import read_gpx
from service.imports.mapping import Mapped, Reading, map_recording
from service.imports.recording import Recording, RefusedFile
from service.imports.tcx import read_tcx
from service.repositories import activities
from service.schemas.activities import RunActivity, StrengthActivity
from service.schemas.imports import FileResult, ImportedActivity, ImportResult
from service.schemas.risk import ExerciseSet
from training.settings import Settings

_RECORDINGS: dict[str, Callable[[bytes], list[Recording]]] = {"fit": read_fit, "gpx": read_gpx, "tcx": read_tcx}


@dataclass(frozen=True)
class ReadFile:
    """A file's activities, ready to store, or the reason it stores nothing."""

    name: str
    format: Format | None
    mapped: list[Mapped] = field(default_factory=list)
    refused: RefusedFile | None = None


def limits_of(settings: Settings) -> Limits:
    return Limits(
        file_bytes=int(settings.import_max_file_mb * 1e6),
        archive_bytes=int(settings.import_max_archive_mb * 1e6),
        files=settings.import_max_files,
    )


def read_upload(name: str, data: bytes, reading: Reading, limits: Limits, today: dt.date) -> list[ReadFile]:
    """The files of one upload (an archive holds several), each read on its own: no database involved."""
    try:
        parts = unpack(name, data, limits)
    except RefusedFile as refusal:
        return [ReadFile(name, None, refused=refusal)]
    return [read_one(part, content, reading, today) for part, content in parts]


def read_one(name: str, data: bytes, reading: Reading, today: dt.date) -> ReadFile:
    found: Format | None = None
    try:
        found = sniff(data)
        mapped = read_csv(data) if found == "csv" else [map_recording(r, reading) for r in _RECORDINGS[found](data)]
        # One day of slack, as for JSON activities: an athlete east of UTC logs tomorrow's date before UTC midnight.
        latest = today + dt.timedelta(days=1)
        future = [m.activity.date for m in mapped if m.activity is not None and m.activity.date > latest]
        if future:
            raise RefusedFile(f"dated {future[0]}, in the future")
        if all(m.activity is None for m in mapped):
            raise RefusedFile("; ".join(dict.fromkeys(m.skipped or "" for m in mapped)))
    except RefusedFile as refusal:
        return ReadFile(name, found, refused=refusal)
    return ReadFile(name, found, mapped)


def store(session: Session, athlete_id: str, read: ReadFile) -> FileResult:
    """Upsert the file's activities and commit; on any refusal nothing of the file is stored."""
    if read.refused is not None:
        return FileResult(file=read.name, format=read.format, status="refused", reason=read.refused.reason)
    results = []
    try:
        for mapped in read.mapped:
            if mapped.activity is None:
                results.append(
                    ImportedActivity(id=mapped.id, kind=mapped.sport, outcome="skipped", notes=[mapped.skipped or ""])
                )
                continue
            activity = _keeping_what_the_file_does_not_say(session, athlete_id, mapped)
            _, outcome = activities.upsert(session, athlete_id, mapped.id, activity)
            results.append(_public(mapped, activity, outcome))  # type: ignore[arg-type]
        session.commit()
    except IntegrityError:
        session.rollback()
        reason = "conflicts with a concurrent change of the same activities; retry"
        return FileResult(file=read.name, format=read.format, status="refused", reason=reason)
    changed = any(r.outcome in ("created", "updated") for r in results)
    return FileResult(
        file=read.name, format=read.format, status="stored" if changed else "already_stored", activities=results
    )


def import_files(
    session: Session,
    athlete_id: str,
    reading: Reading,
    uploads: Iterable[tuple[str, bytes]],
    settings: Settings,
    today: dt.date,
    done: Callable[[FileResult], None] | None = None,
) -> tuple[ImportResult, int]:
    """Read and store every upload, one file at a time; ``done`` hears of each file as it is finished.

    Also the HTTP status that sums it up: 200 when no file was refused, 207 when some were, and when all were, the
    refusals' common 4xx (422 when they differ).
    """
    limits = limits_of(settings)
    results, refusals = [], set()
    for name, data in uploads:
        for read in read_upload(name, data, reading, limits, today):
            result = store(session, athlete_id, read)
            results.append(result)
            if result.status == "refused":
                refusals.add(read.refused.status if read.refused is not None else 409)
            if done is not None:
                done(result)
    summary = ImportResult(
        files=results,
        stored=sum(r.status == "stored" for r in results),
        already_stored=sum(r.status == "already_stored" for r in results),
        refused=sum(r.status == "refused" for r in results),
    )
    if not summary.refused:
        return summary, 200
    if summary.refused < len(results):
        return summary, 207
    return summary, refusals.pop() if len(refusals) == 1 else 422


# A run's optional values that some formats do not carry (RPE is in FIT only; a file without samples has no moving
# time): the same run exported again in a poorer format must not blank what a richer one stored.
_OPTIONAL_RUN_VALUES = ("rpe", "duration_min")


def _keeping_what_the_file_does_not_say(
    session: Session, athlete_id: str, mapped: Mapped
) -> RunActivity | StrengthActivity:
    activity = mapped.activity
    assert activity is not None
    if not isinstance(activity, RunActivity):
        return activity
    missing = [name for name in _OPTIONAL_RUN_VALUES if getattr(activity, name) is None]
    stored = activities.get(session, athlete_id, mapped.id) if missing else None
    if stored is None or stored.kind != "run":
        return activity
    kept = {name: getattr(stored, name) for name in missing if getattr(stored, name) is not None}
    return activity.model_copy(update=kept) if kept else activity


def _public(
    mapped: Mapped, activity: RunActivity | StrengthActivity, outcome: Literal["created", "updated", "unchanged"]
) -> ImportedActivity:
    values = activity.model_dump(exclude={"id", "kind", "exercises"})
    exercises = activity.exercises if isinstance(activity, StrengthActivity) else None
    return ImportedActivity(
        id=mapped.id,
        kind=activity.kind,
        outcome=outcome,
        exercises=[ExerciseSet.model_validate(e.model_dump()) for e in exercises] if exercises else None,
        notes=list(mapped.notes),
        **values,
    )

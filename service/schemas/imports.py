"""The answer of POST /v1/athletes/{athlete_id}/activities:import: per file, what was stored, skipped or refused."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import BaseModel, Field

from service.schemas.risk import ExerciseSet


class ImportedActivity(BaseModel):
    id: str = Field(description="Derived from the activity's start time and sport (CSV: the id column or its line).")
    kind: str = Field(description="run or strength; the file's sport when skipped.")
    outcome: Literal["created", "updated", "unchanged", "skipped"]
    date: dt.date | None = None
    km: float | None = None
    km_threshold: float | None = None
    km_interval: float | None = None
    km_sprint: float | None = None
    duration_min: float | None = Field(None, description="Moving time: pauses and standing still left out.")
    rpe: float | None = None
    exercises: list[ExerciseSet] | None = None
    notes: list[str] = Field(default_factory=list, description="How the day and zones were read; why it was skipped.")


class FileResult(BaseModel):
    file: str = Field(description="The uploaded file's name (archive members as archive/member).")
    format: Literal["fit", "gpx", "tcx", "csv"] | None = None
    status: Literal["stored", "already_stored", "refused"]
    reason: str | None = Field(None, description="Why the file was refused; nothing of it is stored.")
    activities: list[ImportedActivity] = Field(default_factory=list)


class ImportResult(BaseModel):
    files: list[FileResult]
    stored: int = Field(description="Files that created or changed at least one activity.")
    already_stored: int = Field(description="Files whose every activity was already stored as it is.")
    refused: int


IMPORT_RESPONSES: dict[int | str, dict[str, Any]] = {
    207: {"model": ImportResult, "description": "Some files were stored and some refused (see each file's status)."},
    413: {"description": "Every file was refused as too large (or too many files); detail names each."},
    415: {"description": "Every file was refused as not FIT, GPX, TCX or CSV; detail names each."},
    422: {"description": "Every file was refused (corrupt, empty, no times, another sport...); detail names each."},
}

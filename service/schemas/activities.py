"""Bodies of /v1/athletes/{athlete_id}/activities: the Run and StrengthSession rules of POST /v1/risk, plus a kind."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field

from service.schemas.risk import ExerciseSet, Run, StrengthSession, _Body

MAX_BULK = 10_000


class RunActivity(Run):
    kind: Literal["run"]
    id: str | None = Field(  # type: ignore[assignment]  # optional: a PUT takes it from the path
        None, min_length=1, max_length=128, description="The caller's id; taken from the path on PUT."
    )


class StrengthActivity(StrengthSession):
    kind: Literal["strength"]
    id: str | None = Field(  # type: ignore[assignment]  # optional: a PUT takes it from the path
        None, min_length=1, max_length=128, description="The caller's id; taken from the path on PUT."
    )


ActivityIn = Annotated[RunActivity | StrengthActivity, Field(discriminator="kind")]


class BulkActivities(_Body):
    activities: list[ActivityIn] = Field(min_length=1, max_length=MAX_BULK)


class BulkResult(BaseModel):
    created: int
    updated: int
    unchanged: int


class ActivityPublic(BaseModel):
    id: str = Field(description="The caller's external id.")
    kind: Literal["run", "strength"]
    date: dt.date
    km: float | None = None
    km_threshold: float | None = None
    km_interval: float | None = None
    km_sprint: float | None = None
    duration_min: float | None = None
    rpe: float | None = None
    exercises: list[ExerciseSet] | None = None
    created_at: dt.datetime
    updated_at: dt.datetime


class ActivitiesPublic(BaseModel):
    data: list[ActivityPublic]
    count: int
    next_cursor: str | None


RUN_EXAMPLE: dict[str, Any] = {"kind": "run", "date": "2026-11-01", "km": 24, "rpe": 7, "duration_min": 140}
STRENGTH_EXAMPLE: dict[str, Any] = {
    "kind": "strength",
    "date": "2026-10-28",
    "exercises": [{"exercise_id": "nordic_curl", "sets": 3, "reps": 6}],
}
BULK_EXAMPLE: dict[str, Any] = {
    "activities": [{"id": "r1", **RUN_EXAMPLE}, {"id": "s1", **STRENGTH_EXAMPLE}],
}

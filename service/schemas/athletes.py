"""Bodies of /v1/athletes: the profile reuses the validated AthleteProfile of POST /v1/risk."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, Field

from service.schemas.risk import LOG_START, AthleteProfile, _Body

# Ids end up in URLs and logs: printable characters only (no NUL, which PostgreSQL text cannot hold either).
ID_PATTERN = r"^[^\x00-\x1f\x7f]+$"
EXTERNAL_ID = Field(
    min_length=1,
    max_length=128,
    pattern=ID_PATTERN,
    description="The caller's id of the athlete, unique in the tenant.",
)


class AthleteCreate(_Body):
    external_id: str = EXTERNAL_ID
    profile: AthleteProfile
    log_start: dt.date | None = LOG_START


class AthleteUpdate(_Body):
    external_id: str | None = Field(None, min_length=1, max_length=128, pattern=ID_PATTERN)
    profile: AthleteProfile | None = Field(None, description="Replaces the whole profile.")
    log_start: dt.date | None = Field(
        None, description="First day the stored log is complete from; left out: unchanged, null: complete."
    )


class AthletePublic(BaseModel):
    id: str = Field(description="The service's id of the athlete, used in every /v1/athletes/{athlete_id} path.")
    external_id: str
    profile: AthleteProfile
    log_start: dt.date | None = Field(description="First day the stored log is complete from; null: complete.")
    created_at: dt.datetime
    updated_at: dt.datetime


class AthletesPublic(BaseModel):
    data: list[AthletePublic]
    count: int = Field(description="Athletes matching the query across all pages.")
    next_cursor: str | None = Field(description="Pass as ?cursor= for the next page; null on the last page.")


ATHLETE_EXAMPLE = {
    "external_id": "runner-0042",
    "profile": {"age": 34, "sex": "F", "years_running": 3, "body_mass_kg": 61, "height_cm": 168},
}

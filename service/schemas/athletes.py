"""Bodies of /v1/athletes: the profile reuses the validated AthleteProfile of POST /v1/risk."""

from __future__ import annotations

import datetime as dt
import zoneinfo

from pydantic import BaseModel, Field, field_validator

from service.schemas.risk import EARLIEST_DATE, LATEST_DATE, LOG_START, AthleteProfile, _Body

# Ids end up in URLs and logs: printable characters only (no NUL, which PostgreSQL text cannot hold either).
ID_PATTERN = r"^[^\x00-\x1f\x7f]+$"
EXTERNAL_ID = Field(
    min_length=1,
    max_length=128,
    pattern=ID_PATTERN,
    description="The caller's id of the athlete, unique in the tenant.",
)


def _known_timezone(value: str | None) -> str | None:
    if value is None:
        return None
    try:
        zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"{value!r} is not an IANA time zone such as Europe/Oslo") from None
    return value


class AthleteReading(_Body):
    """What turns an activity file into the log: the athlete's local day and their intensity zones."""

    timezone: str | None = Field(
        None,
        max_length=64,
        description="IANA time zone (e.g. Europe/Oslo): the local day of an imported file that states no offset.",
    )
    max_hr_bpm: int | None = Field(None, ge=120, le=230, description="Maximum heart rate, for heart-rate zones.")
    threshold_hr_bpm: int | None = Field(
        None,
        ge=100,
        le=220,
        description="Lactate-threshold heart rate; preferred over the maximum when both are given.",
    )
    threshold_pace_s_per_km: float | None = Field(
        None,
        ge=120,
        le=900,
        description="Threshold pace in s/km: pace zones where a file has no heart rate, and sprints.",
    )

    @field_validator("timezone")
    @classmethod
    def _iana(cls, value: str | None) -> str | None:
        return _known_timezone(value)


class AthleteCreate(AthleteReading):
    external_id: str = EXTERNAL_ID
    profile: AthleteProfile
    log_start: dt.date | None = LOG_START


class AthleteUpdate(AthleteReading):
    """Fields left out stay as they are; a reading field sent as null is cleared."""

    external_id: str | None = Field(None, min_length=1, max_length=128, pattern=ID_PATTERN)
    profile: AthleteProfile | None = Field(None, description="Replaces the whole profile.")
    log_start: dt.date | None = Field(
        None,
        ge=EARLIEST_DATE,
        le=LATEST_DATE,
        description="First day the stored log is complete from; left out: unchanged, null: complete.",
    )


READING_FIELDS = ("timezone", "max_hr_bpm", "threshold_hr_bpm", "threshold_pace_s_per_km")


class AthletePublic(BaseModel):
    id: str = Field(description="The service's id of the athlete, used in every /v1/athletes/{athlete_id} path.")
    external_id: str
    profile: AthleteProfile
    timezone: str | None = None
    max_hr_bpm: int | None = None
    threshold_hr_bpm: int | None = None
    threshold_pace_s_per_km: float | None = None
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

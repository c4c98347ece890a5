"""Bodies of /v1/athletes/{athlete_id}/injuries: InjuryRecord of POST /v1/risk plus time lost and clinical notes."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, Field

from service.schemas.risk import InjuryRecord
from training.domain.schema import Injury


class InjuryIn(InjuryRecord):
    time_lost_days: int | None = Field(None, ge=0, le=3650, description="Days of training lost.")
    notes: str | None = Field(None, max_length=4000, description="Clinician's notes.")


class InjuryPublic(BaseModel):
    id: str = Field(description="The caller's external id.")
    kind: Injury
    side: Literal["left", "right", "both"] | None
    onset: dt.date
    resolved: dt.date | None
    time_lost_days: int | None
    notes: str | None
    created_at: dt.datetime
    updated_at: dt.datetime


class InjuriesPublic(BaseModel):
    data: list[InjuryPublic]
    count: int
    next_cursor: str | None


INJURY_EXAMPLE = {
    "kind": "achilles",
    "side": "left",
    "onset": "2026-03-02",
    "resolved": "2026-04-20",
    "time_lost_days": 49,
    "notes": "mid-portion; heavy slow resistance from week 2",
}

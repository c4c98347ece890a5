"""Request and response bodies of POST /v1/risk/what-if."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from service.schemas.risk import EARLIEST_DATE, LATEST_DATE, ModelRef, RiskRequest, Run, StrengthSession
from training.domain.schema import Injury
from training.model.scoring import Band

# Ceiling against oversized bodies: two weeks of plan never needs more.
_MAX_PLANNED = 100


def _plan_not_empty(schema: dict[str, Any]) -> None:
    # Validation refuses a plan with nothing planned; the published schema says so, so generated clients do too.
    schema["anyOf"] = [
        {"required": [field], "properties": {field: {"minItems": 1}}}
        for field in ("planned_runs", "planned_strength_sessions")
    ]


class WhatIfRequest(RiskRequest):
    """The POST /v1/risk body plus the training planned for the days after as_of (at least one activity)."""

    model_config = ConfigDict(extra="forbid", json_schema_extra=_plan_not_empty)

    planned_runs: list[Run] = Field(
        default_factory=list, max_length=_MAX_PLANNED, description="Runs planned after as_of (within what_if_max_days)."
    )
    planned_strength_sessions: list[StrengthSession] = Field(
        default_factory=list, max_length=_MAX_PLANNED, description="Strength sessions planned after as_of."
    )


class StoredPlanRequest(BaseModel):
    """Body of POST /v1/athletes/{athlete_id}/what-if: the plan (at least one activity); the log is the stored one."""

    model_config = ConfigDict(extra="forbid", json_schema_extra=_plan_not_empty)

    as_of: dt.date | None = Field(
        None, ge=EARLIEST_DATE, le=LATEST_DATE, description="Day the plan starts after; default today (UTC)."
    )
    planned_runs: list[Run] = Field(default_factory=list, max_length=_MAX_PLANNED)
    planned_strength_sessions: list[StrengthSession] = Field(default_factory=list, max_length=_MAX_PLANNED)


class WhatIfRisk(BaseModel):
    injury: Injury
    name: str
    status: Literal["scored", "currently_injured"] = Field(description="Status on the plan's last day.")
    probability_with_plan: float | None = Field(description="Risk on plan_end with the plan logged.")
    probability_without_plan: float | None = Field(description="Risk on plan_end with nothing new after as_of.")
    change: float | None = Field(description="probability_with_plan - probability_without_plan.")
    peak_probability_with_plan: float | None = Field(description="Highest daily risk from as_of + 1 to plan_end.")
    relative_risk_with_plan: float | None
    relative_risk_without_plan: float | None
    band_with_plan: Band | None
    band_without_plan: Band | None


class WhatIfResponse(BaseModel):
    as_of: dt.date
    plan_end: dt.date = Field(description="The last planned day; both risks are for this day.")
    horizon_days: int
    risks: list[WhatIfRisk]
    model: ModelRef
    warnings: list[str]

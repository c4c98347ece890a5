"""Bodies of the stored-risk endpoints: an athlete's risk, its history, and the tenant's cohort sorted by risk."""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import BaseModel, Field

from service.schemas.risk import ModelRef, RiskResponse
from training.domain.schema import Injury
from training.model.scoring import Band


class AthleteRiskPublic(RiskResponse):
    """The answer POST /v1/risk would give for the stored log, plus where it was stored."""

    athlete_id: str
    assessment_id: int
    created_at: dt.datetime


class StoredRisk(BaseModel):
    injury: Injury
    probability: float | None = Field(description="Null while the athlete had this injury.")
    relative_risk: float | None
    band: Band | None


class AssessmentPublic(BaseModel):
    id: int
    athlete_id: str
    as_of: dt.date
    model: ModelRef
    risks: list[StoredRisk]
    drivers: list[Any]
    created_at: dt.datetime


class AssessmentsPublic(BaseModel):
    data: list[AssessmentPublic]
    count: int
    next_cursor: str | None


class CohortEntry(BaseModel):
    athlete_id: str
    external_id: str
    assessment: AssessmentPublic = Field(description="The athlete's latest assessment (latest as_of, then newest).")


class CohortPublic(BaseModel):
    data: list[CohortEntry]
    count: int = Field(description="Assessed athletes matching the filter across all pages.")
    next_cursor: str | None

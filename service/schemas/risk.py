"""Request and response bodies of POST /v1/risk."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from training.domain.catalogue import default_catalogue
from training.domain.schema import Injury
from training.model.scoring import Band

# Hard ceilings against oversized bodies; the configurable limits (log length, activity count) are checked on top.
_MAX_ITEMS = 10_000
# Dates the feature code can hold (pandas nanosecond timestamps span 1677-2262) with room for its look-back window.
EARLIEST_DATE = dt.date(1900, 1, 1)
LATEST_DATE = dt.date(2200, 12, 31)


LOG_START = Field(
    None,
    ge=EARLIEST_DATE,
    le=LATEST_DATE,
    description="First day from which the log is complete (when the athlete joined or connected a device). Days "
    "before it are unknown, not rest days: features that need them are missing and the answer's warnings name them. "
    "Null: the log is complete.",
)


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class AthleteProfile(_Body):
    age: int = Field(ge=10, le=100, description="Age in years.")
    sex: Literal["F", "M"]
    years_running: float = Field(ge=0, le=80, description="Years of regular running; under 1 counts as a novice.")
    body_mass_kg: float | None = Field(None, ge=25, le=250)
    height_cm: float | None = Field(None, ge=100, le=230)


class InjuryRecord(_Body):
    kind: Injury
    onset: dt.date = Field(ge=EARLIEST_DATE, le=LATEST_DATE)
    resolved: dt.date | None = Field(
        None,
        ge=EARLIEST_DATE,
        le=LATEST_DATE,
        description="Day the athlete was back to full training; null while ongoing.",
    )
    side: Literal["left", "right", "both"] | None = None

    @model_validator(mode="after")
    def _resolved_after_onset(self) -> InjuryRecord:
        if self.resolved is not None and self.resolved < self.onset:
            raise ValueError("resolved is before onset")
        return self


class Run(_Body):
    id: str = Field(min_length=1, max_length=128, description="The caller's id of this activity, unique in the log.")
    date: dt.date = Field(ge=EARLIEST_DATE, le=LATEST_DATE)
    km: float = Field(gt=0, le=200, description="Distance of the run in km (at most 200).")
    km_threshold: float = Field(0.0, ge=0, le=200, description="Part of km at threshold (zone 3-4).")
    km_interval: float = Field(0.0, ge=0, le=200, description="Part of km at interval pace (zone 5).")
    km_sprint: float = Field(0.0, ge=0, le=200, description="Part of km sprinting.")
    duration_min: float | None = Field(None, gt=0, le=1440)
    rpe: float | None = Field(None, ge=0, le=10, description="Session rating of perceived exertion, 0-10.")

    @model_validator(mode="after")
    def _zones_within_distance(self) -> Run:
        zones = self.km_threshold + self.km_interval + self.km_sprint
        if zones > self.km + 1e-9:
            raise ValueError(f"km_threshold + km_interval + km_sprint ({zones:g}) exceed km ({self.km:g})")
        return self


def _exercise_ids(schema: dict[str, Any]) -> None:
    # Read when the schema is generated, not at import: the catalogue is a file.
    schema["enum"] = sorted(default_catalogue().ids())


class ExerciseSet(_Body):
    exercise_id: str = Field(description="An id from GET /v1/exercises.", json_schema_extra=_exercise_ids)
    sets: int = Field(ge=1, le=20)
    reps: int | None = Field(None, ge=1, le=200, description="Reps per set; null for an isometric hold.")
    load_kg: float | None = Field(None, ge=0, le=500, description="External load; null for bodyweight.")

    @field_validator("exercise_id")
    @classmethod
    def _known_exercise(cls, value: str) -> str:
        if value not in default_catalogue().ids():
            raise ValueError(f"unknown exercise id {value!r}; GET /v1/exercises lists the known ones")
        return value

    @model_validator(mode="after")
    def _reps_unless_hold(self) -> ExerciseSet:
        # Volume (sets x reps) drives the strength features; only isometric holds have no reps to count.
        if self.reps is None and not default_catalogue().get(self.exercise_id).dosing.is_isometric:
            raise ValueError(f"reps is required for {self.exercise_id} (only isometric holds go without)")
        return self


class StrengthSession(_Body):
    id: str = Field(min_length=1, max_length=128, description="The caller's id of this activity, unique in the log.")
    date: dt.date = Field(ge=EARLIEST_DATE, le=LATEST_DATE)
    exercises: list[ExerciseSet] = Field(min_length=1, max_length=40)


class RiskRequest(_Body):
    athlete: AthleteProfile
    injuries: list[InjuryRecord] = Field(default_factory=list, max_length=500)
    runs: list[Run] = Field(default_factory=list, max_length=_MAX_ITEMS)
    strength_sessions: list[StrengthSession] = Field(default_factory=list, max_length=_MAX_ITEMS)
    as_of: dt.date | None = Field(
        None,
        ge=EARLIEST_DATE,
        le=LATEST_DATE,
        description="Day the risk is computed for (end of day); default today (UTC).",
    )
    log_start: dt.date | None = LOG_START


class Driver(BaseModel):
    """One feature's part in a risk, from the model's own arithmetic (TreeSHAP on the calibrated log-odds)."""

    feature: str
    value: float | None = Field(description="The athlete's value of the feature; null when unknown.")
    usual_low: float | None = Field(description="5th percentile of the feature in the training population.")
    usual_high: float | None = Field(description="95th percentile of the feature in the training population.")
    contribution: float = Field(description="Contribution to the calibrated log-odds of this injury.")
    direction: Literal["raises", "lowers"]
    sentence: str


class InjuryRisk(BaseModel):
    injury: Injury
    name: str
    status: Literal["scored", "currently_injured"]
    probability: float | None = Field(description="Probability of onset within horizon_days; null while injured.")
    probability_28d: float | None = Field(
        description="Probability of onset within 28 days, if the hazard of the coming horizon_days persists: "
        "1 - (1 - probability)^(28 / horizon_days); null while injured."
    )
    relative_risk: float | None = Field(description="probability / population base rate for this injury.")
    band: Band | None
    base_rate: float = Field(description="Population probability of onset within horizon_days.")
    log_odds: float | None = Field(
        None, description="Calibrated log-odds of the probability: base_log_odds plus every feature's contribution."
    )
    base_log_odds: float | None = Field(None, description="The model's log-odds before any feature's contribution.")
    drivers: list[Driver] = Field(default_factory=list, description="Largest contributions, largest first.")


class LoadMetrics(BaseModel):
    """The load figures the model saw, as of the scored day."""

    km_7d: float | None = Field(description="Null when the log is known for fewer days than the window.")
    km_28d: float | None
    acwr_rolling: float | None = Field(description="km in 7 days / mean weekly km over 28 days.")
    acwr_ewma: float | None = Field(description="EWMA acute (7 d) / chronic (28 d) daily km.")
    week_change_pct: float | None = Field(description="Change of 7-day km vs the 7 days before, as a fraction.")
    longest_run_7d_km: float | None
    longest_run_spike_pct: float | None = Field(
        description="Largest run of the week vs the longest of its previous 30 days."
    )
    monotony_7d: float | None
    strength_sessions_per_week: float | None


class DoseStep(BaseModel):
    """The dose for weeks first_week..last_week of the programme (last_week null: from then on)."""

    first_week: int
    last_week: int | None
    sets: int
    reps: int | None
    hold_seconds: int | None
    sessions_per_week: float
    load: str
    minutes: float


class ExerciseDose(BaseModel):
    injury: Injury
    exercise_id: str
    name: str
    sets: int
    reps: int | None
    hold_seconds: int | None
    sessions_per_week: float
    load: str
    tempo: str | None
    evidence: str
    source: str
    why: str
    role: Literal["prevention", "rehab"] = Field(
        "prevention", description="rehab: part of a current injury's protocol."
    )
    starter: bool = Field(False, description="True when the dose is the starter dose (little recent strength work).")
    minutes_per_session: float = Field(0.0, description="Time this exercise takes in one session, rest included.")
    weekly_minutes: float = Field(0.0, description="minutes_per_session x sessions_per_week.")
    current_weekly_reps: float | None = Field(
        None, description="Your recent weekly reps of this kind of work (28 days)."
    )
    target_weekly_reps: float | None = Field(None, description="Weekly reps at the target dose; null for holds.")
    progression: list[DoseStep] = Field(default_factory=list, description="Dose by week, from this week to target.")


class Exclusion(BaseModel):
    injury: Injury
    exercise_id: str
    reason: str


class StrengthPlan(BaseModel):
    weekly_minutes: float = Field(description="Total weekly minutes of the recommended exercises.")
    budget_minutes: float = Field(description="Weekly strength budget: sessions x minutes per session (settings).")
    budget_sessions_per_week: int
    excluded: list[Exclusion] = Field(description="Protective exercises left out, with the rule that excluded them.")


class ReturnToRun(BaseModel):
    injury: Injury
    rule: str
    steps: list[str]


class LoadGuidance(BaseModel):
    """Next days' running that keeps every modelled risk below the target, found by scoring candidate weeks."""

    days: int
    target_relative_risk: float
    km_low: float | None = Field(description="Lowest weekly km of a checked plan under the target; null if none.")
    km_high: float | None = Field(description="Highest weekly km of a checked plan under the target; null if none.")
    longest_run_cap_km: float | None = Field(description="Longest single run in any plan under the target.")
    chronic_weekly_km: float
    longest_run_recent_km: float
    plans_checked: int
    reasoning: list[str]


class ModelRef(BaseModel):
    name: str
    version: str


class RiskResponse(BaseModel):
    as_of: dt.date
    horizon_days: int
    risks: list[InjuryRisk]
    load: LoadMetrics
    recommendations: list[ExerciseDose]
    model: ModelRef
    warnings: list[str]
    see_clinician: bool = Field(False, description="True while any of the four injuries is current.")
    return_to_run: list[ReturnToRun] = Field(
        default_factory=list, description="Pain-monitored return to running per current injury (instead of a plan)."
    )
    load_guidance: LoadGuidance | None = Field(None, description="Null while injured: see return_to_run.")
    strength_plan: StrengthPlan | None = None

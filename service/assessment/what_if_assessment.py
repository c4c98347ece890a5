"""POST /v1/risk/what-if without HTTP: the request's log plus a plan in, risk with and without the plan out."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd

from service.assessment.risk_assessment import REQUEST_ATHLETE, request_cohort
from service.guidance.planning import PlannedActivities
from service.guidance.what_if import what_if
from service.schemas.risk import ModelRef, RiskRequest, Run, StrengthSession
from service.schemas.what_if import WhatIfRequest, WhatIfResponse, WhatIfRisk
from training.domain.schema import INJURY_NAMES
from training.model.registry import ServedModel


def plan_errors(body: WhatIfRequest, as_of: dt.date, max_days: int) -> list[dict[str, Any]]:
    """FastAPI-style errors for the plan: dates after as_of and within max_days, ids unique across log and plan."""
    errors: list[dict[str, Any]] = []
    latest = as_of + dt.timedelta(days=max_days)
    planned: list[tuple[str, int, Run | StrengthSession]] = [
        ("planned_runs", i, a) for i, a in enumerate(body.planned_runs)
    ] + [("planned_strength_sessions", i, a) for i, a in enumerate(body.planned_strength_sessions)]
    if not planned:
        errors.append(
            {
                "loc": ("body", "planned_runs"),
                "msg": "a plan needs at least one planned run or strength session",
                "type": "value_error",
            }
        )
    log: tuple[Run | StrengthSession, ...] = (*body.runs, *body.strength_sessions)
    logged = {a.id for a in log}
    seen: set[str] = set()
    day_km: dict[dt.date, float] = {}
    for field, i, activity in planned:
        if activity.date <= as_of:
            errors.append(_error((field, i, "date"), f"{activity.date} is not after as_of {as_of}"))
        elif activity.date > latest:
            errors.append(
                _error((field, i, "date"), f"{activity.date} is more than {max_days} days after as_of {as_of}")
            )
        if activity.id in logged or activity.id in seen:
            errors.append(_error((field, i, "id"), f"activity id {activity.id!r} is already used in the log or plan"))
        seen.add(activity.id)
        if isinstance(activity, Run):
            day_km[activity.date] = day_km.get(activity.date, 0.0) + activity.km
            if day_km[activity.date] > 200.0:
                errors.append(_error((field, i, "km"), f"planned runs on {activity.date} add up to more than 200 km"))
    return errors


def assess_what_if(body: WhatIfRequest, as_of: dt.date, served: ServedModel) -> WhatIfResponse:
    cohort = request_cohort(body, REQUEST_ATHLETE)
    # The plan goes through the same request-to-table conversion as the log, so it is read exactly as a logged one.
    plan_tables = request_cohort(
        RiskRequest(athlete=body.athlete, runs=body.planned_runs, strength_sessions=body.planned_strength_sessions),
        REQUEST_ATHLETE,
    )
    plan = PlannedActivities(
        runs=plan_tables.runs.drop(columns="athlete_id"), strength=plan_tables.strength.drop(columns="athlete_id")
    )
    planned: tuple[Run | StrengthSession, ...] = (*body.planned_runs, *body.planned_strength_sessions)
    plan_end = max(a.date for a in planned)
    outcomes = what_if(cohort, REQUEST_ATHLETE, pd.Timestamp(as_of), plan, pd.Timestamp(plan_end), served.model)
    risks = [
        WhatIfRisk(
            injury=o.injury,
            name=INJURY_NAMES[o.injury],
            status="currently_injured" if o.injured else "scored",
            probability_with_plan=o.with_plan,
            probability_without_plan=o.without_plan,
            change=None if o.with_plan is None or o.without_plan is None else o.with_plan - o.without_plan,
            peak_probability_with_plan=o.peak_with_plan,
            relative_risk_with_plan=o.relative_risk_with_plan,
            relative_risk_without_plan=o.relative_risk_without_plan,
            band_with_plan=o.band_with_plan,
            band_without_plan=o.band_without_plan,
        )
        for o in outcomes
    ]
    warnings = [
        f"currently injured ({INJURY_NAMES[r.injury.value]}) on {plan_end}: see a clinician; plan running by the "
        "pain-monitoring rule, not by this risk"
        for r in risks
        if r.status == "currently_injured"
    ]
    return WhatIfResponse(
        as_of=as_of,
        plan_end=plan_end,
        horizon_days=served.model.horizon_days,
        risks=risks,
        model=ModelRef(name=served.name, version=served.version),
        warnings=warnings,
    )


def _error(loc: tuple[str | int, ...], msg: str) -> dict[str, Any]:
    return {"loc": ("body", *loc), "msg": msg, "type": "value_error"}

"""POST /v1/risk without HTTP: a request's training log in, risks, load metrics and exercises out."""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
from typing import SupportsFloat

import pandas as pd

from service.guidance.load_guidance import load_guidance
from service.guidance.recommendations import AthleteState, Prescription, StrengthBudget, recommend
from service.schemas.risk import (
    DoseStep,
    Driver,
    Exclusion,
    ExerciseDose,
    InjuryRisk,
    LoadGuidance,
    LoadMetrics,
    ModelRef,
    ReturnToRun,
    RiskRequest,
    RiskResponse,
    StrengthPlan,
)
from training.domain.catalogue import default_catalogue
from training.domain.schema import INJURIES, INJURY_NAMES, Cohort
from training.features import FEATURES
from training.known_log import unknown_features
from training.model.explain import contributions, drivers_from
from training.model.registry import ServedModel
from training.model.scoring import risk_column, score
from training.settings import Settings, get_settings

# One id for the athlete of a stateless request; the log never leaves this call.
REQUEST_ATHLETE = "request"
_MIN_HISTORY_DAYS = 28


def request_cohort(body: RiskRequest, athlete_id: str = REQUEST_ATHLETE) -> Cohort:
    """The request's log as the four cohort tables every scoring path uses."""
    profile = pd.DataFrame(
        [
            {
                "athlete_id": athlete_id,
                **body.athlete.model_dump(exclude={"sex"}),
                "sex": body.athlete.sex,
                "log_start": pd.Timestamp(body.log_start) if body.log_start else pd.NaT,
            }
        ]
    )
    runs = pd.DataFrame(
        [{"athlete_id": athlete_id, "activity_id": r.id, **r.model_dump(exclude={"id"})} for r in body.runs],
        columns=[
            "athlete_id",
            "activity_id",
            "date",
            "km",
            "km_threshold",
            "km_interval",
            "km_sprint",
            "duration_min",
            "rpe",
        ],
    )
    strength = pd.DataFrame(
        [
            {"athlete_id": athlete_id, "activity_id": s.id, "date": s.date, **e.model_dump()}
            for s in body.strength_sessions
            for e in s.exercises
        ],
        columns=["athlete_id", "activity_id", "date", "exercise_id", "sets", "reps", "load_kg"],
    )
    injuries = pd.DataFrame(
        [{"athlete_id": athlete_id, **i.model_dump(exclude={"side"})} for i in body.injuries],
        columns=["athlete_id", "kind", "onset", "resolved"],
    )
    injuries["kind"] = injuries["kind"].map(lambda k: getattr(k, "value", k))
    return Cohort(profiles=profile, runs=runs, strength=strength, injuries=injuries).normalised()


def _number(value: SupportsFloat) -> float | None:
    number = float(value)
    return None if math.isnan(number) else number


def assess(cohort: Cohort, as_of: dt.date, served: ServedModel, settings: Settings | None = None) -> RiskResponse:
    """Risks, drivers, load, exercises and guidance for the one athlete of ``cohort``: POST /v1/risk and the stored
    log both land here."""
    settings = settings or get_settings()
    day = pd.Timestamp(as_of)
    athlete_id = str(cohort.profiles["athlete_id"].iloc[0])
    spans = pd.DataFrame({"athlete_id": [athlete_id], "start": [day], "end": [day]})
    row = score(cohort, spans, served.model).iloc[0]

    risks = [_injury_risk(row, kind, served, settings.drivers_per_risk) for kind in INJURIES]
    load = LoadMetrics(**{name: _number(row[name]) for name in LoadMetrics.model_fields})
    injured_kinds = frozenset(r.injury.value for r in risks if r.status == "currently_injured")
    state = AthleteState(
        relative_risks={r.injury.value: r.relative_risk for r in risks},
        injured=injured_kinds,
        features={name: float(row[name]) for name in FEATURES},
        strength_session_dates=[d.date() for d in cohort.strength.drop_duplicates("activity_id")["date"]],
        as_of=as_of,
    )
    budget = StrengthBudget(settings.strength_sessions_per_week_budget, settings.strength_minutes_per_session)
    plan = recommend(state, default_catalogue(), budget)
    guidance = None
    if not injured_kinds:
        found = load_guidance(cohort, athlete_id, day, row, served.model, settings.load_target_relative_risk)
        guidance = LoadGuidance(**dataclasses.asdict(found))
    return RiskResponse(
        as_of=as_of,
        horizon_days=served.model.horizon_days,
        risks=risks,
        load=load,
        recommendations=[exercise_dose(p) for p in plan.prescriptions],
        model=ModelRef(name=served.name, version=served.version),
        warnings=_warnings(cohort, as_of, injured_kinds, row),
        see_clinician=plan.see_clinician,
        return_to_run=[ReturnToRun(injury=r.injury, rule=r.rule, steps=list(r.steps)) for r in plan.return_to_run],
        load_guidance=guidance,
        strength_plan=StrengthPlan(
            weekly_minutes=plan.weekly_minutes,
            budget_minutes=budget.weekly_minutes,
            budget_sessions_per_week=budget.sessions_per_week,
            excluded=[Exclusion(injury=e.injury, exercise_id=e.exercise_id, reason=e.reason) for e in plan.excluded],
        ),
    )


def _injury_risk(row: pd.Series, kind: str, served: ServedModel, drivers: int) -> InjuryRisk:
    injured = bool(row[f"injured_{kind}"])
    explained = None if injured else contributions(served.model, row.to_frame().T, kind)
    return InjuryRisk(
        injury=kind,
        name=INJURY_NAMES[kind],
        status="currently_injured" if injured else "scored",
        probability=_number(row[risk_column(kind)]),
        relative_risk=_number(row[f"relative_risk_{kind}"]),
        band=None if injured else row[f"band_{kind}"],
        base_rate=served.model.base_rates[kind],
        log_odds=None if explained is None else float(explained.log_odds().iloc[0]),
        base_log_odds=None if explained is None else explained.base,
        drivers=[]
        if explained is None
        else [Driver(**dataclasses.asdict(d)) for d in drivers_from(explained, row, served.model, drivers)],
    )


def exercise_dose(p: Prescription) -> ExerciseDose:
    return ExerciseDose(
        injury=p.injury,
        exercise_id=p.exercise.id,
        name=p.exercise.name,
        why=p.why,
        evidence=p.exercise.evidence,
        source=p.exercise.source,
        **p.dose.model_dump(include={"sets", "reps", "hold_seconds", "sessions_per_week", "load", "tempo"}),
        role=p.role,
        starter=p.starter,
        minutes_per_session=p.dose.minutes,
        weekly_minutes=p.weekly_minutes,
        current_weekly_reps=p.current_weekly_reps,
        target_weekly_reps=p.target_weekly_reps,
        progression=[
            DoseStep(
                first_week=step.first_week,
                last_week=step.last_week,
                **step.dose.model_dump(
                    include={"sets", "reps", "hold_seconds", "sessions_per_week", "load", "minutes"}
                ),
            )
            for step in p.progression
        ],
    )


def _warnings(cohort: Cohort, as_of: dt.date, injured: frozenset[str], row: pd.Series) -> list[str]:
    warnings = []
    started = cohort.profiles["log_start"].iloc[0]
    dates = [d.date() for d in (*cohort.runs["date"], *cohort.strength["date"])]
    if not pd.isna(started):
        warnings += _unknown_warnings(cohort, started, as_of, row)
    elif not dates:
        warnings.append("the log is empty: risk reflects profile and injury history only")
    elif (as_of - min(dates)).days + 1 < _MIN_HISTORY_DAYS:
        warnings.append(
            f"fewer than {_MIN_HISTORY_DAYS} days of history: chronic load and spike features read missing days as rest"
        )
    if cohort.profiles["body_mass_kg"].isna().iloc[0]:
        warnings.append("body mass not given: the model treats it as unknown")
    warnings.extend(
        f"currently injured ({INJURY_NAMES[kind]}): see a clinician; return to running guided by pain "
        "(up to 5/10 during activity, settled by the next morning, not building week on week)"
        for kind in sorted(injured)
    )
    return warnings


def _unknown_warnings(cohort: Cohort, started: pd.Timestamp, as_of: dt.date, row: pd.Series) -> list[str]:
    """What a late log_start leaves unknown: the features it makes missing, and activities it leaves unread."""
    warnings = []
    known = (as_of - started.date()).days + 1
    unknown = unknown_features(known, {name: float(row[name]) for name in FEATURES})
    if unknown:
        warnings.append(
            f"the log is complete from {started.date()} ({max(known, 0)} days known): unknown, not read as rest: "
            + ", ".join(unknown)
        )
    earlier = sum(
        int((t["date"] < started).sum()) for t in (cohort.runs, cohort.strength.drop_duplicates("activity_id"))
    )
    if earlier:
        warnings.append(f"{earlier} activities before log_start {started.date()} are not read")
    return warnings

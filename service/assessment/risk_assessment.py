"""POST /v1/risk without HTTP: a request's training log in, risks, load metrics and exercises out."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, SupportsFloat

import pandas as pd

from service.guidance.load_guidance import LoadGuidance as FoundGuidance
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
from training.domain.schema import INJURIES, INJURY_NAMES, RUN_COLUMNS, Cohort
from training.features import FEATURES
from training.known_log import unknown_features
from training.model.explain import RowExplanation, contributions, drivers_from
from training.model.registry import ServedModel
from training.model.scoring import band_for, long_risk_column, risk_column, score
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
        columns=RUN_COLUMNS,
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
    """The answer for the one athlete of ``cohort`` scored with frames, as batch scoring scores (``score``).

    The service answers through ``log_assessment.assess_log``, the same answer without frames; this path is the
    reference the tests hold it to.
    """
    settings = settings or get_settings()
    day = pd.Timestamp(as_of)
    athlete_id = str(cohort.profiles["athlete_id"].iloc[0])
    spans = pd.DataFrame({"athlete_id": [athlete_id], "start": [day], "end": [day]})
    row = score(cohort, spans, served.model).iloc[0]
    risks = [_injury_risk(row, kind, served, settings.drivers_per_risk) for kind in INJURIES]
    dates = [d.date() for d in (*cohort.runs["date"], *cohort.strength["date"])]
    started = cohort.profiles["log_start"].iloc[0]
    return answer(
        as_of,
        served,
        settings,
        risks,
        {name: float(row[name]) for name in FEATURES},
        LoggedDays(
            first=min(dates) if dates else None,
            strength_sessions=[d.date() for d in cohort.strength.drop_duplicates("activity_id")["date"]],
            body_mass_known=not bool(cohort.profiles["body_mass_kg"].isna().iloc[0]),
            log_start=None if pd.isna(started) else started.date(),
            unread=0 if pd.isna(started) else _unread(cohort, started),
        ),
        lambda: load_guidance(cohort, athlete_id, day, row, served.model, settings.load_target_relative_risk),
    )


def _unread(cohort: Cohort, started: pd.Timestamp) -> int:
    return sum(int((t["date"] < started).sum()) for t in (cohort.runs, cohort.strength.drop_duplicates("activity_id")))


@dataclass(frozen=True)
class LoggedDays:
    """What the answer reads from the log beyond the features: its first day, strength days, a known body mass."""

    first: dt.date | None
    strength_sessions: list[dt.date]
    body_mass_known: bool
    log_start: dt.date | None = None  # the day the log is complete from; None: complete
    unread: int = 0  # activities before log_start, not read


def answer(
    as_of: dt.date,
    served: ServedModel,
    settings: Settings,
    risks: list[InjuryRisk],
    features: dict[str, float],
    logged: LoggedDays,
    guide: Callable[[], FoundGuidance],
) -> RiskResponse:
    """Risks, load, exercises and guidance as one answer; ``guide`` finds the load guidance (asked only while no
    injury is current)."""
    load = LoadMetrics(**{name: _number(features[name]) for name in LoadMetrics.model_fields})
    injured_kinds = frozenset(r.injury.value for r in risks if r.status == "currently_injured")
    state = AthleteState(
        relative_risks={r.injury.value: r.relative_risk for r in risks},
        injured=injured_kinds,
        features=features,
        strength_session_dates=logged.strength_sessions,
        as_of=as_of,
    )
    budget = StrengthBudget(settings.strength_sessions_per_week_budget, settings.strength_minutes_per_session)
    plan = recommend(state, default_catalogue(), budget)
    guidance = None if injured_kinds else LoadGuidance.model_validate(guide(), from_attributes=True)
    return RiskResponse(
        as_of=as_of,
        horizon_days=served.model.horizon_days,
        risks=risks,
        load=load,
        recommendations=[exercise_dose(p) for p in plan.prescriptions],
        model=ModelRef(name=served.name, version=served.version),
        warnings=_warnings(logged, as_of, injured_kinds, features),
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
    explained = None
    if not injured:
        parts = contributions(served.model, row.to_frame().T, kind)
        found = drivers_from(parts, row, served.model, drivers)
        explained = RowExplanation(float(parts.log_odds().iloc[0]), parts.base, found)
    return injury_risk(kind, served, row, explained)


def injury_risk(
    kind: str, served: ServedModel, scored: Mapping[str, Any], explained: RowExplanation | None
) -> InjuryRisk:
    """One injury's part of the answer from the scored columns of its row (``risk_<kind>``, ``relative_risk_<kind>``,
    ``risk_28d_<kind>``); ``explained`` is None while the athlete has that injury (not scored)."""
    relative_risk = _number(scored[f"relative_risk_{kind}"])
    return InjuryRisk(
        injury=kind,
        name=INJURY_NAMES[kind],
        status="scored" if explained else "currently_injured",
        probability=_number(scored[risk_column(kind)]),
        probability_28d=_number(scored[long_risk_column(kind)]),
        relative_risk=relative_risk,
        band=None if explained is None or relative_risk is None else band_for(relative_risk),
        base_rate=served.model.base_rates[kind],
        log_odds=None if explained is None else explained.log_odds,
        base_log_odds=None if explained is None else explained.base,
        drivers=[]
        if explained is None
        else [Driver.model_validate(d, from_attributes=True) for d in explained.drivers],
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


def _warnings(logged: LoggedDays, as_of: dt.date, injured: frozenset[str], features: dict[str, float]) -> list[str]:
    warnings = []
    if logged.log_start is not None:
        warnings += _unknown_warnings(logged, as_of, features)
    elif logged.first is None:
        warnings.append("the log is empty: risk reflects profile and injury history only")
    elif (as_of - logged.first).days + 1 < _MIN_HISTORY_DAYS:
        warnings.append(
            f"fewer than {_MIN_HISTORY_DAYS} days of history: chronic load and spike features read missing days as rest"
        )
    if not logged.body_mass_known:
        warnings.append("body mass not given: the model treats it as unknown")
    warnings.extend(
        f"currently injured ({INJURY_NAMES[kind]}): see a clinician; return to running guided by pain "
        "(up to 5/10 during activity, settled by the next morning, not building week on week)"
        for kind in sorted(injured)
    )
    return warnings


def _unknown_warnings(logged: LoggedDays, as_of: dt.date, features: dict[str, float]) -> list[str]:
    """What a late log_start leaves unknown: the features it makes missing, and activities it leaves unread."""
    assert logged.log_start is not None
    warnings = []
    known = (as_of - logged.log_start).days + 1
    unknown = unknown_features(known, features)
    if unknown:
        warnings.append(
            f"the log is complete from {logged.log_start} ({max(known, 0)} days known): unknown, not read as rest: "
            + ", ".join(unknown)
        )
    if logged.unread:
        warnings.append(f"{logged.unread} activities before log_start {logged.log_start} are not read")
    return warnings

"""POST /v1/risk without HTTP: a request's training log in, risks, load metrics and exercises out."""

from __future__ import annotations

import datetime as dt
import math

import pandas as pd

from service.recommendations import recommend
from service.schemas.risk import ExerciseDose, InjuryRisk, LoadMetrics, ModelRef, RiskRequest, RiskResponse
from training.catalogue import default_catalogue
from training.registry import ServedModel
from training.schema import INJURIES, INJURY_NAMES, Cohort
from training.scoring import risk_column, score

# One id for the athlete of a stateless request; the log never leaves this call.
_ATHLETE = "request"
_MIN_HISTORY_DAYS = 28


def request_cohort(body: RiskRequest, athlete_id: str = _ATHLETE) -> Cohort:
    """The request's log as the four cohort tables every scoring path uses."""
    profile = pd.DataFrame(
        [{"athlete_id": athlete_id, **body.athlete.model_dump(exclude={"sex"}), "sex": body.athlete.sex}]
    )
    runs = pd.DataFrame(
        [
            {"athlete_id": athlete_id, "activity_id": r.id, **r.model_dump(exclude={"id"})}
            for r in body.runs
        ],
        columns=["athlete_id", "activity_id", "date", "km", "km_threshold", "km_interval", "km_sprint", "duration_min", "rpe"],
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


def _number(value: object) -> float | None:
    number = float(value)  # type: ignore[arg-type]
    return None if math.isnan(number) else number


def assess(cohort: Cohort, as_of: dt.date, served: ServedModel) -> RiskResponse:
    """Risks, load and exercises for the one athlete of ``cohort``: POST /v1/risk and the stored log both land here."""
    day = pd.Timestamp(as_of)
    athlete_id = str(cohort.profiles["athlete_id"].iloc[0])
    spans = pd.DataFrame({"athlete_id": [athlete_id], "start": [day], "end": [day]})
    row = score(cohort, spans, served.model).iloc[0]

    risks = []
    for kind in INJURIES:
        injured = bool(row[f"injured_{kind}"])
        risks.append(
            InjuryRisk(
                injury=kind,
                name=INJURY_NAMES[kind],
                status="currently_injured" if injured else "scored",
                probability=_number(row[risk_column(kind)]),
                relative_risk=_number(row[f"relative_risk_{kind}"]),
                band=None if injured else row[f"band_{kind}"],
                base_rate=served.model.base_rates[kind],
            )
        )
    load = LoadMetrics(
        **{name: _number(row[name]) for name in LoadMetrics.model_fields}  # type: ignore[arg-type]
    )
    injured_kinds = {r.injury.value for r in risks if r.status == "currently_injured"}
    catalogue = default_catalogue()
    recommendations = [
        ExerciseDose(
            injury=kind,
            exercise_id=exercise.id,
            name=exercise.name,
            why=why,
            evidence=exercise.evidence,
            source=exercise.source,
            **(exercise.starter_dosing if starter else exercise.dosing).model_dump(
                include={"sets", "reps", "hold_seconds", "sessions_per_week", "load", "tempo"}
            ),
        )
        for kind, exercise, starter, why in recommend(
            {r.injury.value: r.relative_risk for r in risks},
            injured_kinds,
            load.strength_sessions_per_week,
            catalogue,
        )
    ]
    return RiskResponse(
        as_of=as_of,
        horizon_days=served.model.horizon_days,
        risks=risks,
        load=load,
        recommendations=recommendations,
        model=ModelRef(name=served.name, version=served.version),
        warnings=_warnings(cohort, as_of, injured_kinds),
    )


def _warnings(cohort: Cohort, as_of: dt.date, injured: set[str]) -> list[str]:
    warnings = []
    dates = [d.date() for d in (*cohort.runs["date"], *cohort.strength["date"])]
    if not dates:
        warnings.append("the log is empty: risk reflects profile and injury history only")
    elif (as_of - min(dates)).days + 1 < _MIN_HISTORY_DAYS:
        warnings.append(
            f"fewer than {_MIN_HISTORY_DAYS} days of history: chronic load and spike features read missing days as rest"
        )
    if cohort.profiles["body_mass_kg"].isna().iloc[0]:
        warnings.append("body mass not given: the model treats it as unknown")
    for kind in sorted(injured):
        warnings.append(
            f"currently injured ({INJURY_NAMES[kind]}): see a clinician; return to running guided by pain "
            "(up to 5/10 during activity, settled by the next morning, not building week on week)"
        )
    return warnings

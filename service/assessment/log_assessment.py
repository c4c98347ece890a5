"""The answer of POST /v1/risk and of a stored athlete's risk, from the log's arrays: no frame is built per request.

Features come from the one feature definition (``training.athlete_features`` runs the functions batch scoring runs),
risks and exact drivers from the compiled trees, load guidance from its candidate weeks scored as one batch. The
answer equals ``risk_assessment.assess`` (the frame path) for the same log; tests pin it.
"""

from __future__ import annotations

import datetime as dt
import math

import numpy as np

from service.assessment.request_log import request_log
from service.assessment.risk_assessment import LoggedDays, answer, injury_risk
from service.guidance.load_guidance import GUIDANCE_DAYS, log_guidance
from service.schemas.risk import RiskRequest, RiskResponse
from training.athlete_features import LogDays, day_features
from training.domain.athlete_log import (
    AthleteLog,
    InjuryArrays,
    Profile,
    RunArrays,
    StrengthArrays,
    date_of,
    day_number,
)
from training.domain.catalogue import default_catalogue
from training.domain.schema import INJURIES
from training.features import FEATURES
from training.model.explain import explain_row
from training.model.registry import ServedModel
from training.model.scoring import feature_matrix, risks_of_log_odds
from training.settings import Settings


def assess_request(body: RiskRequest, as_of: dt.date, served: ServedModel, settings: Settings) -> RiskResponse:
    return assess_log(request_log(body), as_of, served, settings)


def assess_log(log: AthleteLog, as_of: dt.date, served: ServedModel, settings: Settings) -> RiskResponse:
    """Risks, drivers, load, exercises and guidance for one athlete's log as of the end of ``as_of``."""
    return assess_log_features(log, as_of, served, settings)[0]


def assess_log_features(
    log: AthleteLog, as_of: dt.date, served: ServedModel, settings: Settings
) -> tuple[RiskResponse, dict[str, float]]:
    """``assess_log`` and the feature values the model scored (NaN for a missing one), which a stored assessment
    keeps for drift monitoring."""
    model = served.model
    day = day_number(as_of)
    # The guidance's week after as_of is read from the same arrays as as_of itself: built once.
    days = LogDays.of(log, day, day + GUIDANCE_DAYS, default_catalogue())
    columns = day_features(days, day, day)
    X = feature_matrix(model, columns)
    # The day's risks and their explanations from one pass over each injury's trees.
    log_odds, parts = {}, {}
    for kind in INJURIES:
        log_odds[kind], parts[kind] = model.classifiers[kind].contributions_matrix(X)
    scored = {name: values[0] for name, values in risks_of_log_odds(model, log_odds, columns).items()}
    features = {name: float(columns[name][0]) for name in FEATURES}
    risks = []
    for kind in INJURIES:
        injured = bool(columns[f"injured_{kind}"][0])
        explained = None if injured else explain_row(model, parts[kind][0], features, kind, settings.drivers_per_risk)
        risks.append(injury_risk(kind, served, scored, explained))
    logged_days = np.concatenate([log.runs.day, log.strength.day])
    logged = LoggedDays(
        first=date_of(int(logged_days.min())) if len(logged_days) else None,
        strength_sessions=[date_of(d) for d in log.session_days()],
        body_mass_known=not math.isnan(log.profile.body_mass_kg),
        log_start=None if log.log_start is None else date_of(log.log_start),
        unread=log.unread(),
    )
    response = answer(
        as_of,
        served,
        settings,
        risks,
        features,
        logged,
        lambda: log_guidance(days, day, features, model, settings.load_target_relative_risk),
    )
    return response, features


def warm_up(served: ServedModel, settings: Settings) -> None:
    """One full answer through this path (features, drivers, candidate weeks, recommendations), so the trees'
    kernel is compiled (or read from numba's cache) and every lazy set-up is done before a caller waits for it."""
    as_of = dt.date(2026, 6, 30)
    day = day_number(as_of)
    runs = np.arange(day - 89, day + 1)[np.arange(90) % 7 < 4]
    none = np.zeros(len(runs))
    example = AthleteLog(
        profile=Profile(age=40.0, sex="F", years_running=5.0, body_mass_kg=60.0, height_cm=168.0),
        runs=RunArrays(runs, none + 8.0, none + 1.0, none, none, none + 50.0, none + 5.0),
        strength=StrengthArrays(
            day=np.array([day - 3]),
            session=np.array([0]),
            exercise=np.array([0]),
            exercise_ids=("nordic_curl",),
            sets=np.array([3.0]),
            reps=np.array([6.0]),
        ),
        injuries=InjuryArrays(
            kind=np.array(["achilles"], dtype=object),
            onset=np.array([day - 200]),
            resolved=np.array([day - 150]),
            resolved_known=np.array([True]),
        ),
    )
    assess_log(example, as_of, served, settings).model_dump_json()

"""What explanations, recommendations, load guidance and what-if add to a risk answer, per request, in-process.

Peer: ``score()`` alone (features + the four probabilities, with frames), which is what POST /v1/risk did before
drivers and guidance. Each step is timed on the same 90-day log against the registered model, so the extra cost reads
directly; the answer the service gives (from the log's arrays) is timed beside the same answer scored with frames.
Run after `make serve` has registered a model:  .venv/bin/python benchmarks/guidance_cost.py --repeats 30
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import sys
import time
from collections.abc import Callable

import pandas as pd

from service.assessment.log_assessment import assess_request
from service.assessment.request_log import request_log
from service.assessment.risk_assessment import assess, request_cohort
from service.assessment.what_if_assessment import assess_what_if
from service.guidance.load_guidance import GUIDANCE_DAYS, load_guidance, log_guidance
from service.guidance.recommendations import AthleteState, StrengthBudget, recommend
from service.schemas.risk import RiskRequest
from service.schemas.what_if import WhatIfRequest
from training.athlete_features import LogDays
from training.domain.athlete_log import day_number
from training.domain.catalogue import default_catalogue
from training.domain.schema import INJURIES
from training.features import FEATURES
from training.model.explain import contributions
from training.model.registry import has_model, load_served_model
from training.model.scoring import score
from training.settings import get_settings


def ninety_day_log(as_of: dt.date) -> dict:
    runs = [
        {"id": f"r{i}", "date": str(as_of - dt.timedelta(days=i)), "km": 16.0 if i % 7 == 0 else 8.0}
        for i in range(90)
        if i % 7 in (0, 2, 4, 5)
    ]
    strength = [
        {
            "id": f"s{i}",
            "date": str(as_of - dt.timedelta(days=i)),
            "exercises": [{"exercise_id": "nordic_curl", "sets": 3, "reps": 6}],
        }
        for i in range(3, 90, 7)
    ]
    return {
        "athlete": {"age": 38, "sex": "M", "years_running": 6, "body_mass_kg": 72, "height_cm": 178},
        "injuries": [],
        "runs": runs,
        "strength_sessions": strength,
        "as_of": str(as_of),
    }


def median_ms(step: Callable[[], object], repeats: int) -> float:
    step()  # warm caches (the trees' tables, the catalogue) as a running service has them
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        step()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=30)
    args = parser.parse_args()
    settings = get_settings()
    if not has_model(settings):
        sys.exit("no registered model: run `make serve` (or `injury-risk ensure-model`) first")
    served = load_served_model(settings)
    as_of = dt.date(2026, 6, 30)
    body = ninety_day_log(as_of)
    request = RiskRequest.model_validate(body)
    cohort = request_cohort(request)
    log = request_log(request)
    day = pd.Timestamp(as_of)
    spans = pd.DataFrame({"athlete_id": ["request"], "start": [day], "end": [day]})
    row = score(cohort, spans, served.model).iloc[0]
    state = AthleteState(
        {k: 3.0 for k in INJURIES},
        frozenset(),
        {f: float(row[f]) for f in FEATURES},
        [s.date for s in request.strength_sessions],
        as_of,
    )
    plan = {
        **body,
        "planned_runs": [
            {"id": f"p{d}", "date": str(as_of + dt.timedelta(days=d)), "km": 10.0} for d in (2, 4, 6, 9, 11, 13)
        ],
    }
    what_if_request = WhatIfRequest.model_validate(plan)

    steps: dict[str, Callable[[], object]] = {
        "peer: score() alone (features + 4 probabilities)": lambda: score(cohort, spans, served.model),
        "drivers: TreeSHAP for 4 injuries": lambda: [
            contributions(served.model, row.to_frame().T, k) for k in INJURIES
        ],
        "recommendations (rules only)": lambda: recommend(
            state,
            default_catalogue(),
            StrengthBudget(settings.strength_sessions_per_week_budget, settings.strength_minutes_per_session),
        ),
        "load guidance (candidate weeks scored with frames)": lambda: load_guidance(
            cohort, "request", day, row, served.model, settings.load_target_relative_risk
        ),
        "load guidance (candidate weeks from arrays)": lambda: log_guidance(
            LogDays.of(log, day_number(as_of), day_number(as_of) + GUIDANCE_DAYS, default_catalogue()),
            day_number(as_of),
            state.features,
            served.model,
            settings.load_target_relative_risk,
        ),
        "whole answer scored with frames (assess)": lambda: assess(request_cohort(request), as_of, served, settings),
        "whole POST /v1/risk answer (from arrays)": lambda: assess_request(request, as_of, served, settings),
        "whole POST /v1/risk/what-if answer (14 days)": lambda: assess_what_if(what_if_request, as_of, served),
    }
    results = {name: median_ms(step, args.repeats) for name, step in steps.items()}
    peer = results["peer: score() alone (features + 4 probabilities)"]
    print(f"model {served.name} v{served.version}; median of {args.repeats} calls, one 90-day log")
    for name, ms in results.items():
        print(f"{name:<50} {ms:8.1f} ms  ({ms / peer:5.1f}x the peer)")


if __name__ == "__main__":
    main()

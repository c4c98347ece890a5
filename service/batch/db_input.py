"""Reading the input of a batch run from the service database: one tenant's athletes, activities and injuries.

``--tenant NAME`` names the tenant as ``injury-risk keys create --tenant NAME`` does (``tenants.name``, unique).
Three queries read the whole tenant into the four tables of a cohort folder (``batch_input.COLUMNS``), which then go
through the same checks as a file, so a stored log breaking a whole-log rule (runs adding up to over 200 km in a day)
rejects the offending run as a file would, instead of failing the athlete as GET /v1/athletes/{id}/risk does.

Every scored day sees what GET /v1/athletes/{id}/risk (``service/stored_log.py``) reads for it:

- activities from ``log_start`` of the first day to the last day. A day's features look back at most
  ``LOOKBACK_DAYS``, within the endpoint's window of ``max_log_days`` for that day, so reading one window for the
  whole range gives every day the features of its own window;
- injuries that had started by the last day, with their recorded resolution: features count an injury resolved
  after a day as ongoing that day, which is what the endpoint's cut of such a resolution amounts to;
- the profile fields of ``athletes.profile_of``.

Athletes are keyed by their database id, so results can be written to ``risk_assessments`` (``--to-db``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

import pandas as pd
from sqlalchemy import Row

from service.assessment.log_checks import log_start
from service.batch.input import COLUMNS, BatchInputError, CheckedInput, checked_tables
from service.db.models import InjuryEvent
from service.db.session import Database
from service.repositories import activities, athletes, injuries
from service.repositories.keys import find_tenant
from training.features import LOOKBACK_DAYS

_ZONES = ("km_threshold", "km_interval", "km_sprint")


def read_tenant(
    database: Database, tenant: str, first_day: dt.date, last_day: dt.date, max_log_days: int
) -> CheckedInput:
    """The tenant's stored rows for scoring first_day..last_day, checked; BatchInputError when there is nothing."""
    if max_log_days < LOOKBACK_DAYS and first_day < last_day:
        # Shorter windows than the features' look-back differ day by day; one read could not honour each of them.
        raise BatchInputError(
            f"INJURY_RISK_MAX_LOG_DAYS={max_log_days} is shorter than the {LOOKBACK_DAYS} days features look back; "
            "with --tenant score one day at a time"
        )
    with database.session() as session:
        found = find_tenant(session, tenant)
        if found is None:
            raise BatchInputError(
                f"no tenant named {tenant!r} in the database (tenants are named as in `injury-risk keys create "
                "--tenant NAME`)"
            )
        stored = athletes.of_tenant(session, found.id)
        if not stored:
            raise BatchInputError(f"tenant {tenant!r} has no athletes to score")
        profiles = pd.DataFrame(
            [{"athlete_id": a.id, **athletes.profile_of(a).model_dump(), "log_start": a.log_start} for a in stored],
            columns=COLUMNS["profiles"],
        )
        log = activities.tenant_log_between(session, found.id, log_start(first_day, max_log_days), last_day)
        known = injuries.tenant_known_on(session, found.id, last_day)
        return checked_tables(
            {"profiles": profiles, "runs": _runs(log), "strength": _strength(log), "injuries": _injuries(known)}
        )


def _runs(log: Sequence[Row[Any]]) -> pd.DataFrame:
    runs = pd.DataFrame(
        [
            {
                "athlete_id": r.athlete_id,
                "activity_id": r.external_id,
                "date": r.date,
                "km": r.km,
                **{zone: getattr(r, zone) for zone in _ZONES},
                "duration_min": r.duration_min,
                "rpe": r.rpe,
            }
            for r in log
            if r.kind == "run"
        ],
        columns=COLUMNS["runs"],
    )
    # As stored_request does: a run stored without zone km was run easy (the Run schema's default of 0).
    runs[list(_ZONES)] = runs[list(_ZONES)].astype("float64").fillna(0.0)
    return runs


def _strength(log: Sequence[Row[Any]]) -> pd.DataFrame:
    """One row per exercise of a session, as request_cohort lays out a POST /v1/risk body's sessions."""
    return pd.DataFrame(
        [
            {
                "athlete_id": r.athlete_id,
                "activity_id": r.external_id,
                "date": r.date,
                "exercise_id": item["exercise_id"],
                "sets": item["sets"],
                "reps": item.get("reps"),
                "load_kg": item.get("load_kg"),
            }
            for r in log
            if r.kind == "strength"
            for item in r.exercises or []
        ],
        columns=COLUMNS["strength"],
    )


def _injuries(known: list[InjuryEvent]) -> pd.DataFrame:
    return pd.DataFrame(
        [{"athlete_id": i.athlete_id, "kind": i.kind, "onset": i.onset, "resolved": i.resolved} for i in known],
        columns=COLUMNS["injuries"],
    )

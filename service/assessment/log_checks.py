"""Checks on a whole training log that no single field can make: dates against as_of, unique ids, daily totals."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from service.schemas.risk import RiskRequest, Run, StrengthSession
from training.domain.log_rules import MAX_KM_PER_DAY


def as_of_or_today(as_of: dt.date | None) -> dt.date:
    """The day a request scores: the one it names, else today in UTC."""
    return as_of or dt.datetime.now(dt.UTC).date()


def log_start(as_of: dt.date, max_log_days: int) -> dt.date:
    """The first day of the log scored as of ``as_of``: the window POST /v1/risk accepts, stored risk and batch read."""
    return as_of - dt.timedelta(days=max_log_days - 1)


def log_errors(body: RiskRequest, as_of: dt.date, max_log_days: int, max_activities: int) -> list[dict[str, Any]]:
    """FastAPI-style validation errors (``loc``, ``msg``, ``type``) for the log in ``body``; empty when it is sound."""
    errors: list[dict[str, Any]] = []
    earliest = log_start(as_of, max_log_days)

    def error(loc: tuple[str | int, ...], msg: str, kind: str = "value_error") -> None:
        errors.append({"loc": ("body", *loc), "msg": msg, "type": kind})

    count = len(body.runs) + len(body.strength_sessions)
    if count > max_activities:
        error(("runs",), f"the log holds {count} activities; at most {max_activities} are accepted", "too_long")

    seen: dict[str, tuple[str | int, ...]] = {}
    day_km: dict[dt.date, float] = defaultdict(float)
    activities: list[tuple[str, int, Run | StrengthSession]] = [("runs", i, a) for i, a in enumerate(body.runs)] + [
        ("strength_sessions", i, a) for i, a in enumerate(body.strength_sessions)
    ]
    for field, i, activity in activities:
        if activity.date > as_of:
            error((field, i, "date"), f"{activity.date} is after as_of {as_of}")
        elif activity.date < earliest:
            error((field, i, "date"), f"{activity.date} is more than {max_log_days} days before as_of {as_of}")
        if activity.id in seen:
            first = ".".join(str(p) for p in seen[activity.id])
            error((field, i, "id"), f"activity id {activity.id!r} is already used by {first}")
        else:
            seen[activity.id] = (field, i)
        if isinstance(activity, Run):
            day_km[activity.date] += activity.km
            if day_km[activity.date] > MAX_KM_PER_DAY:
                error((field, i, "km"), f"runs on {activity.date} add up to more than {MAX_KM_PER_DAY:g} km")

    if body.log_start is not None and body.log_start > as_of:
        error(("log_start",), f"{body.log_start} is after as_of {as_of}")
    for i, injury in enumerate(body.injuries):
        if injury.onset > as_of:
            error(("injuries", i, "onset"), f"{injury.onset} is after as_of {as_of}")
    return errors

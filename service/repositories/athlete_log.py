"""An athlete of a tenant, their activities in a window and their injuries known on a day, read in one query.

A stored answer needs all three; asked one by one they cost three round trips to the database. One UNION ALL of three
parts sends them back together, each part's columns in its own places (NULL in the others' places), sorted by part
and then by day and id, as the three separate queries were.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    CompoundSelect,
    Date,
    Float,
    Integer,
    String,
    Text,
    bindparam,
    case,
    cast,
    literal_column,
    null,
    select,
    union_all,
)
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from service.db.models import Activity, Athlete, InjuryEvent
from service.schemas.risk import AthleteProfile
from training.features import RUN_VALUES

# The profile a request carries, so the stored athlete reads as a request's would.
PROFILE_FIELDS = tuple(AthleteProfile.model_fields)
# Parts sort in this order (alphabetically), so the rows come back grouped by part.
_ACTIVITY, _ATHLETE, _INJURY = "activity", "athlete", "injury"


@dataclass(frozen=True)
class AthleteLogRows:
    """The athlete's profile and log_start; the activities column by column (``kind``, ``date``, the run fields,
    ``exercises``: None for a run), by day and id; the injuries as (kind, onset, resolved), by onset and id."""

    profile: dict[str, Any]
    log_start: dt.date | None
    activities: dict[str, tuple[Any, ...]]
    injuries: list[tuple[str, dt.date, dt.date | None]]


def _none(kind: Any) -> ColumnElement[Any]:
    # A NULL of the column's type: PostgreSQL types a bare NULL as text when two parts have one in the same place, and
    # SQLAlchemy reads results with the first part's types.
    return cast(null(), kind)


_TYPES: dict[str, Any] = {
    "kind": String(),
    "date": Date(),
    "id": Integer(),
    **dict.fromkeys(RUN_VALUES, Float()),
    "exercises": Text(),
    "resolved": Date(),
    "age": Integer(),
    "sex": String(),
    "years_running": Float(),
    "body_mass_kg": Float(),
    "height_cm": Float(),
    "log_start": Date(),
}


_COLUMNS = ("part", *_TYPES)


def _part(name: str, given: dict[str, Any]) -> list[ColumnElement[Any]]:
    """The columns of one part, in the shared order: its own values where given, typed NULLs elsewhere."""
    # A constant in the SQL, not a parameter: PostgreSQL types it from the text, and the statement stays the same.
    return [literal_column(f"'{name}'", String()).label("part")] + [
        (given[column] if column in given else _none(kind)).label(column) for column, kind in _TYPES.items()
    ]


@functools.cache
def _query() -> CompoundSelect:
    """The three parts as one statement, built once; the athlete, tenant and days are its parameters."""
    as_of_day = bindparam("as_of", type_=Date())
    of_athlete = (Athlete.id == bindparam("athlete_id"), Athlete.tenant_id == bindparam("tenant_id"))
    # The tenant's athlete looked up once for the query (PostgreSQL runs it as an InitPlan), not joined to every
    # activity: the join looked the athlete up again for each of a year's rows.
    tenants_athlete = select(Athlete.id).where(*of_athlete).scalar_subquery()
    activities = select(
        *_part(
            _ACTIVITY,
            {
                "kind": Activity.kind,
                "date": Activity.date,
                "id": Activity.id,
                **{field: getattr(Activity, field) for field in RUN_VALUES},
                # As text, decoded together in ``read``: one document per session costs a decoder call each.
                # A run's exercises are JSON null: NULL from the database is no document to decode.
                "exercises": case((Activity.kind != "run", cast(Activity.exercises, Text))),
            },
        )
    ).where(
        Activity.athlete_id == tenants_athlete,
        Activity.date >= bindparam("earliest", type_=Date()),
        Activity.date <= as_of_day,
    )
    athlete = select(
        *_part(
            _ATHLETE, {**{field: getattr(Athlete, field) for field in PROFILE_FIELDS}, "log_start": Athlete.log_start}
        )
    ).where(*of_athlete)
    injuries = select(
        *_part(
            _INJURY,
            {
                "kind": InjuryEvent.kind,
                "date": InjuryEvent.onset,
                "id": InjuryEvent.id,
                "resolved": InjuryEvent.resolved,
            },
        )
    ).where(InjuryEvent.athlete_id == tenants_athlete, InjuryEvent.onset <= as_of_day)
    return union_all(activities, athlete, injuries).order_by("part", "date", "id")


def read(session: Session, tenant_id: int, athlete_id: str, earliest: dt.date, as_of: dt.date) -> AthleteLogRows | None:
    """The athlete's rows (activities dated earliest..as_of, injuries begun by as_of), or None when the athlete does
    not exist or belongs to another tenant (callers cannot tell which)."""
    parameters = {"athlete_id": athlete_id, "tenant_id": tenant_id, "earliest": earliest, "as_of": as_of}
    # Through the session's connection: plain columns need none of the ORM's per-row loading.
    rows = session.connection().execute(_query(), parameters).all()
    parts = [row[0] for row in rows]
    if _ATHLETE not in parts:
        return None
    at = parts.index(_ATHLETE)
    found = rows[at]._mapping
    # Column by column: what one answer reads, without an attribute lookup per row.
    columns = dict(zip(_COLUMNS, zip(*rows[:at], strict=True) if at else [()] * len(_COLUMNS), strict=True))
    return AthleteLogRows(
        profile={field: found[field] for field in PROFILE_FIELDS},
        log_start=found["log_start"],
        activities={
            **{name: columns[name] for name in ("kind", "date", *RUN_VALUES)},
            "exercises": _decoded(columns["exercises"]),
        },
        injuries=[(row.kind, row.date, row.resolved) for row in rows[at + 1 :]],
    )


def _decoded(documents: tuple[str | None, ...]) -> tuple[Any, ...]:
    """The JSON documents decoded as one array (one decoder call for a year of sessions); None stays None."""
    given = [document for document in documents if document is not None]
    values = iter(json.loads("[" + ",".join(given) + "]"))
    return tuple(None if document is None else next(values) for document in documents)

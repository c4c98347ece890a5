"""Filters the repositories' window queries share: rows of one tenant's athletes, and days within first..last."""

from __future__ import annotations

import datetime as dt
from typing import Any, TypeVar

from sqlalchemy import Select
from sqlalchemy.orm import InstrumentedAttribute

from service.db.models import Athlete

Query = TypeVar("Query", bound=Select)


def of_tenant(query: Query, athlete_id: InstrumentedAttribute[Any], tenant_id: int | None) -> Query:
    """Rows whose ``athlete_id`` is an athlete of the tenant; every tenant's when ``tenant_id`` is None."""
    if tenant_id is None:
        return query
    return query.join(Athlete, Athlete.id == athlete_id).where(Athlete.tenant_id == tenant_id)


def on_days(query: Query, day: InstrumentedAttribute[Any], first: dt.date | None, last: dt.date | None) -> Query:
    """Rows with ``day`` in first..last, either end open when None."""
    if first is not None:
        query = query.where(day >= first)
    if last is not None:
        query = query.where(day <= last)
    return query

"""One page of an athlete's dated rows (activities by date, injuries by onset), keyset-paginated by (day, id)."""

from __future__ import annotations

import datetime as dt
from typing import Any, TypeVar

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from service.db.models import Activity, InjuryEvent
from service.repositories._windows import on_days

Row = TypeVar("Row", Activity, InjuryEvent)


def dated_page(
    session: Session,
    model: type[Row],
    day: InstrumentedAttribute[Any],
    athlete_id: str,
    first: dt.date | None,
    last: dt.date | None,
    after: tuple[dt.date, int] | None,
    limit: int,
) -> tuple[list[Row], int]:
    """Rows of ``model`` for the athlete with ``day`` in [first, last], after the cursor, and the total count."""
    row_id = model.id
    query = on_days(select(model).where(model.athlete_id == athlete_id), day, first, last)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    if after is not None:
        after_day, last_id = after
        query = query.where(or_(day > after_day, and_(day == after_day, row_id > last_id)))
    return list(session.scalars(query.order_by(day, row_id).limit(limit))), total

"""/v1/athletes/{athlete_id}/activities: runs and strength sessions, upserted by the caller's id (never duplicated)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Annotated, Any

from fastapi import APIRouter, Body, Path, Query, Response, status
from fastapi.exceptions import RequestValidationError

from service.api.deps import AthleteDep, Reader, SessionDep, Writer
from service.api.paging import Cursor, Limit
from service.db.models import Activity
from service.pagination import day_cursor, encode_cursor
from service.repositories import activities, audit
from service.schemas.activities import (
    BULK_EXAMPLE,
    RUN_EXAMPLE,
    STRENGTH_EXAMPLE,
    ActivitiesPublic,
    ActivityIn,
    ActivityPublic,
    BulkActivities,
    BulkResult,
    RunActivity,
    StrengthActivity,
)
from service.schemas.athletes import ID_PATTERN
from service.schemas.risk import ExerciseSet

router = APIRouter(prefix="/v1/athletes/{athlete_id}", tags=["activities"])

ExternalId = Annotated[
    str, Path(min_length=1, max_length=128, pattern=ID_PATTERN, description="The caller's id of the activity.")
]


def public(row: Activity) -> ActivityPublic:
    return ActivityPublic(
        id=row.external_id,
        kind=row.kind,
        date=row.date,
        km=row.km,
        km_threshold=row.km_threshold,
        km_interval=row.km_interval,
        km_sprint=row.km_sprint,
        duration_min=row.duration_min,
        rpe=row.rpe,
        exercises=[ExerciseSet(**e) for e in row.exercises] if row.exercises is not None else None,
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


Located = tuple[tuple[str | int, ...], RunActivity | StrengthActivity]


def _future_dates(located: Sequence[Located]) -> list[dict[str, Any]]:
    # One day of slack: an athlete east of UTC logs tomorrow's date before UTC midnight.
    latest = dt.datetime.now(dt.UTC).date() + dt.timedelta(days=1)
    return [
        {"loc": (*loc, "date"), "msg": f"{a.date} is in the future", "type": "value_error"}
        for loc, a in located
        if a.date > latest
    ]


@router.put(
    "/activities/{external_id}",
    response_model=ActivityPublic,
    summary="Store a run or strength session under the caller's id (idempotent: the same body twice stores one row)",
    responses={201: {"model": ActivityPublic, "description": "Created"}},
)
def store_activity(
    principal: Writer,
    athlete: AthleteDep,
    session: SessionDep,
    external_id: ExternalId,
    response: Response,
    body: Annotated[
        ActivityIn,
        Body(openapi_examples={"a run": {"value": RUN_EXAMPLE}, "a strength session": {"value": STRENGTH_EXAMPLE}}),
    ],
) -> ActivityPublic:
    errors = _future_dates([(("body",), body)])
    if body.id is not None and body.id != external_id:
        errors.append({"loc": ("body", "id"), "msg": f"differs from the path's {external_id!r}", "type": "value_error"})
    if errors:
        raise RequestValidationError(errors)
    row, outcome = activities.upsert(session, athlete.id, external_id, body)
    if outcome != "unchanged":
        audit.record(session, principal, f"activity.{outcome}", athlete.id)
    session.commit()
    response.status_code = status.HTTP_201_CREATED if outcome == "created" else status.HTTP_200_OK
    return public(row)


@router.post(
    "/activities:bulk",
    response_model=BulkResult,
    summary="Store up to 10,000 activities in one transaction: all of them or, on any error, none",
)
def store_activities_bulk(
    principal: Writer,
    athlete: AthleteDep,
    session: SessionDep,
    body: Annotated[BulkActivities, Body(openapi_examples={"a run and a strength session": {"value": BULK_EXAMPLE}})],
) -> BulkResult:
    errors = _future_dates([(("body", "activities", i), a) for i, a in enumerate(body.activities)])
    seen: dict[str, int] = {}
    for i, activity in enumerate(body.activities):
        row = ("body", "activities", i)
        if activity.id is None:
            errors.append({"loc": (*row, "id"), "msg": "id is required in a bulk", "type": "missing"})
        elif activity.id in seen:
            message = f"id {activity.id!r} is already used by row {seen[activity.id]}"
            errors.append({"loc": (*row, "id"), "msg": message, "type": "value_error"})
        else:
            seen[activity.id] = i
    if errors:
        raise RequestValidationError(errors)
    counts = activities.bulk_upsert(session, athlete.id, body.activities)
    audit.record(session, principal, "activity.bulk", athlete.id)
    session.commit()
    return BulkResult(**counts)


@router.get("/activities", response_model=ActivitiesPublic, summary="The athlete's activities by date, page by page")
def list_activities(
    principal: Reader,
    athlete: AthleteDep,
    session: SessionDep,
    date_from: Annotated[dt.date | None, Query(alias="from", description="First day, inclusive.")] = None,
    date_to: Annotated[dt.date | None, Query(alias="to", description="Last day, inclusive.")] = None,
    limit: Limit = 100,
    cursor: Cursor = None,
) -> ActivitiesPublic:
    after = None
    if cursor:
        after = day_cursor("activities", cursor)
    rows, total = activities.page(session, athlete.id, date_from, date_to, after, limit)
    audit.record_read(session, principal, "activity.list", athlete.id)
    next_cursor = encode_cursor("activities", [rows[-1].date.isoformat(), rows[-1].id]) if len(rows) == limit else None
    return ActivitiesPublic(data=[public(r) for r in rows], count=total, next_cursor=next_cursor)

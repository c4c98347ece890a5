"""/v1/athletes/{athlete_id}/injuries: injuries with time lost and clinical notes, upserted by the caller's id."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Body, Path, Query, Response, status

from service.api.deps import AthleteDep, InjuryWriter, Reader, SessionDep
from service.api.paging import Cursor, Limit
from service.db.models import InjuryEvent
from service.pagination import day_cursor, encode_cursor
from service.repositories import audit, injuries
from service.schemas.athletes import ID_PATTERN
from service.schemas.injuries import INJURY_EXAMPLE, InjuriesPublic, InjuryIn, InjuryPublic

router = APIRouter(prefix="/v1/athletes/{athlete_id}", tags=["injuries"])

ExternalId = Annotated[
    str, Path(min_length=1, max_length=128, pattern=ID_PATTERN, description="The caller's id of the injury.")
]


def public(row: InjuryEvent) -> InjuryPublic:
    return InjuryPublic(
        id=row.external_id,
        kind=row.kind,
        side=row.side,
        onset=row.onset,
        resolved=row.resolved,
        time_lost_days=row.time_lost_days,
        notes=row.notes,
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


@router.put(
    "/injuries/{external_id}",
    response_model=InjuryPublic,
    summary="Record or update an injury under the caller's id (idempotent)",
    responses={201: {"model": InjuryPublic, "description": "Created"}},
)
def store_injury(
    principal: InjuryWriter,
    athlete: AthleteDep,
    session: SessionDep,
    external_id: ExternalId,
    response: Response,
    body: Annotated[InjuryIn, Body(openapi_examples={"an Achilles tendinopathy": {"value": INJURY_EXAMPLE}})],
) -> InjuryPublic:
    row, outcome = injuries.upsert(session, athlete.id, external_id, body)
    if outcome != "unchanged":
        audit.record(session, principal, f"injury.{outcome}", athlete.id)
    session.commit()
    response.status_code = status.HTTP_201_CREATED if outcome == "created" else status.HTTP_200_OK
    return public(row)


@router.get("/injuries", response_model=InjuriesPublic, summary="The athlete's injuries by onset, a page at a time")
def list_injuries(
    principal: Reader,
    athlete: AthleteDep,
    session: SessionDep,
    onset_from: Annotated[dt.date | None, Query(alias="from", description="Earliest onset, inclusive.")] = None,
    onset_to: Annotated[dt.date | None, Query(alias="to", description="Latest onset, inclusive.")] = None,
    limit: Limit = 100,
    cursor: Cursor = None,
) -> InjuriesPublic:
    after = day_cursor("injuries", cursor) if cursor else None
    rows, total = injuries.page(session, athlete.id, onset_from, onset_to, after, limit)
    audit.record_read(session, principal, "injury.list", athlete.id)
    next_cursor = encode_cursor("injuries", [rows[-1].onset.isoformat(), rows[-1].id]) if len(rows) == limit else None
    return InjuriesPublic(data=[public(r) for r in rows], count=total, next_cursor=next_cursor)

"""/v1/athletes: a tenant's athletes; DELETE erases an athlete and everything stored about them."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, Query, Response, status

from service.api.deps import AthleteDep, Reader, SessionDep, Writer
from service.api.paging import Cursor, Limit
from service.db.models import Athlete
from service.pagination import encode_cursor, text_cursor
from service.repositories import athletes, audit
from service.schemas.athletes import (
    ATHLETE_EXAMPLE,
    READING_FIELDS,
    AthleteCreate,
    AthletePublic,
    AthletesPublic,
    AthleteUpdate,
)

router = APIRouter(prefix="/v1/athletes", tags=["athletes"])


def public(athlete: Athlete) -> AthletePublic:
    return AthletePublic(
        id=athlete.id,
        external_id=athlete.external_id,
        profile=athletes.profile_of(athlete),
        **{field: getattr(athlete, field) for field in READING_FIELDS},
        log_start=athlete.log_start,
        created_at=athlete.created_at,
        updated_at=athlete.updated_at,
    )


@router.post("", response_model=AthletePublic, status_code=status.HTTP_201_CREATED, summary="Add an athlete")
def create_athlete(
    principal: Writer,
    session: SessionDep,
    body: Annotated[AthleteCreate, Body(openapi_examples={"a runner": {"value": ATHLETE_EXAMPLE}})],
) -> AthletePublic:
    assert principal.tenant_id is not None
    athlete = athletes.create(session, principal.tenant_id, body)
    audit.record(session, principal, "athlete.create", athlete.id)
    session.commit()
    return public(athlete)


@router.get("", response_model=AthletesPublic, summary="The tenant's athletes, by id, a page at a time")
def list_athletes(
    principal: Reader,
    session: SessionDep,
    limit: Limit = 100,
    cursor: Cursor = None,
    external_id: Annotated[str | None, Query(max_length=128, description="Only the athlete with this id.")] = None,
) -> AthletesPublic:
    assert principal.tenant_id is not None
    after = text_cursor("athletes", cursor) if cursor else None
    rows, total = athletes.page(session, principal.tenant_id, after, limit, external_id)
    audit.record_read(session, principal, "athlete.list")
    next_cursor = encode_cursor("athletes", [rows[-1].id]) if len(rows) == limit else None
    return AthletesPublic(data=[public(a) for a in rows], count=total, next_cursor=next_cursor)


@router.get("/{athlete_id}", response_model=AthletePublic, summary="One athlete")
def get_athlete(principal: Reader, athlete: AthleteDep, session: SessionDep) -> AthletePublic:
    audit.record_read(session, principal, "athlete.read", athlete.id)
    return public(athlete)


@router.patch("/{athlete_id}", response_model=AthletePublic, summary="Change an athlete's external id or profile")
def update_athlete(
    principal: Writer,
    athlete: AthleteDep,
    session: SessionDep,
    body: Annotated[
        AthleteUpdate,
        Body(openapi_examples={"a birthday": {"value": {"profile": {**ATHLETE_EXAMPLE["profile"], "age": 35}}}}),
    ],
) -> AthletePublic:
    athletes.update(session, athlete, body)
    audit.record(session, principal, "athlete.update", athlete.id)
    session.commit()
    return public(athlete)


@router.delete(
    "/{athlete_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Erase an athlete: profile, activities, injuries and assessments (right to erasure)",
)
def erase_athlete(principal: Writer, athlete: AthleteDep, session: SessionDep) -> Response:
    athletes.erase(session, athlete)
    # The entry records that an erasure happened, by whom and when, but not whose data it was.
    audit.record(session, principal, "athlete.erase")
    session.commit()
    return Response(status_code=status.HTTP_204_NO_CONTENT)

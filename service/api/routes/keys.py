"""/v1/keys: an admin creates, lists and revokes the tenant's API keys."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Body, HTTPException, Path, status

from service.api.deps import KeyAdmin, SessionDep, TrustedKeysDep
from service.api.paging import Cursor, Limit
from service.db.models import ApiKey
from service.pagination import encode_cursor, id_cursor
from service.repositories import audit, keys
from service.schemas.keys import KeyCreate, KeyCreated, KeyPublic, KeyRotate, KeysPublic
from service.security import Role

router = APIRouter(prefix="/v1/keys", tags=["keys"])


def public(row: ApiKey) -> KeyPublic:
    return KeyPublic(
        id=row.id,
        prefix=row.prefix,
        role=Role(row.role),
        name=row.name,
        created_at=row.created_at,
        last_used_at=row.last_used_at,
        revoked_at=row.revoked_at,
        expires_at=row.expires_at,
        failed_auth_count=row.failed_auth_count or 0,
        last_failed_auth_at=row.last_failed_auth_at,
    )


@router.post("", response_model=KeyCreated, status_code=status.HTTP_201_CREATED, summary="Create a key (shown once)")
def create_key(
    principal: KeyAdmin,
    session: SessionDep,
    body: Annotated[
        KeyCreate, Body(openapi_examples={"a clinic's key": {"value": {"role": "clinician", "name": "physio desk"}}})
    ],
) -> KeyCreated:
    assert principal.tenant_id is not None
    row, key = keys.create_key(session, principal.tenant_id, body.role, body.name, body.expires_at)
    audit.record(session, principal, "key.create")
    session.commit()
    return KeyCreated(**public(row).model_dump(), key=key)


@router.get("", response_model=KeysPublic, summary="The tenant's keys (prefixes only)")
def list_keys(principal: KeyAdmin, session: SessionDep, limit: Limit = 100, cursor: Cursor = None) -> KeysPublic:
    assert principal.tenant_id is not None
    after = id_cursor("keys", cursor) if cursor else None
    rows, total = keys.list_keys(session, principal.tenant_id, after, limit)
    next_cursor = encode_cursor("keys", [rows[-1].id]) if len(rows) == limit else None
    return KeysPublic(data=[public(r) for r in rows], count=total, next_cursor=next_cursor)


@router.delete("/{key_id}", response_model=KeyPublic, summary="Revoke a key; it answers 401 from then on")
def revoke_key(
    principal: KeyAdmin,
    session: SessionDep,
    trusted: TrustedKeysDep,
    key_id: Annotated[int, Path(ge=1, le=2**31 - 1)],
) -> KeyPublic:
    assert principal.tenant_id is not None
    row = keys.revoke(session, principal.tenant_id, key_id)
    if row is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail=f"no key {key_id}")
    audit.record(session, principal, "key.revoke")
    session.commit()
    trusted.forget(key_id)
    return public(row)


@router.post(
    "/{key_id}/rotate",
    response_model=KeyCreated,
    status_code=status.HTTP_201_CREATED,
    summary="A new key (shown once) replacing this one, which expires after a grace period",
)
def rotate_key(
    principal: KeyAdmin,
    session: SessionDep,
    trusted: TrustedKeysDep,
    key_id: Annotated[int, Path(ge=1, le=2**31 - 1)],
    body: Annotated[KeyRotate, Body(openapi_examples={"a day to switch": {"value": {"grace_hours": 24}}})],
) -> KeyCreated:
    assert principal.tenant_id is not None
    old = keys.find_key(session, principal.tenant_id, key_id)
    if old is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail=f"no key {key_id}")
    if old.revoked_at is not None:
        raise HTTPException(status.HTTP_409_CONFLICT, detail=f"key {key_id} is revoked; create a new key instead")
    row, key = keys.rotate(session, old, dt.timedelta(hours=body.grace_hours))
    audit.record(session, principal, "key.rotate")
    session.commit()
    # The old key now expires (at once without grace): it is checked against the database again.
    trusted.forget(key_id)
    return KeyCreated(**public(row).model_dump(), key=key)

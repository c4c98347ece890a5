"""Tenants and their API keys."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from service.db.models import ApiKey, Tenant
from service.security import Role, display_prefix, hash_key, new_key

# Recording every use would turn each read into a write; a minute's precision is enough to spot unused keys.
_LAST_USED_PRECISION = dt.timedelta(minutes=1)


def find_tenant(session: Session, name: str) -> Tenant | None:
    """The tenant called ``name`` (as `injury-risk keys create --tenant` names it), or None."""
    return session.scalar(select(Tenant).where(Tenant.name == name))


def tenant_named(session: Session, name: str) -> Tenant:
    """The tenant called ``name``, created if it does not exist yet."""
    tenant = find_tenant(session, name)
    if tenant is None:
        tenant = Tenant(name=name)
        session.add(tenant)
        session.flush()
    return tenant


def create_key(
    session: Session, tenant_id: int, role: Role, name: str | None = None, expires_at: dt.datetime | None = None
) -> tuple[ApiKey, str]:
    """A new key row and the key itself, which the caller shows once and never stores."""
    key = new_key()
    row = ApiKey(
        tenant_id=tenant_id,
        key_hash=hash_key(key),
        prefix=display_prefix(key),
        role=role.value,
        name=name,
        expires_at=expires_at,
    )
    session.add(row)
    session.flush()
    return row, key


def checked_key(session: Session, key: str) -> tuple[ApiKey | None, str | None]:
    """The key's row and None if it may be used now, else the row (None if unknown) and why it may not."""
    row = session.scalar(select(ApiKey).where(ApiKey.key_hash == hash_key(key)))
    if row is None:
        return None, "unknown or revoked"
    if row.revoked_at is not None:
        return row, "unknown or revoked"
    if row.expires_at is not None and row.expires_at <= dt.datetime.now(dt.UTC):
        return row, "expired"
    return row, None


def active_key(session: Session, key: str) -> ApiKey | None:
    row, problem = checked_key(session, key)
    return None if problem else row


def count_failure(session: Session, row: ApiKey) -> None:
    """A revoked or expired key was presented: counted on the key, for its tenant's admin to see."""
    row.failed_auth_count = (row.failed_auth_count or 0) + 1
    row.last_failed_auth_at = dt.datetime.now(dt.UTC)


def mark_used(session: Session, row: ApiKey) -> None:
    now = dt.datetime.now(dt.UTC)
    last = row.last_used_at
    if last is None or now - last >= _LAST_USED_PRECISION:
        row.last_used_at = now
        session.commit()


def rotate(session: Session, row: ApiKey, grace: dt.timedelta) -> tuple[ApiKey, str]:
    """A new key of the same tenant, role and name; the old one keeps working for ``grace``, then expires."""
    new_row, key = create_key(session, row.tenant_id, Role(row.role), row.name, row.expires_at)
    ends = dt.datetime.now(dt.UTC) + grace
    if row.expires_at is None or row.expires_at > ends:
        row.expires_at = ends
    return new_row, key


def keys_with_prefix(session: Session, prefix: str) -> list[ApiKey]:
    return list(session.scalars(select(ApiKey).where(ApiKey.prefix == prefix).order_by(ApiKey.id)))


def find_key(session: Session, tenant_id: int, key_id: int) -> ApiKey | None:
    row = session.get(ApiKey, key_id)
    return row if row is not None and row.tenant_id == tenant_id else None


def list_keys(session: Session, tenant_id: int, after: int | None, limit: int) -> tuple[list[ApiKey], int]:
    query = select(ApiKey).where(ApiKey.tenant_id == tenant_id)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    if after is not None:
        query = query.where(ApiKey.id > after)
    return list(session.scalars(query.order_by(ApiKey.id).limit(limit))), total


def revoke(session: Session, tenant_id: int, key_id: int) -> ApiKey | None:
    row = find_key(session, tenant_id, key_id)
    if row is not None and row.revoked_at is None:
        row.revoked_at = dt.datetime.now(dt.UTC)
    return row

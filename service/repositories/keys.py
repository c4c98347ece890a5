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


def create_key(session: Session, tenant_id: int, role: Role, name: str | None = None) -> tuple[ApiKey, str]:
    """A new key row and the key itself, which the caller shows once and never stores."""
    key = new_key()
    row = ApiKey(tenant_id=tenant_id, key_hash=hash_key(key), prefix=display_prefix(key), role=role.value, name=name)
    session.add(row)
    session.flush()
    return row, key


def active_key(session: Session, key: str) -> ApiKey | None:
    row = session.scalar(select(ApiKey).where(ApiKey.key_hash == hash_key(key)))
    if row is None or row.revoked_at is not None:
        return None
    return row


def mark_used(session: Session, row: ApiKey) -> None:
    now = dt.datetime.now(dt.UTC)
    last = row.last_used_at
    if last is None or now - last >= _LAST_USED_PRECISION:
        row.last_used_at = now
        session.commit()


def list_keys(session: Session, tenant_id: int, after: int | None, limit: int) -> tuple[list[ApiKey], int]:
    query = select(ApiKey).where(ApiKey.tenant_id == tenant_id)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    if after is not None:
        query = query.where(ApiKey.id > after)
    return list(session.scalars(query.order_by(ApiKey.id).limit(limit))), total


def revoke(session: Session, tenant_id: int, key_id: int) -> ApiKey | None:
    row = session.get(ApiKey, key_id)
    if row is None or row.tenant_id != tenant_id:
        return None
    if row.revoked_at is None:
        row.revoked_at = dt.datetime.now(dt.UTC)
    return row

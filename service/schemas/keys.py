"""Bodies of /v1/keys: a new key is shown once, listings show only its prefix."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, Field

from service.schemas.risk import _Body
from service.security import Role


class KeyCreate(_Body):
    role: Role
    name: str | None = Field(None, max_length=100, description="A label, e.g. the integration that uses the key.")


class KeyPublic(BaseModel):
    id: int
    prefix: str
    role: Role
    name: str | None
    created_at: dt.datetime
    last_used_at: dt.datetime | None
    revoked_at: dt.datetime | None


class KeyCreated(KeyPublic):
    key: str = Field(description="The key itself. It is shown this once; only its hash is stored.")


class KeysPublic(BaseModel):
    data: list[KeyPublic]
    count: int
    next_cursor: str | None

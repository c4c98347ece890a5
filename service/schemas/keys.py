"""Bodies of /v1/keys: a new key is shown once, listings show only its prefix."""

from __future__ import annotations

import datetime as dt

from pydantic import AwareDatetime, BaseModel, Field, field_validator

from service.schemas.risk import _Body
from service.security import Role


class KeyCreate(_Body):
    role: Role
    name: str | None = Field(None, max_length=100, description="A label, e.g. the integration that uses the key.")
    expires_at: AwareDatetime | None = Field(
        None, description="When the key stops working (must be in the future); default never."
    )

    @field_validator("expires_at")
    @classmethod
    def _in_the_future(cls, value: dt.datetime | None) -> dt.datetime | None:
        if value is not None and value <= dt.datetime.now(dt.UTC):
            raise ValueError("expires_at is not in the future")
        return value


class KeyRotate(_Body):
    grace_hours: float = Field(
        24, ge=0, le=720, description="Hours the old key keeps working, so that clients can switch; 0 = at once."
    )


class KeyPublic(BaseModel):
    id: int
    prefix: str
    role: Role
    name: str | None
    created_at: dt.datetime
    last_used_at: dt.datetime | None = Field(description="Last request with this key (to the minute).")
    revoked_at: dt.datetime | None
    expires_at: dt.datetime | None
    failed_auth_count: int = Field(description="Requests refused because this key was revoked or expired.")
    last_failed_auth_at: dt.datetime | None


class KeyCreated(KeyPublic):
    key: str = Field(description="The key itself. It is shown this once; only its hash is stored.")


class KeysPublic(BaseModel):
    data: list[KeyPublic]
    count: int
    next_cursor: str | None

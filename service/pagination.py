"""Opaque cursors for keyset pagination: the sort key of the last row of a page, base64url-encoded JSON."""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import json
import math
from typing import Any


class CursorError(ValueError):
    """A cursor that this service did not issue (or issued for another list)."""


def encode_cursor(kind: str, key: list[Any]) -> str:
    raw = json.dumps([kind, *key], separators=(",", ":"), default=str).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(kind: str, cursor: str, length: int) -> list[Any]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        value = json.loads(raw)
    except (binascii.Error, ValueError, UnicodeDecodeError) as error:
        raise CursorError("not a cursor issued by this list") from error
    if not isinstance(value, list) or len(value) != length + 1 or value[0] != kind:
        raise CursorError("not a cursor issued by this list")
    return value[1:]


# Row ids are 32-bit on PostgreSQL; a larger number could not have been issued and would overflow the driver.
_MAX_ID = 2**31 - 1


def row_id(value: Any) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= _MAX_ID:
        raise CursorError("not a cursor issued by this list")
    return value


def text_cursor(kind: str, cursor: str) -> str:
    """A text key cursor, for lists ordered by a string id."""
    (value,) = decode_cursor(kind, cursor, 1)
    if not isinstance(value, str) or len(value) > 64:
        raise CursorError("not a cursor issued by this list")
    return value


def id_cursor(kind: str, cursor: str) -> int:
    """A row id cursor, for lists ordered by id."""
    return row_id(decode_cursor(kind, cursor, 1)[0])


def day_cursor(kind: str, cursor: str) -> tuple[dt.date, int]:
    """A (day, row id) cursor, for lists ordered by date."""
    day, last_id = decode_cursor(kind, cursor, 2)
    try:
        return dt.date.fromisoformat(str(day)), row_id(last_id)
    except (TypeError, ValueError) as error:
        raise CursorError("not a cursor issued by this list") from error


def risk_cursor(kind: str, cursor: str) -> tuple[float, str]:
    """A (relative risk, athlete id) cursor, for the cohort ordered by risk."""
    key, athlete_id = decode_cursor(kind, cursor, 2)
    if isinstance(key, bool) or not isinstance(key, (int, float)) or not math.isfinite(key):
        raise CursorError("not a cursor issued by this list")
    if not isinstance(athlete_id, str) or len(athlete_id) > 64:
        raise CursorError("not a cursor issued by this list")
    return float(key), athlete_id

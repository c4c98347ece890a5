"""Opaque cursors for keyset pagination: the sort key of the last row of a page, base64url-encoded JSON."""

from __future__ import annotations

import base64
import datetime as dt
import binascii
import json
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


def day_cursor(kind: str, cursor: str) -> tuple[dt.date, int]:
    """A (day, row id) cursor, for lists ordered by date."""
    day, row_id = decode_cursor(kind, cursor, 2)
    try:
        return dt.date.fromisoformat(str(day)), int(row_id)
    except (TypeError, ValueError) as error:
        raise CursorError("not a cursor issued by this list") from error

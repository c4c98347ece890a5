"""API keys a server process checked against the database moments ago, trusted again without asking it.

Every request carries a key; asking the database each time costs a pooled connection and three round trips, more
than the rest of a stateless answer. A key that passed is trusted for ``seconds``: a key revoked or rotated through
this process is forgotten at once, one revoked elsewhere (another process, the command line) is refused here at most
``seconds`` later, and an expiry passes on time. Only keys that passed are kept, so every refusal still reaches the
database, where it is counted on the key and audited.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from service.security import Principal

# A bound on memory whatever clients send: only keys that passed are kept, and a tenant holds a handful.
_MOST_KEYS = 10_000


@dataclass(frozen=True)
class _Trusted:
    principal: Principal
    expires_at: dt.datetime | None
    checked_at: float


class TrustedKeys:
    """Principals of keys (by their hash) checked within the last ``seconds``; 0 trusts none."""

    def __init__(self, seconds: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.seconds = seconds
        self._clock = clock
        self._keys: dict[str, _Trusted] = {}
        # Requests read on the event loop; revocations forget from handler threads.
        self._lock = threading.Lock()

    def principal(self, key_hash: str) -> Principal | None:
        """The key's principal if it passed within ``seconds`` and has not expired since, else None."""
        trusted = self._keys.get(key_hash)
        if trusted is None:
            return None
        expired = trusted.expires_at is not None and trusted.expires_at <= dt.datetime.now(dt.UTC)
        if expired or self._clock() - trusted.checked_at >= self.seconds:
            with self._lock:
                self._keys.pop(key_hash, None)
            return None
        return trusted.principal

    def trust(self, key_hash: str, principal: Principal, expires_at: dt.datetime | None) -> None:
        """Remember a key that just passed the database's check."""
        if self.seconds <= 0:
            return
        with self._lock:
            if len(self._keys) >= _MOST_KEYS:
                self._keys.clear()
            self._keys[key_hash] = _Trusted(principal, _aware(expires_at), self._clock())

    def forget(self, key_id: int) -> None:
        """Stop trusting the key with this id (revoked, or rotated to expire)."""
        with self._lock:
            for key_hash in [h for h, t in self._keys.items() if t.principal.key_id == key_id]:
                del self._keys[key_hash]


def _aware(moment: dt.datetime | None) -> dt.datetime | None:
    # SQLite hands back naive datetimes; the service stores UTC.
    return moment.replace(tzinfo=dt.UTC) if moment is not None and moment.tzinfo is None else moment

"""API keys a server process checked against the database moments ago, trusted again without asking it.

Every request carries a key; asking the database each time costs a pooled connection and three round trips, more
than the rest of a stateless answer. A key that passed is trusted for ``seconds``: a key revoked through this process
is refused at once (a check that began before the revocation does not trust it again) and one rotated through it is
checked again; one revoked or rotated elsewhere (another process, `injury-risk keys rotate`) is refused here at most
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
        # When each key id was last forgotten: a check that began before it must not trust the key again.
        self._forgotten_at: dict[int, float] = {}
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

    def now(self) -> float:
        """The clock reading to pass to ``trust``, taken before the database is asked."""
        return self._clock()

    def trust(self, key_hash: str, principal: Principal, expires_at: dt.datetime | None, checked_at: float) -> None:
        """Remember a key that passed the database's check begun at ``checked_at`` (``now()``), unless it was
        forgotten since: a revocation committed while the check ran must not be undone by it."""
        if self.seconds <= 0:
            return
        with self._lock:
            forgotten = self._forgotten_at.get(principal.key_id) if principal.key_id is not None else None
            if forgotten is not None and forgotten >= checked_at:
                return
            if len(self._keys) >= _MOST_KEYS:
                self._keys.clear()
            self._keys[key_hash] = _Trusted(principal, _aware(expires_at), checked_at)

    def forget(self, key_id: int) -> None:
        """Stop trusting the key with this id (revoked, or rotated to expire)."""
        with self._lock:
            if len(self._forgotten_at) >= _MOST_KEYS:
                self._forgotten_at.clear()
            self._forgotten_at[key_id] = self._clock()
            for key_hash in [h for h, t in self._keys.items() if t.principal.key_id == key_id]:
                del self._keys[key_hash]


def _aware(moment: dt.datetime | None) -> dt.datetime | None:
    # SQLite hands back naive datetimes; the service stores UTC.
    return moment.replace(tzinfo=dt.UTC) if moment is not None and moment.tzinfo is None else moment

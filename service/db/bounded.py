"""PostgreSQL connections that give up in bounded time when the server stops answering without closing the socket.

A network partition, a failover or a hung host drop packets instead of refusing them: without bounds a request waits
as long as the cut lasts (on Linux an unanswered TCP connection can hang for about 15 minutes). Four bounds, each the
driver's or the pool's own mechanism:

- every round trip of a pooled connection (query, fetch, commit, rollback) waits at most ``round_trip_s``, then the
  connection is closed, so SQLAlchemy sees a disconnect and throws the connection away;
- every checkout pings the connection with a shorter bound, so a dead pooled connection costs ``ping_s``, not a
  request's whole round-trip budget (the ping opens no transaction);
- a new connection waits at most ``connect_s``: libpq and psycopg raise ``connect_timeout`` to at least 2 s, so the
  attempt runs in a helper thread and is abandoned (then closed, if it ever succeeds) when late;
- the kernel gives up on unacknowledged data after ``tcp_user_timeout`` and probes idle pooled connections with
  keepalives, and the server cancels statements, lock waits and abandoned transactions on its own (``options``).

These bounds are for interactive requests; batch jobs and migrations use plain connections (no deadlines).
"""

from __future__ import annotations

import math
import threading
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass
from typing import Any

import psycopg
from psycopg.errors import _WaitTimeout
from sqlalchemy import Engine, event
from sqlalchemy.exc import InvalidatePoolError

from training.settings import Settings


@dataclass(frozen=True)
class Deadlines:
    connect_s: float
    round_trip_s: float
    ping_s: float
    statement_timeout_ms: int
    lock_timeout_ms: int
    idle_in_transaction_timeout_ms: int
    tcp_user_timeout_ms: int
    keepalives_idle_s: int

    @classmethod
    def from_settings(cls, settings: Settings) -> Deadlines:
        return cls(
            connect_s=settings.database_connect_timeout_s,
            round_trip_s=settings.database_round_trip_timeout_s,
            ping_s=settings.database_ping_timeout_s,
            statement_timeout_ms=settings.database_statement_timeout_ms,
            lock_timeout_ms=settings.database_lock_timeout_ms,
            idle_in_transaction_timeout_ms=settings.database_idle_in_transaction_timeout_ms,
            tcp_user_timeout_ms=settings.database_tcp_user_timeout_ms,
            keepalives_idle_s=settings.database_keepalives_idle_s,
        )

    def connect_args(self) -> dict[str, Any]:
        """libpq parameters: server-side timeouts and the kernel's own give-up times."""
        options = (
            f"-c statement_timeout={self.statement_timeout_ms} -c lock_timeout={self.lock_timeout_ms} "
            f"-c idle_in_transaction_session_timeout={self.idle_in_transaction_timeout_ms}"
        )
        return {
            "options": options,
            # libpq's floor; the helper thread enforces connect_s below it.
            "connect_timeout": max(2, math.ceil(self.connect_s)),
            "tcp_user_timeout": self.tcp_user_timeout_ms,
            "keepalives": 1,
            "keepalives_idle": self.keepalives_idle_s,
            "keepalives_interval": 1,
            "keepalives_count": 3,
        }


class BoundedConnection(psycopg.Connection[Any]):
    """A psycopg connection whose every wait on the server ends after ``round_trip_s``."""

    round_trip_s: float | None = None

    def wait(self, gen: Any, interval: float = 0.1, timeout: float | None = None) -> Any:
        bound = timeout if timeout is not None else self.round_trip_s
        try:
            return super().wait(gen, interval, bound)
        except _WaitTimeout:
            # psycopg's own timeout of Connection.wait. The protocol stopped mid-message, so the connection cannot be
            # reused; closed, it reads as a disconnect to SQLAlchemy, which throws it away instead of rolling back.
            self.pgconn.finish()
            raise psycopg.errors.ConnectionTimeout(f"no answer from the database within {bound:g} s") from None

    def ping(self, seconds: float) -> None:
        saved, self.round_trip_s = self.round_trip_s, seconds
        # Outside a transaction: psycopg would send BEGIN first, a round trip of its own, and leave the transaction
        # open, so the checkout could not choose how the request's statements commit.
        self.autocommit = True
        try:
            self.execute("SELECT 1")
        finally:
            self.autocommit = False
            self.round_trip_s = saved


class Connector:
    """Opens bounded connections within ``connect_s`` (below libpq's 2 s floor)."""

    def __init__(self, deadlines: Deadlines) -> None:
        self._deadlines = deadlines
        self._threads: ThreadPoolExecutor | None = None
        self._lock = threading.Lock()

    def connect(self, cargs: list[Any], cparams: dict[str, Any]) -> BoundedConnection:
        with self._lock:
            if self._threads is None:
                self._threads = ThreadPoolExecutor(max_workers=4, thread_name_prefix="db-connect")
            threads = self._threads
        attempt = threads.submit(BoundedConnection.connect, *cargs, **cparams)
        try:
            connection = attempt.result(timeout=self._deadlines.connect_s)
        except FutureTimeout:
            attempt.add_done_callback(_close_late)
            raise psycopg.errors.ConnectionTimeout(
                f"no connection to the database within {self._deadlines.connect_s:g} s"
            ) from None
        connection.round_trip_s = self._deadlines.round_trip_s
        return connection

    def close(self) -> None:
        with self._lock:
            if self._threads is not None:
                self._threads.shutdown(wait=False, cancel_futures=True)
                self._threads = None


def _close_late(attempt: Future[BoundedConnection]) -> None:
    if not attempt.cancelled() and attempt.exception() is None:
        attempt.result().close()


def bound(engine: Engine, deadlines: Deadlines) -> Connector:
    """Make ``engine`` open bounded connections and ping each at checkout; returns the connector to close."""
    connector = Connector(deadlines)

    @event.listens_for(engine, "do_connect")
    def _connect(dialect: Any, record: Any, cargs: list[Any], cparams: dict[str, Any]) -> BoundedConnection:
        return connector.connect(cargs, cparams)

    @event.listens_for(engine, "checkout")
    def _ping(dbapi_connection: Any, record: Any, proxy: Any) -> None:
        try:
            dbapi_connection.ping(deadlines.ping_s)
        except psycopg.Error as error:
            # One dead connection means the others from before are suspect too: the pool replaces them all.
            raise InvalidatePoolError(str(error)) from error

    return connector

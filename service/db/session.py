"""The database engine and sessions of one running app, built from settings by the app factory (never at import)."""

from __future__ import annotations

import math
import threading
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, select
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from service.db.bounded import Connector, Deadlines, bound
from service.db.models import ApiKey
from training.settings import Settings


def make_engine(url: str, connect_timeout_s: float = 5) -> Engine:
    """A plain engine, for migrations and batch jobs: no deadline on a query (they may run long)."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        # Sync FastAPI handlers run in a thread pool, so one connection may serve several threads in turn;
        # the timeout makes a writer wait for another's lock instead of failing at once.
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 15})
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    # pre_ping swaps connections the server dropped (restart, failover) for fresh ones instead of failing a request.
    # libpq counts connect_timeout in whole seconds, at least 2.
    timeout = max(2, math.ceil(connect_timeout_s))
    return create_engine(url, pool_pre_ping=True, connect_args={"connect_timeout": timeout})


def make_bounded_engine(url: str, settings: Settings) -> tuple[Engine, Connector]:
    """A PostgreSQL engine for API requests: every wait on the server is bounded (service/db/bounded.py)."""
    deadlines = Deadlines.from_settings(settings)
    engine = create_engine(
        url,
        pool_size=settings.database_pool_size,
        max_overflow=settings.database_max_overflow,
        pool_timeout=settings.database_pool_timeout_s,
        pool_recycle=settings.database_pool_recycle_s,
        connect_args=deadlines.connect_args(),
    )
    return engine, bound(engine, deadlines)


def _sqlite_pragmas(connection: Any, _record: Any) -> None:
    cursor = connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


class Database:
    """Engine plus session factory; ``problem()`` says why the database cannot be used, for /readyz."""

    def __init__(self, settings: Settings, bounded: bool = True) -> None:
        """``bounded``: deadlines on every PostgreSQL wait (API requests); off for batch jobs' long reads."""
        self.url = settings.resolved_database_url()
        self._connector: Connector | None = None
        if bounded and make_url(self.url).get_backend_name() == "postgresql":
            self.engine, self._connector = make_bounded_engine(self.url, settings)
        else:
            self.engine = make_engine(self.url, settings.database_connect_timeout_s)
        self.sessions = sessionmaker(self.engine, expire_on_commit=False)
        # The same pool. PostgreSQL commits each statement (synchronously: as durable as a COMMIT); SQLite's writes
        # of one request are two statements, so it keeps its transaction.
        postgresql = self.engine.dialect.name == "postgresql"
        self._statement_engine = (
            self.engine.execution_options(isolation_level="AUTOCOMMIT") if postgresql else self.engine
        )
        self._readiness_timeout_s = settings.database_readiness_timeout_s
        self._probe: Future[str | None] | None = None
        self._probe_lock = threading.Lock()
        self._probe_thread: ThreadPoolExecutor | None = None

    def session(self) -> Session:
        return self.sessions()

    def statement_session(self) -> Session:
        """A session whose every statement commits on its own on PostgreSQL: no BEGIN and COMMIT round trips, for
        work that reads in one statement and writes in one. SQLite keeps a transaction (commit as usual)."""
        return self.sessions(bind=self._statement_engine)

    def problem(self) -> str | None:
        """None when the database answers a query of the head migration, else why not, within the readiness bound.

        The check runs in a helper thread, one at a time: a probe cut off by a partition keeps running after the
        bound, and later calls wait on it instead of piling up more."""
        with self._probe_lock:
            if self._probe_thread is None:
                self._probe_thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="db-readiness")
            if self._probe is None or self._probe.done():
                self._probe = self._probe_thread.submit(self._check)
            probe = self._probe
        try:
            return probe.result(timeout=self._readiness_timeout_s)
        except FutureTimeout:
            return f"database unavailable: no answer within {self._readiness_timeout_s:g} s"

    def _check(self) -> str | None:
        try:
            with self.engine.connect() as connection:
                # A table of the head migration: reachable but not migrated is not ready either.
                connection.execute(select(ApiKey.id).limit(1))
        except SQLAlchemyError as error:
            return unavailable_reason(error)
        return None

    def dispose(self) -> None:
        with self._probe_lock:
            if self._probe_thread is not None:
                self._probe_thread.shutdown(wait=False, cancel_futures=True)
                self._probe_thread = None
        self.engine.dispose()
        if self._connector is not None:
            self._connector.close()


def unavailable_reason(error: BaseException) -> str:
    """A one-line reason without the SQL or parameters (they may hold personal data)."""
    original = getattr(error, "orig", None) or error
    text = str(original).strip().splitlines()[0] if str(original).strip() else type(original).__name__
    if "no such table" in text or ("relation" in text and "does not exist" in text):
        return "database not migrated; run `injury-risk db upgrade`"
    return f"database unavailable: {text}"

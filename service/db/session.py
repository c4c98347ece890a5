"""The database engine and sessions of one running app, built from settings by the app factory (never at import)."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine, create_engine, event, select
from sqlalchemy.engine import make_url
from sqlalchemy.engine.interfaces import DBAPIConnection
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from service.db.models import ApiKey
from training.settings import Settings


def make_engine(url: str, connect_timeout_s: int = 5) -> Engine:
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
    return create_engine(url, pool_pre_ping=True, connect_args={"connect_timeout": connect_timeout_s})


def _sqlite_pragmas(connection: DBAPIConnection, _record: object) -> None:
    cursor = connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


class Database:
    """Engine plus session factory; ``problem()`` says why the database cannot be used, for /readyz."""

    def __init__(self, settings: Settings) -> None:
        self.url = settings.resolved_database_url()
        self.engine = make_engine(self.url, settings.database_connect_timeout_s)
        self.sessions = sessionmaker(self.engine, expire_on_commit=False)

    def session(self) -> Session:
        return self.sessions()

    def problem(self) -> str | None:
        try:
            with self.engine.connect() as connection:
                # A table of the head migration: reachable but not migrated is not ready either.
                connection.execute(select(ApiKey.id).limit(1))
        except SQLAlchemyError as error:
            return unavailable_reason(error)
        return None

    def dispose(self) -> None:
        self.engine.dispose()


def unavailable_reason(error: BaseException) -> str:
    """A one-line reason without the SQL or parameters (they may hold personal data)."""
    original = getattr(error, "orig", None) or error
    text = str(original).strip().splitlines()[0] if str(original).strip() else type(original).__name__
    if "no such table" in text or ("relation" in text and "does not exist" in text):
        return "database not migrated; run `injury-risk db upgrade`"
    return f"database unavailable: {text}"

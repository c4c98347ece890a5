"""Alembic environment: the URL comes from the Config built in service/db/migrate.py."""

from __future__ import annotations

from alembic import context

from service.db.models import Base
from service.db.session import make_engine

config = context.config


def run() -> None:
    url = config.get_main_option("sqlalchemy.url")
    if url is None:
        raise RuntimeError("no sqlalchemy.url: run migrations through service.db.migrate, which sets it")
    if context.is_offline_mode():
        context.configure(url=url, target_metadata=Base.metadata, literal_binds=True)
        with context.begin_transaction():
            context.run_migrations()
        return
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            # Batch mode lets later migrations alter SQLite tables (copy and swap); PostgreSQL alters in place.
            context.configure(
                connection=connection,
                target_metadata=Base.metadata,
                render_as_batch=connection.dialect.name == "sqlite",
            )
            with context.begin_transaction():
                context.run_migrations()
    finally:
        engine.dispose()


run()

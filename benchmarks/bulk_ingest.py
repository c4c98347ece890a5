"""Bulk ingestion: POST /v1/athletes/{id}/activities:bulk (10,000 runs, one transaction) against a bare SQLAlchemy
Core executemany INSERT of the same rows into the same table, on SQLite and PostgreSQL, in the same run.

The peer is the floor: no HTTP, no validation, no upsert lookup, no audit entry. Run from the repository root:
  .venv/bin/python benchmarks/bulk_ingest.py --rows 10000 --repeat 3
PostgreSQL is used when reachable at --postgres (a scratch database is created there and dropped).
"""

from __future__ import annotations

import argparse
import datetime as dt
import secrets
import statistics
import tempfile
import time
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import create_engine, insert, make_url, text
from sqlalchemy.exc import OperationalError

from service.app import create_app
from service.db.migrate import upgrade
from service.db.models import Activity, Athlete
from service.db.session import Database
from service.repositories.keys import create_key, tenant_named
from service.security import Role
from training.settings import Settings


def runs(count: int) -> list[dict]:
    start = dt.date(2025, 1, 1)
    return [
        {
            "id": f"r{i}",
            "kind": "run",
            "date": str(start + dt.timedelta(days=i % 366)),
            "km": 5.0 + i % 7,
            "km_threshold": 1.0,
        }
        for i in range(count)
    ]


def measure(url: str, rows: int, repeat: int, workdir: Path) -> dict[str, float]:
    upgrade(url)
    settings = Settings(data_dir=workdir / "data", mlruns_dir=workdir / "mlruns", database_url=url)
    database = Database(settings)
    with database.session() as session:
        tenant = tenant_named(session, f"bench-{secrets.token_hex(3)}")
        _, key = create_key(session, tenant.id, Role.platform)
        session.commit()
        tenant_id = tenant.id
    body = {"activities": runs(rows)}
    api_new, api_again, core = [], [], []
    with TestClient(create_app(settings), headers={"Authorization": f"Bearer {key}"}) as client:
        for _ in range(repeat):
            athlete = client.post(
                "/v1/athletes",
                json={"external_id": secrets.token_hex(6), "profile": {"age": 30, "sex": "F", "years_running": 2}},
            ).json()["id"]
            for bucket in (api_new, api_again):  # first insert, then the same bulk again (all unchanged)
                began = time.perf_counter()
                response = client.post(f"/v1/athletes/{athlete}/activities:bulk", json=body)
                bucket.append(time.perf_counter() - began)
                assert response.status_code == 200, response.text
    table_rows = [
        {
            "external_id": r["id"],
            "kind": "run",
            "date": dt.date.fromisoformat(r["date"]),
            "km": r["km"],
            "km_threshold": r["km_threshold"],
            "km_interval": 0.0,
            "km_sprint": 0.0,
            "created_at": dt.datetime.now(dt.UTC),
            "updated_at": dt.datetime.now(dt.UTC),
        }
        for r in body["activities"]
    ]
    for _ in range(repeat):
        with database.engine.begin() as connection:
            athlete_id = secrets.token_hex(16)
            connection.execute(
                insert(Athlete),
                [
                    {
                        "id": athlete_id,
                        "tenant_id": tenant_id,
                        "external_id": athlete_id,
                        "age": 30,
                        "sex": "F",
                        "years_running": 2.0,
                        "created_at": dt.datetime.now(dt.UTC),
                        "updated_at": dt.datetime.now(dt.UTC),
                    }
                ],
            )
            began = time.perf_counter()
            connection.execute(insert(Activity), [{**row, "athlete_id": athlete_id} for row in table_rows])
            core.append(time.perf_counter() - began)
    database.dispose()
    return {
        "api_new": statistics.median(api_new),
        "api_again": statistics.median(api_again),
        "core": statistics.median(core),
    }


def scratch_postgres(base_url: str):  # type: ignore[no-untyped-def]
    base = make_url(base_url)
    admin = create_engine(base, isolation_level="AUTOCOMMIT", connect_args={"connect_timeout": 3})
    name = f"injury_risk_bench_{secrets.token_hex(4)}"
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    return admin, name, base.set(database=name).render_as_string(hide_password=False)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--postgres", default="postgresql+psycopg://postgres@127.0.0.1:5432/test")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        workdir = Path(folder)
        results = {"sqlite": measure(f"sqlite:///{workdir / 'bench.db'}", args.rows, args.repeat, workdir)}
        try:
            admin, name, url = scratch_postgres(args.postgres)
        except OperationalError as error:
            print(f"PostgreSQL skipped: {error.orig}")
        else:
            try:
                results["postgresql"] = measure(url, args.rows, args.repeat, workdir)
            finally:
                with admin.connect() as connection:
                    connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
                admin.dispose()
    print(f"{args.rows} runs per request, median of {args.repeat}")
    print(f"{'database':12} {'path':58} {'seconds':>8} {'rows/s':>9}")
    for database, figures in results.items():
        for label, key in (
            ("POST activities:bulk, new rows (HTTP, validation, upsert)", "api_new"),
            ("POST activities:bulk, same rows again (all unchanged)", "api_again"),
            ("peer: SQLAlchemy Core executemany INSERT", "core"),
        ):
            print(f"{database:12} {label:58} {figures[key]:8.3f} {args.rows / figures[key]:9.0f}")


if __name__ == "__main__":
    main()

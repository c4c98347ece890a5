"""Activity-file import: POST /v1/athletes/{id}/activities:import of a season of FIT files (one record a second, as
watches write them), first upload and the same upload again, against the floor any FIT import pays: decoding the
same files with Garmin's FIT SDK and nothing else (no HTTP, mapping, validation or database).

Run from the repository root:
  .venv/bin/python benchmarks/activity_import.py --files 100 --repeat 3
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
from garmin_fit_sdk import Decoder, Stream
from sqlalchemy import create_engine, make_url, text
from sqlalchemy.exc import OperationalError

from service.app import create_app
from service.db.migrate import upgrade
from service.db.session import Database
from service.repositories.keys import create_key, tenant_named
from service.security import Role
from tests.service.imports.activity_files import Segment, fit_file, plan
from training.settings import Settings


def season(files: int) -> list[tuple[str, bytes]]:
    """Runs every other day: 35-55 minutes easy with a threshold block, one record a second."""
    first = dt.datetime(2025, 3, 1, 6, 30, tzinfo=dt.UTC)
    out = []
    for i in range(files):
        segments = [Segment(2100 + 60 * (i % 20), 2.9, 138), Segment(600, 3.8, 172)]
        out.append((f"{i:04d}.fit", fit_file(plan(first + dt.timedelta(days=2 * i), segments, every_s=1))))
    return out


def sdk_decode(files: list[tuple[str, bytes]]) -> float:
    began = time.perf_counter()
    for _, data in files:
        messages, errors = Decoder(Stream.from_byte_array(bytearray(data))).read()
        assert not errors and messages["record_mesgs"]
    return time.perf_counter() - began


def measure(url: str, files: list[tuple[str, bytes]], repeat: int, workdir: Path) -> dict[str, list[float]]:
    upgrade(url)
    settings = Settings(data_dir=workdir / "data", mlruns_dir=workdir / "mlruns", database_url=url)
    database = Database(settings)
    with database.session() as session:
        tenant = tenant_named(session, f"bench-{secrets.token_hex(3)}")
        _, key = create_key(session, tenant.id, Role.platform)
        session.commit()
    database.dispose()
    parts = [("files", (name, data, "application/octet-stream")) for name, data in files]
    times: dict[str, list[float]] = {"first": [], "again": []}
    with TestClient(create_app(settings), headers={"Authorization": f"Bearer {key}"}) as client:
        for _ in range(repeat):
            athlete = client.post(
                "/v1/athletes",
                json={"external_id": secrets.token_hex(6), "profile": {"age": 30, "sex": "F", "years_running": 2}},
            ).json()["id"]
            for bucket, status in (("first", "stored"), ("again", "already_stored")):
                began = time.perf_counter()
                response = client.post(f"/v1/athletes/{athlete}/activities:import", files=parts)
                times[bucket].append(time.perf_counter() - began)
                assert response.status_code == 200 and response.json()[status] == len(files), response.text[:300]
    return times


def scratch_postgres(base_url: str):  # type: ignore[no-untyped-def]
    base = make_url(base_url)
    admin = create_engine(base, isolation_level="AUTOCOMMIT", connect_args={"connect_timeout": 3})
    name = f"bench_import_{secrets.token_hex(4)}"
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    except OperationalError:
        admin.dispose()
        return None, None
    return admin, (base.set(database=name).render_as_string(hide_password=False), name)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--files", type=int, default=100)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--postgres", default="postgresql+psycopg://postgres@127.0.0.1:5432/test")
    args = parser.parse_args()
    files = season(args.files)
    size = sum(len(data) for _, data in files)
    print(f"{args.files} FIT files, {size / 1e6:.1f} MB, median of {args.repeat}")
    floor = statistics.median(sdk_decode(files) for _ in range(args.repeat))
    print(f"  peer: Garmin FIT SDK decode only          {floor:6.2f} s  ({1000 * floor / args.files:.1f} ms a file)")
    with tempfile.TemporaryDirectory() as tmp:
        targets = [("SQLite", f"sqlite:///{Path(tmp) / 'bench.db'}")]
        admin, scratch = scratch_postgres(args.postgres)
        if scratch is not None:
            targets.append(("PostgreSQL", scratch[0]))
        try:
            for label, url in targets:
                times = measure(url, files, args.repeat, Path(tmp))
                for bucket, what in (("first", "import, first upload"), ("again", "import, same upload again")):
                    took = statistics.median(times[bucket])
                    print(f"  {label:10s} {what:28s} {took:6.2f} s  ({1000 * took / args.files:.1f} ms a file)")
        finally:
            if admin is not None and scratch is not None:
                with admin.connect() as connection:
                    connection.execute(text(f'DROP DATABASE IF EXISTS "{scratch[1]}" WITH (FORCE)'))
                admin.dispose()


if __name__ == "__main__":
    main()

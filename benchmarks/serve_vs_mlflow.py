"""Our API against `mlflow models serve` on the same registered model: requests/s and latency under the same load.

The same closed-loop load generator (wrk when installed, else a Python client; 8 connections by default) drives:
our POST /v1/risk answering from a 90-day log (features, four risks with drivers, 48 candidate weeks of load guidance,
recommendations); our GET /v1/athletes/{id}/risk for an athlete with a year of stored activities on PostgreSQL (one
query for the log, the same answer, the assessment stored); and `mlflow models serve --env-manager local` answering
/invocations for that log's one precomputed feature row (the model alone). Both servers run the same number of
worker processes (settings.workers, default the number of cores). Also timed: the first POST /v1/risk after /readyz
of a fresh start answers 200. Run after `make serve` has registered a model, with PostgreSQL reachable:
  .venv/bin/python benchmarks/serve_vs_mlflow.py --seconds 15 --connections 8
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import secrets
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
from sqlalchemy import create_engine, make_url, text

from service.assessment.request_log import request_log
from service.schemas.risk import RiskRequest
from training.athlete_features import athlete_features
from training.domain.athlete_log import day_number
from training.domain.catalogue import default_catalogue
from training.features import FEATURES
from training.model.registry import has_model
from training.settings import get_settings

ROOT = Path(__file__).resolve().parents[1]
MLFLOW = "mlflow models serve /invocations (1 feature row)"
STATELESS = "ours  POST /v1/risk (90-day log, full answer)"
STORED = "ours  GET /v1/athletes/{id}/risk (PostgreSQL, a year)"
AS_OF = dt.date(2026, 11, 1)


def training_log(as_of: dt.date, days: int) -> dict:
    """Four runs a week (a long run on Sundays) and a weekly strength session, for ``days`` days up to as_of."""
    runs = []
    for i in range(days):
        day = as_of - dt.timedelta(days=days - 1 - i)
        if day.weekday() in (1, 3, 5, 6):
            km = {1: 8.0, 3: 10.0, 5: 6.0, 6: 16.0 + (i % 3)}[day.weekday()]
            runs.append({"id": f"r{i}", "date": str(day), "km": km, "km_threshold": 2.0 if day.weekday() == 3 else 0.0})
    strength = [
        {
            "id": f"s{i}",
            "date": str(as_of - dt.timedelta(days=i)),
            "exercises": [
                {"exercise_id": "nordic_curl", "sets": 3, "reps": 6},
                {"exercise_id": "heavy_slow_calf_raise", "sets": 3, "reps": 15, "load_kg": 20},
            ],
        }
        for i in range(2, days, 7)
    ]
    return {
        "athlete": {"age": 38, "sex": "M", "years_running": 6, "body_mass_kg": 72, "height_cm": 178},
        "injuries": [],
        "runs": runs,
        "strength_sessions": strength,
        "as_of": str(as_of),
    }


def one_feature_row(body: dict) -> dict:
    """The feature row POST /v1/risk computes for ``body``, in the pyfunc's dataframe_split format."""
    request = RiskRequest.model_validate(body)
    day = day_number(AS_OF)
    columns = athlete_features(request_log(request), day, day, default_catalogue())
    values = [None if columns[name][0] != columns[name][0] else float(columns[name][0]) for name in FEATURES]
    return {"dataframe_split": {"columns": FEATURES, "data": [values]}}


@contextmanager
def postgres_database(admin_url: str) -> Iterator[str]:
    """A fresh database on the server of ``admin_url``, dropped afterwards."""
    base = make_url(admin_url)
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    name = f"injury_risk_bench_{secrets.token_hex(4)}"
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield base.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def wait_ready(url: str, process: subprocess.Popen, timeout: float = 300.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode} before {url} answered")
        try:
            if httpx.get(url, timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.05)
    raise RuntimeError(f"{url} not ready after {timeout:.0f} s")


_WRK_SCRIPT = """
wrk.method = "{method}"
{body}
wrk.headers["Content-Type"] = "application/json"
{auth}
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("RESULT %d %d %d %d %d\\n", summary.requests, summary.duration,
    e.connect + e.read + e.write + e.timeout + e.status, latency:percentile(50), latency:percentile(99)))
  io.write(string.format("ERRORS connect %d read %d write %d timeout %d status %d\\n", e.connect, e.read, e.write,
    e.timeout, e.status))
end
"""


def wrk(url: str, method: str, body: dict | None, headers: dict[str, str], seconds: float, connections: int) -> dict:
    """wrk's closed loop: each connection sends its next request when the answer to the previous one arrives."""
    script = _WRK_SCRIPT.format(
        method=method,
        body=f"wrk.body = [==[{json.dumps(body)}]==]" if body is not None else "",
        auth="\n".join(f'wrk.headers["{k}"] = "{v}"' for k, v in headers.items()),
    )
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as file:
        file.write(script)
    try:
        threads = max(1, min(2, connections))
        # A slow answer counts as slow, not as an error: wrk gives up after 2 s by default.
        command = ["wrk", "-t", str(threads), "-c", str(connections), "-d", f"{seconds:g}s", "--timeout", "30s"]
        command += ["-s", file.name, url]
        out = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    finally:
        os.unlink(file.name)
    requests, duration_us, failures, p50_us, p99_us = (int(v) for v in out.split("RESULT")[1].split()[:5])
    if failures:
        print(f"{url}: {out.split('ERRORS')[1].splitlines()[0].strip()}", file=sys.stderr)
    return {
        "requests": requests,
        "failures": failures,
        "rps": requests / (duration_us / 1e6),
        "p50_ms": p50_us / 1000,
        "p99_ms": p99_us / 1000,
    }


def python_client(
    url: str, method: str, body: dict | None, headers: dict[str, str], seconds: float, connections: int
) -> dict:
    """The same closed loop with one thread and connection per client, where wrk is not installed."""
    latencies: list[float] = []
    failures = 0
    lock = threading.Lock()
    stop = time.monotonic() + seconds

    def client() -> None:
        nonlocal failures
        mine: list[float] = []
        bad = 0
        with httpx.Client(timeout=30, headers=headers) as http:
            while time.monotonic() < stop:
                started = time.perf_counter()
                response = http.request(method, url, json=body)
                mine.append(time.perf_counter() - started)
                bad += response.status_code != 200
        with lock:
            latencies.extend(mine)
            failures += bad

    threads = [threading.Thread(target=client) for _ in range(connections)]
    began = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - began
    latencies.sort()
    return {
        "requests": len(latencies),
        "failures": failures,
        "rps": len(latencies) / elapsed,
        "p50_ms": 1000 * statistics.median(latencies),
        "p99_ms": 1000 * latencies[min(len(latencies) - 1, int(0.99 * len(latencies)))],
    }


def seed_stored_athlete(base: str, auth: dict[str, str]) -> str:
    """An athlete with a year of runs and strength sessions and a past injury, stored through the API."""
    year = training_log(AS_OF, 365)
    with httpx.Client(base_url=base, headers=auth, timeout=60) as http:
        created = http.post("/v1/athletes", json={"external_id": "bench-1", "profile": year["athlete"]})
        created.raise_for_status()
        athlete_id = created.json()["id"]
        rows = [{**r, "kind": "run"} for r in year["runs"]] + [
            {**s, "kind": "strength"} for s in year["strength_sessions"]
        ]
        http.post(f"/v1/athletes/{athlete_id}/activities:bulk", json={"activities": rows}).raise_for_status()
    return athlete_id


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=15.0)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--workers", type=int, default=None, help="Our server processes (default: settings.workers).")
    parser.add_argument("--peer-workers", type=int, default=None, help="mlflow's processes (default: as ours).")
    parser.add_argument("--port", type=int, default=8101)
    parser.add_argument("--peer-port", type=int, default=8102)
    parser.add_argument(
        "--postgres",
        default=os.environ.get("INJURY_RISK_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"),
    )
    parser.add_argument("--client", choices=["wrk", "python"], default="wrk" if shutil.which("wrk") else "python")
    args = parser.parse_args()

    settings = get_settings()
    if not has_model(settings):
        sys.exit("no registered model: run `make serve` (or injury-risk ensure-model) first")
    workers = args.workers or settings.workers
    peer_workers = args.peer_workers or workers
    load = wrk if args.client == "wrk" else python_client
    bin_dir = Path(sys.executable).parent
    cli = [sys.executable, "-m", "service.cli"]
    with postgres_database(args.postgres) as database_url:
        env = {
            **os.environ,
            "PATH": f"{bin_dir}:{os.environ['PATH']}",
            "MLFLOW_TRACKING_URI": settings.resolved_tracking_uri(),
            "INJURY_RISK_DATABASE_URL": database_url,
            "INJURY_RISK_WORKERS": str(workers),
        }
        # `keys create` migrates the fresh database too; the key lookup is part of every request's cost.
        key = subprocess.run(
            [*cli, "keys", "create", "--tenant", "benchmark", "--role", "platform"],
            env=env,
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        auth = {"Authorization": f"Bearer {key}"}
        body = training_log(AS_OF, 90)
        row = one_feature_row(body)
        base = f"http://127.0.0.1:{args.port}"
        # Our server's log (one line per request), to see what any failure was.
        server_log = open(Path(tempfile.gettempdir()) / "injury-risk-benchmark-server.log", "w")  # noqa: SIM115
        ours = subprocess.Popen(
            [*cli, "serve", "--port", str(args.port), "--no-migrate"],
            env=env,
            cwd=ROOT,
            stdout=server_log,
            stderr=subprocess.STDOUT,
        )
        peer = None
        try:
            started = time.perf_counter()
            wait_ready(f"{base}/readyz", ours)
            ready_after = time.perf_counter() - started
            with httpx.Client(headers=auth, timeout=30) as http:
                began = time.perf_counter()
                first = http.post(f"{base}/v1/risk", json=body)
                first_ms = 1000 * (time.perf_counter() - began)
            first.raise_for_status()
            athlete_id = seed_stored_athlete(base, auth)
            peer = subprocess.Popen(
                [
                    str(bin_dir / "mlflow"),
                    "models",
                    "serve",
                    "-m",
                    f"models:/{settings.model_name}@{settings.model_alias}",
                    "--env-manager",
                    "local",
                    "--host",
                    "127.0.0.1",
                    "-p",
                    str(args.peer_port),
                    "-w",
                    str(peer_workers),
                ],
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            wait_ready(f"http://127.0.0.1:{args.peer_port}/ping", peer)
            # mlflow first: the stored answer writes an assessment per request, and PostgreSQL's work after those
            # writes (vacuum, checkpoints) runs on the same cores; it must not slow the peer's figure.
            targets = {
                MLFLOW: (f"http://127.0.0.1:{args.peer_port}/invocations", "POST", row, {}),
                STATELESS: (f"{base}/v1/risk", "POST", body, auth),
                STORED: (f"{base}/v1/athletes/{athlete_id}/risk?as_of={AS_OF}", "GET", None, auth),
            }
            # Warm every target so no one pays for first-request imports inside the measurement.
            for url, method, payload, headers in targets.values():
                load(url, method, payload, headers, 2, 1)
            results = {
                name: load(url, method, payload, headers, args.seconds, args.connections)
                for name, (url, method, payload, headers) in targets.items()
            }
        finally:
            for process in (ours, peer):
                if process is not None:
                    process.terminate()
                    process.wait(timeout=60)
            server_log.close()
    print(
        f"{args.connections} connections, {args.seconds:g} s each, {args.client} closed loop, {workers} processes "
        f"ours, {peer_workers} mlflow's, {os.cpu_count()} cores"
    )
    print(f"our server's log: {server_log.name}")
    print(f"{'answer':58} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'failed':>7}")
    for name, r in results.items():
        print(f"{name:58} {r['rps']:8.1f} {r['p50_ms']:8.1f} {r['p99_ms']:8.1f} {r['failures']:7d}")
    stateless, stored, mlflow = (results[name]["rps"] for name in (STATELESS, STORED, MLFLOW))
    print(
        f"requests/s ratio ours/mlflow: stateless {stateless / mlflow:.2f}, stored on PostgreSQL {stored / mlflow:.2f}"
    )
    print(
        f"fresh start: /readyz answered 200 after {ready_after:.1f} s; "
        f"the first POST /v1/risk then took {first_ms:.1f} ms"
    )


if __name__ == "__main__":
    main()

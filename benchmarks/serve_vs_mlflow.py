"""Our API against `mlflow models serve` on the same registered model: requests/s and latency, same client.

Our side answers POST /v1/risk from a 90-day training log (validation, features, four risks, recommendations); the
peer answers /invocations for one precomputed feature row (the model alone). Run after `make serve` has registered a
model:  .venv/bin/python benchmarks/serve_vs_mlflow.py --seconds 20 --clients 4
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pandas as pd

from service.assessment.risk_assessment import request_cohort
from service.schemas.risk import RiskRequest
from training.features import FEATURES, compute_features
from training.model.registry import has_model
from training.settings import get_settings


def ninety_day_log(as_of: dt.date) -> dict:
    runs = []
    for i in range(90):
        day = as_of - dt.timedelta(days=89 - i)
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
        for i in range(2, 90, 7)
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
    day = pd.Timestamp(request.as_of)
    spans = pd.DataFrame({"athlete_id": ["request"], "start": [day], "end": [day]})
    row = compute_features(request_cohort(request), spans)[FEATURES].iloc[0]
    values = [None if pd.isna(v) else float(v) for v in row]
    return {"dataframe_split": {"columns": FEATURES, "data": [values]}}


def wait_ready(url: str, process: subprocess.Popen, timeout: float = 120.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode} before {url} answered")
        try:
            if httpx.get(url, timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.5)
    raise RuntimeError(f"{url} not ready after {timeout:.0f} s")


def load(url: str, body: dict, seconds: float, clients: int, headers: dict[str, str] | None = None) -> dict[str, float]:
    """Closed-loop load: each client sends the next request when the previous answer arrives."""
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
                response = http.post(url, json=body)
                mine.append(time.perf_counter() - started)
                bad += response.status_code != 200
        with lock:
            latencies.extend(mine)
            failures += bad

    threads = [threading.Thread(target=client) for _ in range(clients)]
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--port", type=int, default=8101)
    parser.add_argument("--peer-port", type=int, default=8102)
    args = parser.parse_args()

    settings = get_settings()
    if not has_model(settings):
        sys.exit("no registered model: run `make serve` (or injury-risk ensure-model) first")
    bin_dir = Path(sys.executable).parent
    env = {
        **os.environ,
        "PATH": f"{bin_dir}:{os.environ['PATH']}",
        "MLFLOW_TRACKING_URI": settings.resolved_tracking_uri(),
    }
    # Our API asks for a key (the lookup is part of each request's cost, so it is measured too).
    key = subprocess.run(
        [str(bin_dir / "injury-risk"), "keys", "create", "--tenant", "benchmark", "--role", "platform"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    auth = {"Authorization": f"Bearer {key}"}
    ours = subprocess.Popen(
        [str(bin_dir / "injury-risk"), "serve", "--port", str(args.port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
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
            "1",
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_ready(f"http://127.0.0.1:{args.port}/readyz", ours)
        wait_ready(f"http://127.0.0.1:{args.peer_port}/ping", peer)
        body = ninety_day_log(dt.date(2026, 11, 1))
        row = one_feature_row(body)
        # Warm both up so neither pays for first-request imports inside the measurement.
        load(f"http://127.0.0.1:{args.port}/v1/risk", body, 2, 1, auth)
        load(f"http://127.0.0.1:{args.peer_port}/invocations", row, 2, 1)
        results = {
            "injury-risk POST /v1/risk (90-day log)": load(
                f"http://127.0.0.1:{args.port}/v1/risk", body, args.seconds, args.clients, auth
            ),
            "mlflow models serve /invocations (1 feature row)": load(
                f"http://127.0.0.1:{args.peer_port}/invocations", row, args.seconds, args.clients
            ),
        }
    finally:
        for process in (ours, peer):
            process.terminate()
            process.wait(timeout=30)
    print(f"{args.clients} clients, {args.seconds:g} s each, one uvicorn worker vs one mlflow worker")
    print(f"{'server':52} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'failed':>7}")
    for name, r in results.items():
        print(f"{name:52} {r['rps']:8.1f} {r['p50_ms']:8.1f} {r['p99_ms']:8.1f} {r['failures']:7d}")
    ours_rps, peer_rps = (r["rps"] for r in results.values())
    print(f"throughput ratio (ours / mlflow): {ours_rps / peer_rps:.2f}")


if __name__ == "__main__":
    main()

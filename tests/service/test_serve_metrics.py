"""`injury-risk serve` with two workers: a scrape, whichever worker answers it, sums the requests of both."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.parser import text_string_to_metric_families

from service.db.migrate import upgrade
from tests.conftest import Trained
from tests.tcp_proxy import free_port

REPO = Path(__file__).resolve().parents[2]
ROUND = 16


def refused_count(text: str) -> float:
    """GET /v1/athletes answered 401, as a scrape (or one worker's file) counts it."""
    wanted = {"method": "GET", "route": "/v1/athletes", "status": "401"}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            if sample.name == "injury_risk_http_requests_total" and sample.labels == wanted:
                return sample.value
    return 0.0


def shares(folder: Path, scratch: Path) -> dict[str, float]:
    """Each worker's own count, read from its file alone (a copy in a folder of its own)."""
    counts = {}
    for file in folder.glob("counter_*.db"):
        alone = scratch / file.stem
        alone.mkdir(exist_ok=True)
        shutil.copy(file, alone / file.name)
        registry = CollectorRegistry()
        MultiProcessCollector(registry, path=str(alone))
        counts[file.stem.rsplit("_", 1)[-1]] = refused_count(generate_latest(registry).decode())
    return counts


def refused_concurrently(base: str, count: int) -> None:
    """``count`` requests from 8 threads, each on a connection of its own, so that both workers get some."""

    def one(_: int) -> int:
        return httpx.get(f"{base}/v1/athletes", timeout=10).status_code

    with ThreadPoolExecutor(8) as pool:
        assert set(pool.map(one, range(count))) == {401}


def served_models(base: str) -> dict[str, float]:
    text = httpx.get(f"{base}/metrics", timeout=5).text
    return {
        sample.labels["version"]: sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
        if sample.name == "injury_risk_model_served"
    }


@pytest.mark.slow
def test_a_scrape_sums_every_worker_and_the_metrics_folder_goes_with_the_server(trained: Trained, tmp_path: Path):
    database = f"sqlite:///{tmp_path / 'service.db'}"
    upgrade(database)
    port = free_port(8500, 8599)
    base = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        "INJURY_RISK_DATA_DIR": str(trained.settings.data_dir),
        "INJURY_RISK_MLRUNS_DIR": str(trained.settings.mlruns_dir),
        "INJURY_RISK_DATABASE_URL": database,
        # The server makes its metrics folder in the temporary directory: here, where the test can look.
        "TMPDIR": str(tmp_path),
    }
    env.pop("PROMETHEUS_MULTIPROC_DIR", None)
    command = [sys.executable, "-m", "service.cli", "serve", "--workers", "2", "--port", str(port), "--no-migrate"]
    process = subprocess.Popen(command, cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 180
        while True:
            try:
                if httpx.get(f"{base}/readyz", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline and process.poll() is None, "the server did not get ready"
            time.sleep(0.3)
        folders = list(tmp_path.glob("injury-risk-metrics-*"))
        assert len(folders) == 1
        # /readyz may come from the first worker ready; each worker sets the model gauge once its model is loaded.
        while len(list(folders[0].glob("gauge_*.db"))) < 2:
            assert time.monotonic() < deadline and process.poll() is None, "the second worker did not get ready"
            time.sleep(0.3)
        time.sleep(1)  # the database connection each opens after its model

        sent = 0
        while sent < 50 * ROUND and sum(1 for n in shares(folders[0], tmp_path).values() if n) < 2:
            refused_concurrently(base, ROUND)
            sent += ROUND
        per_worker = shares(folders[0], tmp_path)
        assert sorted(n > 0 for n in per_worker.values()) == [True, True], (
            f"one worker took every request: {per_worker}"
        )
        assert sum(per_worker.values()) == sent
        # Every scrape, whichever worker answers it, counts the requests of both.
        scrapes = [refused_count(httpx.get(f"{base}/metrics", timeout=5).text) for _ in range(6)]
        assert scrapes == [sent] * 6
        # Both workers serve the same version, and the scrape shows it once.
        version = httpx.get(f"{base}/readyz", timeout=5).json()["version"]
        assert served_models(base) == {version: 1.0}
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    assert not list(tmp_path.glob("injury-risk-metrics-*")), "the metrics folder outlived the server"

"""`injury-risk serve` with two workers: a scrape, whichever worker answers it, sums the requests of both."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from service.db.migrate import upgrade
from tests.conftest import Trained
from tests.tcp_proxy import free_port

REPO = Path(__file__).resolve().parents[2]
REQUESTS = 40


def refused_count(base: str) -> float:
    """GET /v1/athletes answered 401, as the scrape (one worker's answer) counts it."""
    text = httpx.get(f"{base}/metrics", timeout=5).text
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            wanted = {"method": "GET", "route": "/v1/athletes", "status": "401"}
            if sample.name == "injury_risk_http_requests_total" and sample.labels == wanted:
                return sample.value
    return 0.0


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
        deadline = time.monotonic() + 120
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

        # Each request on a connection of its own, so that the kernel hands them to both workers.
        for _ in range(REQUESTS):
            assert httpx.get(f"{base}/v1/athletes", timeout=5).status_code == 401
        writers = {p.stem.rsplit("_", 1)[-1] for p in folders[0].glob("counter_*.db")}
        assert len(writers) == 2, f"one worker took every request: {writers}"
        # Every scrape, whichever worker answers it, counts the requests of both.
        assert [refused_count(base) for _ in range(6)] == [REQUESTS] * 6
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    assert not list(tmp_path.glob("injury-risk-metrics-*")), "the metrics folder outlived the server"

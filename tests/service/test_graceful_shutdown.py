"""SIGTERM to `injury-risk serve`: no new connections, the request in flight finishes or is dropped whole, exit."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
from sqlalchemy import create_engine, func, select

from service.db.migrate import upgrade
from service.db.models import Activity
from service.security import Role
from tests.conftest import Trained, key_headers
from tests.tcp_proxy import free_port
from training.settings import Settings

GRACE_S = 3.0
REPO = Path(__file__).resolve().parents[2]


@contextmanager
def served(settings: Settings, port: int) -> Iterator[subprocess.Popen[bytes]]:
    env = {
        **os.environ,
        "INJURY_RISK_DATA_DIR": str(settings.data_dir),
        "INJURY_RISK_MLRUNS_DIR": str(settings.mlruns_dir),
        "INJURY_RISK_DATABASE_URL": settings.resolved_database_url(),
        "INJURY_RISK_SERVER_GRACEFUL_SHUTDOWN_S": str(GRACE_S),
        "INJURY_RISK_REQUEST_BODY_TIMEOUT_S": "60",
        # One process, which owns the listening socket: with several workers uvicorn's supervisor keeps the socket
        # (so the kernel still completes connections) until every worker has finished its grace period.
        "INJURY_RISK_WORKERS": "1",
    }
    command = [sys.executable, "-m", "service.cli", "serve", "--host", "127.0.0.1", "--port", str(port), "--no-migrate"]
    process = subprocess.Popen(command, cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.2)
        else:
            raise RuntimeError("the server did not start")
        yield process
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


def begin_bulk(port: int, headers: dict[str, str], athlete_id: str, body: bytes) -> socket.socket:
    """A bulk request in flight: headers and all of the body but its last byte sent."""
    sock = socket.create_connection(("127.0.0.1", port))
    head = (
        f"POST /v1/athletes/{athlete_id}/activities:bulk HTTP/1.1\r\nHost: x\r\n"
        f"Authorization: {headers['Authorization']}\r\nContent-Type: application/json\r\n"
        f"Content-Length: {len(body)}\r\n\r\n"
    )
    sock.sendall(head.encode() + body[:-1])
    return sock


def refuses_connections(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
    except OSError:
        return True
    return False


def stored_activities(url: str) -> int:
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            return connection.scalar(select(func.count()).select_from(Activity)) or 0
    finally:
        engine.dispose()


@pytest.mark.slow
def test_sigterm_finishes_the_request_in_flight_whole_or_drops_it_whole_and_exits(trained: Trained, tmp_path):
    url = f"sqlite:///{tmp_path / 'service.db'}"
    upgrade(url)
    settings = trained.settings.model_copy(update={"database_url": url})
    headers = key_headers(settings, Role.platform)
    body = json.dumps(
        {
            "activities": [
                {"id": f"r{i}", "kind": "run", "date": f"2026-{1 + i % 9:02d}-10", "km": 5} for i in range(2000)
            ]
        }
    ).encode()
    port = free_port(8500, 8599)

    # Finished within the grace period: stored whole, answered, then the process exits.
    with served(settings, port) as process:
        athlete = {"external_id": "a1", "profile": {"age": 30, "sex": "F", "years_running": 3}}
        athlete_id = httpx.post(f"http://127.0.0.1:{port}/v1/athletes", json=athlete, headers=headers).json()["id"]
        sock = begin_bulk(port, headers, athlete_id, body)
        time.sleep(0.3)
        signalled = time.monotonic()
        process.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + 2
        while not refuses_connections(port) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert refuses_connections(port), "still accepting connections after SIGTERM"
        sock.sendall(body[-1:])
        answer = b""
        while chunk := sock.recv(65536):  # the server closes the connection once it has answered
            answer += chunk
        sock.close()
        assert answer.startswith(b"HTTP/1.1 200"), answer[:300]
        assert b'"created":2000' in answer
        # uvicorn re-raises the signal once shut down, so the exit reads as SIGTERM's to a supervisor.
        assert process.wait(timeout=GRACE_S + 5) in (0, -signal.SIGTERM)
        assert time.monotonic() - signalled < GRACE_S + 2
    assert stored_activities(url) == 2000

    # Not finished within the grace period: cut off, nothing of it stored, the process exits all the same.
    with served(settings, port) as process:
        sock = begin_bulk(port, headers, athlete_id, body.replace(b'"r', b'"second-r'))
        time.sleep(0.3)
        signalled = time.monotonic()
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=GRACE_S + 5)
        assert time.monotonic() - signalled < GRACE_S + 2
        sock.close()
    assert stored_activities(url) == 2000

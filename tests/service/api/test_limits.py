"""Limits a client meets: body size (413), rate per key (429), slow bodies (408), idle and oversized connections."""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from service.api.routes.risk import EXAMPLE
from service.app import create_app
from service.db.migrate import upgrade
from service.security import Role
from tests.conftest import Trained, key_headers
from tests.live_server import serving
from training.settings import Settings


@pytest.fixture(scope="module")
def limited(trained: Trained, tmp_path_factory: pytest.TempPathFactory) -> Settings:
    url = f"sqlite:///{tmp_path_factory.mktemp('limits') / 'service.db'}"
    upgrade(url)
    return trained.settings.model_copy(
        update={
            "database_url": url,
            "max_request_bytes": 4096,
            "import_max_request_mb": 0.01,  # 10,485 bytes
            "rate_limit_per_minute": 3,
            "request_body_timeout_s": 1.5,  # short for the slow-body test, long enough for a loaded test client
            "server_keep_alive_s": 1,
            "server_max_header_bytes": 2048,
        }
    )


@pytest.fixture(scope="module")
def limited_client(limited: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(limited)) as client:
        yield client


def big_log() -> dict:
    runs = [{"id": f"r{i}", "date": f"2026-10-{1 + i % 28:02d}", "km": 5} for i in range(200)]
    return {**EXAMPLE, "runs": runs}


def test_body_over_the_limit_is_413_naming_the_setting(limited_client: TestClient, limited: Settings):
    response = limited_client.post("/v1/risk", json=big_log(), headers=key_headers(limited, Role.platform))
    assert response.status_code == 413
    assert "max_request_bytes" in response.json()["detail"]


def test_activity_uploads_have_their_own_body_limit(limited_client: TestClient, limited: Settings):
    headers = key_headers(limited, Role.platform)
    athlete = limited_client.post(
        "/v1/athletes",
        json={"external_id": "uploads", "profile": {"age": 30, "sex": "F", "years_running": 3}},
        headers=headers,
    )
    assert athlete.status_code == 201, athlete.text
    url = f"/v1/athletes/{athlete.json()['id']}/activities:import"
    # Over max_request_bytes (4,096) but within import_max_request_mb: the upload is read and judged as a file.
    csv = b"date,km\n" + b"".join(b"2026-10-%02d,5\n" % (1 + i % 28) for i in range(500))
    within = limited_client.post(url, files={"files": ("log.csv", csv, "text/csv")}, headers=headers)
    assert within.status_code != 413, within.text
    over = limited_client.post(url, files={"files": ("log.csv", csv * 3, "text/csv")}, headers=headers)
    assert over.status_code == 413
    assert "import_max_request_mb" in over.json()["detail"]


def test_chunked_body_over_the_limit_is_413_while_it_arrives(limited_client: TestClient, limited: Settings):
    payload = b" " * 3000 + b"{}" + b" " * 3000

    def chunks() -> Iterator[bytes]:
        # No Content-Length: the body is counted as it arrives.
        yield from (payload[i : i + 1000] for i in range(0, len(payload), 1000))

    headers = {**key_headers(limited, Role.platform), "content-type": "application/json"}
    response = limited_client.post("/v1/risk", content=chunks(), headers=headers)
    assert response.status_code == 413, response.text


def test_a_key_over_its_rate_gets_429_with_retry_after_and_other_keys_do_not(
    limited_client: TestClient, limited: Settings
):
    busy, other = key_headers(limited, Role.clinician), key_headers(limited, Role.clinician)
    answers = [limited_client.get("/v1/athletes", headers=busy).status_code for _ in range(4)]
    assert answers == [200, 200, 200, 429]
    refused = limited_client.get("/v1/athletes", headers=busy)
    assert refused.status_code == 429 and 1 <= int(refused.headers["Retry-After"]) <= 20
    assert "3 requests a minute" in refused.json()["detail"]
    assert limited_client.get("/v1/athletes", headers=other).status_code == 200


def raw_request(port: int, data: bytes, wait_s: float) -> tuple[bytes, float]:
    """Send ``data`` and read until the server closes; the answer and how long the server took to close."""
    with socket.create_connection(("127.0.0.1", port)) as sock:
        sock.settimeout(wait_s)
        sock.sendall(data)
        started = time.monotonic()
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
        return answer, time.monotonic() - started


def test_slow_body_is_408_and_idle_or_oversized_connections_are_closed(limited: Settings):
    with serving(create_app(limited)) as (_, port):
        key = key_headers(limited, Role.platform)["Authorization"]
        head = f"POST /v1/risk HTTP/1.1\r\nHost: x\r\nAuthorization: {key}\r\nContent-Type: application/json\r\n"
        # Promises 500 bytes, sends 10, then stalls.
        answer, took = raw_request(port, (head + "Content-Length: 500\r\n\r\n").encode() + b'{"athlete"', 5)
        assert answer.startswith(b"HTTP/1.1 408"), answer[:200]
        assert b"request_body_timeout_s" in answer and took < 3

        # A kept-alive connection left idle after its answer is closed after server_keep_alive_s.
        answer, took = raw_request(port, b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n", 5)
        assert answer.startswith(b"HTTP/1.1 200") and 0.8 < took < 3

        oversized = f"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Padding: {'a' * 4000}\r\n\r\n".encode()
        answer, _ = raw_request(port, oversized, 5)
        assert answer.startswith(b"HTTP/1.1 431"), answer[:200]

"""The request id on every answer, and the JSON log lines a request leaves: its fields, never the key."""

from __future__ import annotations

import io
import json
import logging
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from service.api.routes.risk import EXAMPLE
from service.json_logs import JsonFormatter
from tests.tenants import new_tenant

REPO = Path(__file__).resolve().parents[3]
GENERATED_ID = re.compile(r"^[0-9a-f]{32}$")


@pytest.fixture
def log_lines() -> Iterator[io.StringIO]:
    """What the server's JSON handler would write, from every logger, while the test runs."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    try:
        yield stream
    finally:
        root.removeHandler(handler)
        root.setLevel(level)


def lines_of(stream: io.StringIO) -> list[dict]:
    """The server's lines: the test client's own (logger httpx) name the URLs it requested."""
    lines = [json.loads(line) for line in stream.getvalue().splitlines()]
    return [line for line in lines if not line["logger"].startswith(("httpx", "httpcore"))]


def test_a_valid_request_id_is_echoed_on_success_and_on_a_4xx(service: TestClient):
    tenant = new_tenant(service)
    ok = service.get("/v1/athletes", headers={**tenant.clinician, "X-Request-ID": "checkout-42.a:b"})
    assert ok.status_code == 200 and ok.headers["X-Request-ID"] == "checkout-42.a:b"
    bad = service.post(
        "/v1/risk", json={**EXAMPLE, "as_of": "not a day"}, headers={**tenant.platform, "X-Request-ID": "r-1"}
    )
    assert bad.status_code == 422 and bad.headers["X-Request-ID"] == "r-1"
    refused = service.get("/v1/athletes", headers={"X-Request-ID": "r-2"})
    assert refused.status_code == 401 and refused.headers["X-Request-ID"] == "r-2"


def test_a_request_without_an_id_or_with_an_unusable_one_gets_a_new_one(service: TestClient):
    fresh = service.get("/v1/athletes/" + "a" * 32)
    assert fresh.status_code == 401 and GENERATED_ID.match(fresh.headers["X-Request-ID"])
    other = service.get("/healthz")
    assert (
        GENERATED_ID.match(other.headers["X-Request-ID"])
        and other.headers["X-Request-ID"] != fresh.headers["X-Request-ID"]
    )
    for unusable in ("has spaces in it", "x" * 129, 'quote"d'):
        answer = service.get("/healthz", headers={"X-Request-ID": unusable})
        assert GENERATED_ID.match(answer.headers["X-Request-ID"]), unusable


def test_answers_the_limits_give_before_routing_carry_the_id_and_their_route(
    service: TestClient, log_lines: io.StringIO
):
    too_big = "x" * (service.app.state.settings.max_request_bytes + 1)  # type: ignore[attr-defined]
    answer = service.post(
        "/v1/risk", content=too_big, headers={"X-Request-ID": "big-1", "content-type": "application/json"}
    )
    assert answer.status_code == 413 and answer.headers["X-Request-ID"] == "big-1"
    access = [line for line in lines_of(log_lines) if line["logger"] == "service.api.observe"]
    assert access[-1]["request_id"] == "big-1" and access[-1]["route"] == "/v1/risk" and access[-1]["status"] == 413


def test_each_request_logs_one_json_access_line_with_its_fields_and_tenant(service: TestClient, log_lines: io.StringIO):
    tenant = new_tenant(service)
    answer = service.get("/v1/athletes/" + "b" * 32, headers={**tenant.clinician, "X-Request-ID": "trace-7"})
    assert answer.status_code == 404
    lines = lines_of(log_lines)
    access = [line for line in lines if line.get("request_id") == "trace-7" and line["logger"] == "service.api.observe"]
    assert len(access) == 1
    line = access[0]
    assert set(line) == {
        "time",
        "level",
        "logger",
        "message",
        "request_id",
        "method",
        "route",
        "tenant",
        "status",
        "duration_ms",
    }
    assert line["level"] == "INFO" and line["method"] == "GET" and line["status"] == 404
    assert line["route"] == "/v1/athletes/{athlete_id}" and line["tenant"] == tenant.tenant_id
    assert line["duration_ms"] >= 0 and line["time"].endswith("+00:00")
    # The raw path (an athlete id) is not logged, only its template.
    assert "b" * 32 not in json.dumps(lines)


def test_no_log_line_holds_a_key_accepted_or_refused(service: TestClient, log_lines: io.StringIO):
    tenant = new_tenant(service)
    key = tenant.platform["Authorization"].removeprefix("Bearer ")
    unknown = "irk_" + "z" * 40
    assert service.get("/v1/athletes", headers=tenant.platform).status_code == 200
    assert service.get("/v1/athletes", headers={"X-API-Key": unknown}).status_code == 401
    service.delete(f"/v1/keys/{tenant.key_ids['platform']}", headers=tenant.admin)
    assert service.get("/v1/athletes", headers=tenant.platform).status_code == 401
    text = json.dumps(lines_of(log_lines))
    refused = [line for line in lines_of(log_lines) if line["message"].startswith("refused API key")]
    assert len(refused) == 2 and all(line["request_id"] for line in refused)
    assert key not in text and key[:12] not in text and unknown not in text


def test_the_servers_log_config_writes_one_json_object_a_line():
    program = (
        "import logging, logging.config\n"
        "from service.json_logs import log_config\n"
        "logging.config.dictConfig(log_config('json', 'INFO'))\n"
        "logging.getLogger('uvicorn.error').info('Started server process [%d]', 7)\n"
        "logging.getLogger('service.api.errors').debug('below the level')\n"
        "try:\n    1 / 0\n"
        "except ZeroDivisionError:\n    logging.getLogger('service.api.observe').exception('unhandled error')\n"
    )
    done = subprocess.run([sys.executable, "-c", program], cwd=REPO, capture_output=True, text=True, check=True)
    lines = [json.loads(line) for line in done.stderr.splitlines()]
    assert [(line["logger"], line["level"], line["message"]) for line in lines] == [
        ("uvicorn.error", "INFO", "Started server process [7]"),
        ("service.api.observe", "ERROR", "unhandled error"),
    ]
    assert "ZeroDivisionError" in lines[1]["exception"]

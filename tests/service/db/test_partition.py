"""A network partition between the API and PostgreSQL: fast 503s while it lasts, nothing acknowledged lost, recovery."""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass

import httpx
import pytest
from sqlalchemy import create_engine, make_url, select

from service.app import create_app
from service.db.migrate import upgrade
from service.db.models import Athlete
from service.security import Role
from tests.conftest import Trained, fresh_postgres_database, key_headers
from tests.live_server import serving
from tests.tcp_proxy import TcpProxy, free_port

# The promises under test (issue: partitions answer fast).
REQUEST_BOUND_S = 2.0
READYZ_BOUND_S = 1.0
RECOVERY_BOUND_S = 2.0
PARTITION_S = 4.0


@dataclass(frozen=True)
class Call:
    kind: str
    started: float
    ended: float
    status: int  # 0: no answer at all (the connection failed or closed)
    retry_after: str | None
    external_id: str | None = None
    error: str | None = None


def timed(calls: list[Call], kind: str, send: Callable[[], httpx.Response], external_id: str | None = None) -> None:
    started = time.monotonic()
    try:
        response = send()
    except httpx.TransportError as error:
        calls.append(Call(kind, started, time.monotonic(), 0, None, external_id, repr(error)))
        return
    retry_after = response.headers.get("Retry-After")
    calls.append(Call(kind, started, time.monotonic(), response.status_code, retry_after, external_id))


def run_clients(base: str, headers: dict[str, str], stop: threading.Event, calls: list[Call]) -> list[threading.Thread]:
    def writer() -> None:
        with httpx.Client(base_url=base, headers=headers, timeout=30) as client:
            while not stop.is_set():
                external_id = f"p-{uuid.uuid4().hex[:12]}"
                body = {"external_id": external_id, "profile": {"age": 35, "sex": "F", "years_running": 4}}
                timed(calls, "write", lambda body=body: client.post("/v1/athletes", json=body), external_id)

    def reader() -> None:
        with httpx.Client(base_url=base, headers=headers, timeout=30) as client:
            while not stop.is_set():
                timed(calls, "read", lambda: client.get("/v1/athletes", params={"limit": 5}))

    def readiness() -> None:
        with httpx.Client(base_url=base, timeout=30) as client:
            while not stop.is_set():
                timed(calls, "readyz", lambda: client.get("/readyz"))
                time.sleep(0.05)

    threads = [threading.Thread(target=work) for work in (writer, writer, writer, reader, reader, readiness)]
    for thread in threads:
        thread.start()
    return threads


@pytest.mark.postgres
@pytest.mark.slow
def test_partition_gives_fast_503s_loses_no_acknowledged_write_and_recovers(trained: Trained):
    with fresh_postgres_database() as direct_url:
        upgrade(direct_url)
        direct = make_url(direct_url)
        proxy = TcpProxy(free_port(), (direct.host or "127.0.0.1", direct.port or 5432))
        proxied = direct.set(port=proxy.listen_port).render_as_string(hide_password=False)
        headers = key_headers(trained.settings.model_copy(update={"database_url": direct_url}), Role.platform)
        settings = trained.settings.model_copy(update={"database_url": proxied})
        calls: list[Call] = []
        stop = threading.Event()
        proxy.start()
        try:
            with serving(create_app(settings)) as (base, _):
                threads = run_clients(base, headers, stop, calls)
                time.sleep(1.5)
                cut = time.monotonic()
                proxy.blackhole()
                time.sleep(PARTITION_S)
                healed = time.monotonic()
                proxy.resume()
                time.sleep(RECOVERY_BOUND_S + 1.5)
                stop.set()
                for thread in threads:
                    thread.join(30)
                assert not any(thread.is_alive() for thread in threads), "a client hung"
        finally:
            proxy.stop()

        unanswered = [(c.kind, round(c.started - cut, 3), c.error) for c in calls if c.status == 0]
        assert not unanswered, unanswered
        before = [c for c in calls if c.ended < cut]
        assert before and all(c.status in (200, 201) for c in before), "the service was not healthy before the cut"
        # Requests in flight at the cut and those sent during it: bounded from the later of their start and the cut.
        during = [c for c in calls if c.ended >= cut and c.started < healed]
        api = [c for c in during if c.kind != "readyz"]
        failed = [c for c in api if c.status not in (200, 201)]
        assert failed, "no request met the partition"
        assert all(c.status == 503 and c.retry_after and int(c.retry_after) > 0 for c in failed), {
            (c.kind, c.status) for c in failed
        }
        slowest = max(c.ended - max(c.started, cut) for c in api)
        assert slowest <= REQUEST_BOUND_S, f"a request took {slowest:.2f} s into the partition"
        readyz = [c for c in during if c.kind == "readyz" and c.started >= cut]
        assert readyz and all(c.status == 503 for c in readyz if c.ended < healed)
        slowest_ready = max(c.ended - c.started for c in readyz)
        assert slowest_ready <= READYZ_BOUND_S, f"/readyz took {slowest_ready:.2f} s"

        after = [c for c in calls if c.started >= healed + RECOVERY_BOUND_S]
        assert after and all(c.status in (200, 201) for c in after), {(c.kind, c.status) for c in after}

        acknowledged = {c.external_id for c in calls if c.kind == "write" and c.status == 201}
        engine = create_engine(direct_url)
        try:
            with engine.connect() as connection:
                stored = set(connection.scalars(select(Athlete.external_id)))
        finally:
            engine.dispose()
        assert acknowledged and acknowledged <= stored
        first_ok = min((c.ended for c in calls if c.started >= healed and c.status in (200, 201)), default=None)
        print(
            f"\npartition: {len(api)} API requests met it, {len(failed)} answered 503; slowest {slowest:.3f} s "
            f"after the cut; slowest /readyz {slowest_ready:.3f} s; first success {first_ok - healed:.3f} s after "
            f"the network returned; {len(acknowledged)} acknowledged writes all stored"
            if first_ok
            else ""
        )

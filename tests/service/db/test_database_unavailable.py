"""An unreachable or unmigrated database: 503 with Retry-After, /readyz says why, and service resumes by itself."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import make_url

from service.api.routes.risk import EXAMPLE
from service.app import create_app
from service.db.migrate import upgrade
from service.security import Role
from tests.conftest import Trained, fresh_postgres_database, key_headers
from tests.tcp_proxy import TcpProxy, free_port


def assert_unavailable(response, reason: str) -> None:
    assert response.status_code == 503, response.text
    assert int(response.headers["Retry-After"]) > 0
    assert reason in response.json()["detail"], response.json()


def test_postgresql_going_away_is_503_and_coming_back_recovers(trained: Trained):
    with fresh_postgres_database() as direct_url:
        upgrade(direct_url)
        direct = make_url(direct_url)
        port = free_port()
        proxied = direct.set(port=port).render_as_string(hide_password=False)
        headers = key_headers(trained.settings.model_copy(update={"database_url": direct_url}), Role.platform)
        proxy = TcpProxy(port, (direct.host or "127.0.0.1", direct.port or 5432))
        settings = trained.settings.model_copy(update={"database_url": proxied, "database_connect_timeout_s": 2})
        with TestClient(create_app(settings), headers=headers) as client:
            # Nothing listens on the port yet: a database that was never up.
            assert_unavailable(client.get("/v1/athletes"), "database unavailable")
            assert_unavailable(client.post("/v1/risk", json=EXAMPLE), "database unavailable")
            ready = client.get("/readyz")
            assert ready.status_code == 503 and "database unavailable" in ready.json()["reason"]
            assert client.get("/healthz").status_code == 200

            proxy.start()
            try:
                assert client.get("/v1/athletes").status_code == 200
                assert client.get("/readyz").json()["database"] == "ok"

                # The server goes away under open pooled connections, then comes back.
                proxy.stop()
                assert_unavailable(client.get("/v1/athletes"), "database unavailable")
                assert client.get("/readyz").status_code == 503
                proxy.start()
                assert client.get("/v1/athletes").status_code == 200
                assert client.post("/v1/risk", json=EXAMPLE).status_code == 200
                assert client.get("/readyz").status_code == 200
            finally:
                proxy.stop()


def test_unmigrated_postgresql_is_503_saying_to_migrate(trained: Trained):
    with fresh_postgres_database() as url:
        settings = trained.settings.model_copy(update={"database_url": url})
        with TestClient(create_app(settings)) as client:
            response = client.get("/v1/athletes", headers={"Authorization": "Bearer irk_anything"})
            assert_unavailable(response, "injury-risk db upgrade")
            assert "not migrated" in client.get("/readyz").json()["reason"]


def test_unmigrated_sqlite_is_503_saying_to_migrate_and_recovers_after_upgrade(trained: Trained, tmp_path):
    url = f"sqlite:///{tmp_path / 'fresh.db'}"
    settings = trained.settings.model_copy(update={"database_url": url})
    with TestClient(create_app(settings)) as client:
        response = client.get("/v1/athletes", headers={"Authorization": "Bearer irk_anything"})
        assert_unavailable(response, "injury-risk db upgrade")
        assert "not migrated" in client.get("/readyz").json()["reason"]
        upgrade(url)
        headers = key_headers(settings, Role.platform)
        assert client.get("/v1/athletes", headers=headers).status_code == 200
        assert client.get("/readyz").status_code == 200

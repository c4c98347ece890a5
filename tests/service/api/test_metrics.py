"""GET /metrics after real requests: each family moves by exactly what the requests did, on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families

from service.api.routes.risk import EXAMPLE
from service.app import create_app
from service.repositories.keys import create_key, tenant_named
from service.security import Role
from tests.conftest import Trained
from tests.tenants import add_athlete, new_tenant, store_log

Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]


def scrape(client: TestClient) -> Samples:
    response = client.get("/metrics")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/plain")
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(response.text)
        for sample in family.samples
    }


def moved(before: Samples, after: Samples, name: str, **labels: str) -> float:
    key = (name, frozenset(labels.items()))
    return after.get(key, 0.0) - before.get(key, 0.0)


def delta(client: TestClient, act: Callable[[], object]) -> Callable[..., float]:
    before = scrape(client)
    act()
    after = scrape(client)
    return lambda name, **labels: moved(before, after, name, **labels)


def test_requests_are_counted_by_route_template_and_status_with_their_latency(service: TestClient):
    tenant = new_tenant(service)

    def two_unknown_athletes() -> None:
        for athlete_id in ("a" * 32, "b" * 32):
            assert service.get(f"/v1/athletes/{athlete_id}", headers=tenant.clinician).status_code == 404

    change = delta(service, two_unknown_athletes)
    route = {"method": "GET", "route": "/v1/athletes/{athlete_id}"}
    assert change("injury_risk_http_requests_total", **route, status="404") == 2
    assert change("injury_risk_http_request_duration_seconds_count", **route) == 2
    assert change("injury_risk_http_request_duration_seconds_bucket", **route, le="+Inf") == 2


def test_paths_no_route_matches_share_one_label(service: TestClient):
    change = delta(service, lambda: [service.get(f"/wp-admin/{i}.php") for i in range(3)])
    assert change("injury_risk_http_requests_total", method="GET", route="unmatched", status="404") == 3


def test_risk_answers_are_counted_by_injury_and_band(service: TestClient):
    tenant = new_tenant(service)
    answers = []
    change = delta(service, lambda: answers.append(service.post("/v1/risk", json=EXAMPLE, headers=tenant.platform)))
    assert answers[0].status_code == 200, answers[0].text
    risks = answers[0].json()["risks"]
    assert len(risks) == 4
    for risk in risks:
        assert change("injury_risk_risk_answers_total", injury=risk["injury"], band=risk["band"]) == 1


def test_the_served_model_name_and_version_are_a_gauge(service: TestClient):
    samples = scrape(service)
    served = service.app.state.models.served  # type: ignore[attr-defined]  # app is typed as a bare ASGI app
    assert samples[("injury_risk_model_served", frozenset({"name": served.name, "version": served.version}.items()))]
    assert served.version == service.get("/readyz").json()["version"]


def test_refused_keys_are_counted_by_reason(service: TestClient):
    tenant = new_tenant(service)
    with service.app.state.db.session() as session:  # type: ignore[attr-defined]
        tenant_id = tenant_named(session, tenant.name).id
        past = dt.datetime.now(dt.UTC) - dt.timedelta(days=1)
        _, expired = create_key(session, tenant_id, Role.clinician, expires_at=past)
        session.commit()
    assert service.delete(f"/v1/keys/{tenant.key_ids['clinician']}", headers=tenant.admin).status_code == 200

    def refused_once_each() -> None:
        for headers in (
            {},
            {"Authorization": "Bearer irk_not-a-key-anyone-holds"},
            tenant.clinician,
            {"Authorization": f"Bearer {expired}"},
        ):
            assert service.get("/v1/athletes", headers=headers).status_code == 401

    change = delta(service, refused_once_each)
    for reason in ("missing", "unknown", "revoked", "expired"):
        assert change("injury_risk_auth_failures_total", reason=reason) == 1, reason


def test_metrics_need_no_key_and_every_refusal_reason_is_listed_from_the_start(trained: Trained, tmp_path: Path):
    settings = trained.settings.model_copy(update={"database_url": f"sqlite:///{tmp_path / 'empty.db'}"})
    with TestClient(create_app(settings)) as client:
        samples = scrape(client)
    for reason in ("missing", "unknown", "revoked", "expired"):
        assert samples[("injury_risk_auth_failures_total", frozenset({"reason": reason}.items()))] == 0


def test_database_errors_are_counted_when_requests_get_503(trained: Trained, tmp_path: Path):
    # Nothing listens on port 1: every connection is refused at once. The SQLite file exists but has no tables.
    unreachable = trained.settings.model_copy(
        update={"database_url": "postgresql+psycopg://postgres@127.0.0.1:1/test", "auth_enabled": False}
    )
    unmigrated = trained.settings.model_copy(
        update={"database_url": f"sqlite:///{tmp_path / 'unmigrated.db'}", "auth_enabled": False}
    )
    for settings, reason in ((unreachable, "unavailable"), (unmigrated, "not_migrated")):
        with TestClient(create_app(settings)) as client:

            def two_503s(client: TestClient = client) -> None:
                for _ in range(2):
                    response = client.get("/v1/athletes")
                    assert response.status_code == 503 and response.headers["Retry-After"], response.text

            change = delta(client, two_503s)
            assert change("injury_risk_database_errors_total", reason=reason) == 2
            route = {"method": "GET", "route": "/v1/athletes", "status": "503"}
            assert change("injury_risk_http_requests_total", **route) == 2


def test_metrics_can_be_turned_off(trained: Trained, tmp_path: Path):
    settings = trained.settings.model_copy(
        update={"database_url": f"sqlite:///{tmp_path / 'off.db'}", "metrics_enabled": False}
    )
    with TestClient(create_app(settings)) as client:
        assert client.get("/metrics").status_code == 404
        assert client.get("/healthz").status_code == 200
        assert client.app.state.metrics is None  # type: ignore[attr-defined]


def test_monitoring_figures_follow_stored_assessments_and_recorded_injuries(trained: Trained, database_url: str):
    settings = trained.settings.model_copy(
        update={"database_url": database_url, "monitoring_metrics_refresh_seconds": 0}
    )
    with TestClient(create_app(settings)) as client:
        tenant = new_tenant(client)
        athlete_id = add_athlete(client, tenant, **EXAMPLE["athlete"])
        store_log(client, tenant, athlete_id, EXAMPLE)
        version = client.get("/v1/model").json()["version"]
        mtss = {"injury": "mtss", "model_version": version}

        today = dt.date.today()
        days = (today - dt.timedelta(days=20), today - dt.timedelta(days=13))
        path = f"/v1/athletes/{athlete_id}/risk"

        def two_assessments_then_shin_splints() -> None:
            for day in days:
                response = client.get(path, params={"as_of": day.isoformat()}, headers=tenant.clinician)
                assert response.status_code == 200, response.text
            injury = {"kind": "mtss", "onset": (today - dt.timedelta(days=10)).isoformat()}
            response = client.put(f"/v1/athletes/{athlete_id}/injuries/shin", json=injury, headers=tenant.clinician)
            assert response.status_code == 201, response.text

        change = delta(client, two_assessments_then_shin_splints)
        samples = scrape(client)
    assert samples[("injury_risk_monitoring_up", frozenset())] == 1
    # Within the window (the last 90 days) both assessments are judged; only the second is 3 days before the onset.
    assert change("injury_risk_monitoring_assessments", state="judged") == 2
    assert change("injury_risk_monitoring_onsets", **mtss) == 1
    assert change("injury_risk_monitoring_onsets", injury="pfps", model_version=version) == 0
    assert change("injury_risk_monitoring_expected_onsets", **mtss) > 0


def test_monitoring_figures_say_when_the_database_cannot_be_read(trained: Trained):
    unreachable = trained.settings.model_copy(update={"database_url": "postgresql+psycopg://postgres@127.0.0.1:1/test"})
    with TestClient(create_app(unreachable)) as client:
        samples = scrape(client)
    assert samples[("injury_risk_monitoring_up", frozenset())] == 0
    assert not any(name.startswith("injury_risk_monitoring_onsets") for name, _ in samples)

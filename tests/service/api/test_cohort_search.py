"""GET /v1/cohort/risk?search= on SQLite and PostgreSQL: external ids containing the text, in any case, paged."""

from __future__ import annotations

from fastapi.testclient import TestClient

from service.api.routes.risk import EXAMPLE
from tests.tenants import TenantKeys, add_athlete, new_tenant, store_log


def assessed(service: TestClient, tenant: TenantKeys, external_ids: list[str]) -> None:
    for external_id in external_ids:
        athlete_id = add_athlete(service, tenant, external_id)
        store_log(service, tenant, athlete_id, EXAMPLE)
        answer = service.get(
            f"/v1/athletes/{athlete_id}/risk", params={"as_of": EXAMPLE["as_of"]}, headers=tenant.platform
        )
        assert answer.status_code == 200, answer.text


def test_search_finds_external_ids_containing_the_text_in_any_case(service: TestClient):
    tenant = new_tenant(service)
    assessed(service, tenant, ["Runner-01", "runner-02", "walker-03"])
    page = service.get("/v1/cohort/risk", params={"search": "RUNNER"}, headers=tenant.clinician).json()
    assert sorted(e["external_id"] for e in page["data"]) == ["Runner-01", "runner-02"] and page["count"] == 2


def test_search_treats_percent_and_underscore_as_characters(service: TestClient):
    tenant = new_tenant(service)
    assessed(service, tenant, ["a_b", "axb"])
    page = service.get("/v1/cohort/risk", params={"search": "a_b"}, headers=tenant.clinician).json()
    assert [e["external_id"] for e in page["data"]] == ["a_b"]


def test_search_pages_with_its_own_cursor_only(service: TestClient):
    tenant = new_tenant(service)
    assessed(service, tenant, ["run-1", "run-2", "other"])
    params = {"search": "run", "limit": 1}
    first = service.get("/v1/cohort/risk", params=params, headers=tenant.clinician).json()
    params["cursor"] = first["next_cursor"]
    second = service.get("/v1/cohort/risk", params=params, headers=tenant.clinician).json()
    assert {first["data"][0]["external_id"], second["data"][0]["external_id"]} == {"run-1", "run-2"}
    unfiltered = service.get(
        "/v1/cohort/risk", params={"limit": 1, "cursor": first["next_cursor"]}, headers=tenant.clinician
    )
    assert unfiltered.status_code == 422


def test_empty_search_is_422_naming_search(service: TestClient):
    tenant = new_tenant(service)
    response = service.get("/v1/cohort/risk", params={"search": ""}, headers=tenant.clinician)
    assert response.status_code == 422 and response.json()["detail"][0]["loc"] == ["query", "search"]

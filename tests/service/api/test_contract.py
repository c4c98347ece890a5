"""The published OpenAPI contract, checked by schemathesis against the app in process with a key of each role."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import jsonschema_rs
import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from pydantic import BaseModel
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from service.app import create_app
from service.db.migrate import upgrade
from service.schemas.what_if import StoredPlanRequest, WhatIfRequest
from service.security import Role
from tests.conftest import Trained, key_headers

# Bounded so that every operation gets a handful of bodies and the test stays well under a minute.
EXAMPLES_PER_OPERATION = 8
CHECKS = [not_a_server_error, status_code_conformance, response_schema_conformance, content_type_conformance]


@dataclass(frozen=True)
class Contract:
    client: TestClient
    keys: dict[Role, dict[str, str]]
    athlete_id: str
    spare_key_id: int


@pytest.fixture(scope="module")
def contract(trained: Trained, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Contract]:
    url = f"sqlite:///{tmp_path_factory.mktemp('contract') / 'service.db'}"
    upgrade(url)
    settings_ = trained.settings.model_copy(update={"database_url": url})
    keys = {role: key_headers(settings_, role, tenant="contract") for role in Role}
    with TestClient(create_app(settings_)) as client:
        body = {"external_id": "contract-athlete", "profile": {"age": 30, "sex": "M", "years_running": 5}}
        athlete = client.post("/v1/athletes", json=body, headers=keys[Role.platform]).json()
        # A key the fuzzer may revoke without locking the test out.
        spare = client.post("/v1/keys", json={"role": "clinician"}, headers=keys[Role.admin]).json()
        yield Contract(client, keys, athlete["id"], spare["id"])


def call_as_every_role(case: Any, contract: Contract) -> None:
    parameters = case.path_parameters or {}
    # Most generated ids name nothing: point the athlete paths at a real athlete, except erasure, which would end it.
    if "athlete_id" in parameters and case.operation.definition.raw.get("operationId") != "erase_athlete":
        parameters["athlete_id"] = contract.athlete_id
    if "key_id" in parameters:
        parameters["key_id"] = contract.spare_key_id
    for role, headers in contract.keys.items():
        kwargs = case.as_transport_kwargs(headers=headers)
        response = contract.client.request(
            kwargs["method"],
            kwargs["url"].removeprefix("http://localhost"),
            headers=kwargs.get("headers"),
            params=kwargs.get("params"),
            json=kwargs.get("json"),
            content=kwargs.get("data"),
        )
        assert response.status_code < 500, (role, case.operation.label, response.status_code, response.text[:300])
        case.validate_response(response, checks=CHECKS)


def test_every_operation_answers_within_its_contract_for_every_role(contract: Contract) -> None:
    schema = schemathesis.openapi.from_dict(contract.client.app.openapi())  # type: ignore[attr-defined]
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 20
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=EXAMPLES_PER_OPERATION,
            deadline=None,
            derandomize=True,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def check(case: Any) -> None:
            call_as_every_role(case, contract)

        check()


def test_operation_ids_read_as_verbs_on_resources(contract: Contract) -> None:
    spec = contract.client.app.openapi()  # type: ignore[attr-defined]
    ids = {op["operationId"] for path in spec["paths"].values() for op in path.values()}
    assert {"score_risk", "create_athlete", "list_athletes", "store_activities_bulk", "score_what_if"} <= ids
    assert not [i for i in ids if "_v1_" in i or i.endswith(("_get", "_post", "_put", "_delete", "_patch"))]


@pytest.mark.parametrize("body_model", [StoredPlanRequest, WhatIfRequest])
def test_what_if_schemas_refuse_what_validation_refuses(body_model: type[BaseModel], contract: Contract) -> None:
    published = jsonschema_rs.validator_for(body_model.model_json_schema())
    log = {} if body_model is StoredPlanRequest else {"athlete": {"age": 30, "sex": "M", "years_running": 5}}
    empty_plan = {**log, "as_of": "2026-11-01"}
    unknown_exercise = {
        **empty_plan,
        "planned_strength_sessions": [
            {"id": "s1", "date": "2026-11-02", "exercises": [{"exercise_id": "no_such_exercise", "sets": 3}]}
        ],
    }
    path = f"/v1/athletes/{contract.athlete_id}/what-if" if body_model is StoredPlanRequest else "/v1/risk/what-if"
    for body in (empty_plan, unknown_exercise):
        assert not published.is_valid(body)
        response = contract.client.post(path, json=body, headers=contract.keys[Role.platform])
        assert response.status_code == 422, response.text
    good = {**empty_plan, "planned_runs": [{"id": "p1", "date": "2026-11-02", "km": 8}]}
    assert published.is_valid(good)

"""A Python client generated from the live service's OpenAPI document (openapi-python-client, pinned in the Makefile)
calls that service: risk from a log, an athlete created and read back, and a 4xx parsed into its error model."""

from __future__ import annotations

import datetime as dt
import importlib
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import httpx
import pytest

from service.api.routes.risk import EXAMPLE
from service.app import create_app
from service.security import Role
from tests.conftest import Trained, key_headers
from tests.live_server import serving
from tests.tenants import PROFILE

ROOT = Path(__file__).resolve().parent.parent
CODEGEN_BIN = ROOT / ".venv-codegen" / "bin"
PACKAGE = "injury_risk_client"


@pytest.fixture(scope="module")
def live(trained: Trained, database_url: str) -> Iterator[tuple[str, str]]:
    """The app behind a real server on a database of each kind; yields its base URL and a platform key."""
    settings = trained.settings.model_copy(update={"database_url": database_url})
    key = key_headers(settings, Role.platform, tenant="generated-client")["Authorization"].removeprefix("Bearer ")
    app = create_app(settings)
    with serving(app) as (base, _):
        deadline = dt.datetime.now() + dt.timedelta(seconds=60)
        while httpx.get(f"{base}/readyz", timeout=5).status_code != 200:
            assert dt.datetime.now() < deadline, "the server did not get ready"
        yield base, key


@pytest.fixture(scope="module")
def client_package(live: tuple[str, str], tmp_path_factory: pytest.TempPathFactory) -> Iterator[ModuleType]:
    """The client generated from the OpenAPI document the live server publishes, imported from a temporary folder."""
    generator = CODEGEN_BIN / "openapi-python-client"
    if not generator.exists():
        reason = f"no client generator at {generator}: run `make codegen`"
        if os.environ.get("CI") == "true":
            pytest.fail(reason)
        pytest.skip(reason)
    base, _ = live
    folder = tmp_path_factory.mktemp("generated")
    spec = folder / "openapi.json"
    spec.write_bytes(httpx.get(f"{base}/openapi.json", timeout=10).content)
    # The generator tidies its output with ruff, which its own virtualenv holds.
    env = {**os.environ, "PATH": f"{CODEGEN_BIN}{os.pathsep}{os.environ.get('PATH', '')}"}
    command = [str(generator), "generate", "--path", str(spec), "--output-path", str(folder / PACKAGE)]
    done = subprocess.run([*command, "--meta", "none"], env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Warning" not in done.stdout + done.stderr, done.stdout + done.stderr
    sys.path.insert(0, str(folder))
    try:
        yield importlib.import_module(PACKAGE)
    finally:
        sys.path.remove(str(folder))
        for name in [n for n in sys.modules if n == PACKAGE or n.startswith(f"{PACKAGE}.")]:
            del sys.modules[name]


def api(package: ModuleType, module: str) -> ModuleType:
    return importlib.import_module(f"{package.__name__}.{module}")


def authenticated(package: ModuleType, live: tuple[str, str]) -> Any:
    """The generated package's AuthenticatedClient (its class exists only once the client is generated)."""
    base, key = live
    return package.AuthenticatedClient(base_url=base, token=key, raise_on_unexpected_status=True)


def test_the_generated_client_scores_the_readme_example(client_package: ModuleType, live: tuple[str, str]):
    models = api(client_package, "models")
    score_risk = api(client_package, "api.risk.score_risk")
    response = score_risk.sync_detailed(
        client=authenticated(client_package, live), body=models.RiskRequest.from_dict(EXAMPLE)
    )
    assert response.status_code == 200, response.content
    answer = response.parsed
    assert isinstance(answer, models.RiskResponse)
    assert {risk.injury for risk in answer.risks} == {"pfps", "mtss", "hamstring", "achilles"}
    assert str(answer.as_of) == EXAMPLE["as_of"]
    assert all(0 < risk.probability < 1 for risk in answer.risks)


def test_the_generated_client_creates_an_athlete_and_reads_it_back(client_package: ModuleType, live: tuple[str, str]):
    models = api(client_package, "models")
    client = authenticated(client_package, live)
    external_id = f"generated-{dt.datetime.now().timestamp()}"
    body = models.AthleteCreate.from_dict({"external_id": external_id, "profile": PROFILE})
    created = api(client_package, "api.athletes.create_athlete").sync_detailed(client=client, body=body)
    assert created.status_code == 201, created.content
    assert isinstance(created.parsed, models.AthletePublic)
    read = api(client_package, "api.athletes.get_athlete").sync(athlete_id=created.parsed.id, client=client)
    assert isinstance(read, models.AthletePublic)
    assert read.external_id == external_id and read.profile.age == PROFILE["age"]


def test_the_generated_client_parses_a_4xx_into_its_error_model(client_package: ModuleType, live: tuple[str, str]):
    models = api(client_package, "models")
    client = authenticated(client_package, live)
    too_young = models.AthleteCreate.from_dict({"external_id": "too-young", "profile": {**PROFILE, "age": 5}})
    refused = api(client_package, "api.athletes.create_athlete").sync_detailed(client=client, body=too_young)
    assert refused.status_code == 422
    assert isinstance(refused.parsed, models.HTTPValidationError)
    error = refused.parsed.detail[0]
    assert error.loc == ["body", "profile", "age"] and "10" in error.msg
    missing = api(client_package, "api.athletes.get_athlete").sync_detailed(athlete_id="c" * 32, client=client)
    assert missing.status_code == 404
    assert isinstance(missing.parsed, models.ErrorPublic) and "no athlete" in missing.parsed.detail

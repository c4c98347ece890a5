"""`injury-risk monitoring`: the operator's view of every tenant's assessments against their outcomes."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from service.cli import app
from tests.conftest import Trained
from tests.tenants import assessed_tenant
from training.settings import Settings, get_settings


@pytest.fixture
def operator(trained: Trained, monkeypatch: pytest.MonkeyPatch) -> Iterator[Settings]:
    """The environment of an operator on the trained model's registry and the `client` fixture's database."""
    monkeypatch.setenv("INJURY_RISK_MLRUNS_DIR", str(trained.settings.mlruns_dir))
    monkeypatch.setenv("INJURY_RISK_DATA_DIR", str(trained.settings.data_dir))
    get_settings.cache_clear()
    yield get_settings()
    get_settings.cache_clear()


def test_monitoring_shows_one_tenant_or_every_tenant(client: TestClient, operator: Settings):
    tenant, answers = assessed_tenant(client)
    result = CliRunner().invoke(app, ["monitoring", "--tenant", tenant.name, "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["tenant"] == tenant.name and report["assessments"] == 2
    assert report["drift"]["training_model_version"] == answers[0]["model"]["version"]

    everyone = CliRunner().invoke(app, ["monitoring", "--json"])
    assert everyone.exit_code == 0, everyone.output
    assert json.loads(everyone.stdout)["assessments"] >= 2

    table = CliRunner().invoke(app, ["monitoring", "--tenant", tenant.name, "--to", "2026-10-20"])
    assert table.exit_code == 0, table.output
    assert table.stdout.startswith("1 assessments") and "\tmtss\t1\t0\t" in table.stdout


def test_monitoring_of_an_unknown_tenant_is_a_usage_error(operator: Settings):
    result = CliRunner().invoke(app, ["monitoring", "--tenant", "no-such-tenant"])
    assert result.exit_code == 2 and "no tenant" in result.output

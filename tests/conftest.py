"""Shared fixtures: a small simulated cohort and a model trained on it into a temporary MLflow store."""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, make_url, text
from sqlalchemy.exc import OperationalError

from service.app import create_app
from service.db.migrate import upgrade
from service.db.session import Database
from service.repositories.keys import create_key, tenant_named
from service.security import Role
from training.domain.schema import INJURIES
from training.fitting.train import TrainingConfig, TrainingResult, train_model
from training.settings import Settings
from training.simulation.simulate import Simulation, SimulationConfig, simulate

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

# Small enough to train in seconds; base hazards raised (hamstring, the rarest, most) so that every injury has onsets
# among the training, calibration and test athletes.
TEST_COHORT = SimulationConfig(athletes=500, days=240, seed=11)
HAZARD_BOOST = {"pfps": 4.0, "mtss": 4.0, "hamstring": 10.0, "achilles": 4.0}
# Complete logs only: the answers pinned in tests/fixtures/risk_answers.jsonl come from this model, so they show that
# scoring a complete log did not change when unknown days became missing. Short histories are trained in
# tests/training/fitting/test_log_starts.py.
TEST_TRAINING = TrainingConfig(
    seed=11, max_iter=60, min_samples_leaf=100, bootstrap_replicates=20, importance_rows=2000, log_start_share=0.0
)


def store_settings(root: Path) -> Settings:
    return Settings(mlruns_dir=root / "mlruns", data_dir=root / "data")


@dataclass(frozen=True)
class Trained:
    settings: Settings
    simulation: Simulation
    result: TrainingResult


@pytest.fixture(scope="session")
def simulation() -> Simulation:
    config = TEST_COHORT.with_base_hazards({k: HAZARD_BOOST[k] * TEST_COHORT.base_hazard(k) for k in INJURIES})
    return simulate(config)


@pytest.fixture(scope="session")
def trained(simulation: Simulation, tmp_path_factory: pytest.TempPathFactory) -> Trained:
    settings = store_settings(tmp_path_factory.mktemp("trained"))
    return Trained(settings, simulation, train_model(simulation, settings, TEST_TRAINING))


@pytest.fixture(scope="session")
def client(trained: Trained) -> Iterator[TestClient]:
    """The app on the trained model, with a migrated SQLite database and a platform key sent on every request."""
    upgrade(trained.settings.resolved_database_url())
    headers = key_headers(trained.settings, Role.platform)
    with TestClient(create_app(trained.settings), headers=headers) as test_client:
        yield test_client


# --- Databases: every database test runs on SQLite and on PostgreSQL -------------------------------------------------

# The CI server (.ci/run starts it); INJURY_RISK_TEST_POSTGRES_URL points elsewhere.
POSTGRES_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


def key_headers(settings: Settings, role: Role, tenant: str = "tests") -> dict[str, str]:
    """A fresh key of ``role`` for ``tenant`` in the settings' database, as request headers."""
    database = Database(settings)
    try:
        with database.session() as session:
            _, key = create_key(session, tenant_named(session, tenant).id, role)
            session.commit()
    finally:
        database.dispose()
    return {"Authorization": f"Bearer {key}"}


@contextmanager
def fresh_postgres_database() -> Iterator[str]:
    """A new, empty database on the test server, dropped afterwards; skips (fails under CI) when unreachable."""
    base = make_url(os.environ.get("INJURY_RISK_TEST_POSTGRES_URL", POSTGRES_URL))
    admin = create_engine(base, isolation_level="AUTOCOMMIT", connect_args={"connect_timeout": 3})
    try:
        with admin.connect() as connection:
            name = f"injury_risk_test_{os.getpid()}_{secrets.token_hex(4)}"
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    except OperationalError as error:
        admin.dispose()
        reason = f"PostgreSQL not reachable at {base.render_as_string(hide_password=True)}: {error.orig}"
        if os.environ.get("CI") == "true":
            pytest.fail(reason)
        pytest.skip(reason)
    try:
        yield base.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A database migrated to head, shared by the session; tests keep apart by using their own tenants."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('sqlite') / 'service.db'}"
        upgrade(url)
        yield url
        return
    with fresh_postgres_database() as url:
        upgrade(url)
        yield url


@pytest.fixture(scope="session")
def service(trained: Trained, database_url: str) -> Iterator[TestClient]:
    """The app on the trained model and a database of each kind; requests carry no key unless a test adds one."""
    settings = trained.settings.model_copy(update={"database_url": database_url})
    with TestClient(create_app(settings)) as test_client:
        yield test_client


@pytest.fixture(scope="session")
def spark() -> Iterator[SparkSession]:
    """One local Spark session for the whole test run (start-up costs seconds)."""
    from service.batch.spark_engine import spark_session

    session = spark_session("local[2]")
    yield session
    session.stop()

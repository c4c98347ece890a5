"""Shared fixtures: a small simulated cohort and a model trained on it into a temporary MLflow store."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from fastapi.testclient import TestClient

from service.app import create_app
from training.schema import INJURIES
from training.settings import Settings
from training.simulate import Simulation, SimulationConfig, simulate
from training.train import TrainingConfig, TrainingResult, train_model

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

# Small enough to train in seconds; base hazards raised (hamstring, the rarest, most) so that every injury has onsets
# among the training, calibration and test athletes.
TEST_COHORT = SimulationConfig(athletes=500, days=240, seed=11)
HAZARD_BOOST = {"pfps": 4.0, "mtss": 4.0, "hamstring": 10.0, "achilles": 4.0}
TEST_TRAINING = TrainingConfig(seed=11, max_iter=60, min_samples_leaf=100, bootstrap_replicates=20, importance_rows=2000)


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
    with TestClient(create_app(trained.settings)) as test_client:
        yield test_client


@pytest.fixture(scope="session")
def spark() -> Iterator["SparkSession"]:
    """One local Spark session for the whole test run (start-up costs seconds)."""
    from training.batch_spark import spark_session

    session = spark_session("local[2]")
    yield session
    session.stop()

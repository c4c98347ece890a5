"""POST /v1/risk answers stay byte for byte what they were for a fixed model: the README example and 20 simulated logs.

The recorded answers (``tests/fixtures/risk_answers.jsonl``) come from the test model of ``tests/conftest.py``. A
change that alters answers on purpose (a new learner, a new field) records them again with
``INJURY_RISK_RECORD_ANSWERS=1 make test PYTEST_ARGS=tests/test_answers_unchanged.py`` and says why in its commit; a
refactoring never needs to.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from fastapi.testclient import TestClient

from service.api.routes.risk import EXAMPLE
from tests.conftest import Trained
from tests.factories import request_for

RECORDED = Path(__file__).parent / "fixtures" / "risk_answers.jsonl"
SIMULATED_LOGS = 20


def requests(trained: Trained) -> list[dict[str, Any]]:
    """The README example, then 20 simulated athletes each scored on a day drawn from their simulated year."""
    cohort = trained.simulation.cohort
    rng = np.random.default_rng(2024)
    ids = rng.choice(cohort.profiles["athlete_id"].to_numpy(), size=SIMULATED_LOGS, replace=False)
    start = pd.Timestamp(trained.simulation.config.start_date)
    days = rng.integers(30, trained.simulation.config.days, size=SIMULATED_LOGS)
    simulated = [request_for(cohort, str(a), start + pd.Timedelta(days=int(d))) for a, d in zip(ids, days, strict=True)]
    return [EXAMPLE, *simulated]


def answers(client: TestClient, trained: Trained) -> list[str]:
    bodies = []
    for body in requests(trained):
        response = client.post("/v1/risk", json=body)
        assert response.status_code == 200, response.text
        bodies.append(response.content.decode("utf-8"))
    return bodies


def test_risk_answers_are_byte_identical_to_the_recorded_ones(client: TestClient, trained: Trained):
    current = answers(client, trained)
    if os.environ.get("INJURY_RISK_RECORD_ANSWERS") == "1":
        RECORDED.write_text("".join(body + "\n" for body in current), encoding="utf-8")
        pytest.skip(f"recorded {len(current)} answers to {RECORDED}")
    recorded = RECORDED.read_text(encoding="utf-8").splitlines()
    assert len(recorded) == len(current) == SIMULATED_LOGS + 1
    for i, (before, now) in enumerate(zip(recorded, current, strict=True)):
        assert now == before, f"answer {i} changed: {json.loads(before)} -> {json.loads(now)}"

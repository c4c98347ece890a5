"""POST /v1/risk answers stay what they were for a fixed model: the README example and 20 simulated logs.

Every key, string, flag and integer must be identical, and every float equal to 1e-9 (relative): the compiled tree
kernel may fuse multiply-adds on one CPU and not on another, which moves the last digit or two of a float and
nothing else. The recorded answers (``tests/fixtures/risk_answers.jsonl``) come from the test model of
``tests/conftest.py``. A change that alters answers on purpose (a new learner, a new field) records them again with
``INJURY_RISK_RECORD_ANSWERS=1 make test PYTEST_ARGS=tests/test_answers_unchanged.py`` and says why in its commit; a
refactoring never needs to.
"""

from __future__ import annotations

import json
import math
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
        differences = list(differing(json.loads(before), json.loads(now), f"answer {i}"))
        assert not differences, "\n".join(differences[:20])


def differing(before: Any, now: Any, where: str) -> list[str]:
    """Where two parsed answers differ: a different type, key, length or value, or floats apart by more than 1e-9."""
    if isinstance(before, float) and isinstance(now, float):
        return [] if math.isclose(before, now, rel_tol=1e-9, abs_tol=1e-12) else [f"{where}: {before!r} -> {now!r}"]
    if type(before) is not type(now):
        return [f"{where}: {before!r} -> {now!r}"]
    if isinstance(before, dict):
        if before.keys() != now.keys():
            return [f"{where}: keys {sorted(before)} -> {sorted(now)}"]
        return [d for key in before for d in differing(before[key], now[key], f"{where}.{key}")]
    if isinstance(before, list):
        if len(before) != len(now):
            return [f"{where}: {len(before)} items -> {len(now)}"]
        return [d for k, (b, n) in enumerate(zip(before, now, strict=True)) for d in differing(b, n, f"{where}[{k}]")]
    return [] if before == now else [f"{where}: {before!r} -> {now!r}"]


def test_the_comparison_tolerates_last_digits_of_floats_only():
    assert differing({"p": 0.17492299216335588}, {"p": 0.1749229921633561}, "a") == []
    assert differing({"p": 0.1749}, {"p": 0.1750}, "a") == ["a.p: 0.1749 -> 0.175"]
    assert differing({"band": "high"}, {"band": "low"}, "a") == ["a.band: 'high' -> 'low'"]
    assert differing({"n": 1}, {"n": 1.0}, "a") == ["a.n: 1 -> 1.0"]
    assert differing([1, 2], [1], "a") == ["a: 2 items -> 1"]

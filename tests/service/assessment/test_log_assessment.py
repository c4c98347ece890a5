"""The answer from the log's arrays equals the answer scored with frames (the batch's scoring) for varied logs."""

from __future__ import annotations

import copy
import datetime as dt
from typing import Any

import numpy as np
import pandas as pd
import pytest

from service.api.routes.risk import EXAMPLE
from service.assessment.log_assessment import assess_request
from service.assessment.risk_assessment import assess, request_cohort
from service.schemas.risk import RiskRequest
from tests.conftest import Trained
from tests.factories import request_for
from training.model.registry import load_served_model

TOLERANCE = 1e-9


def varied_logs(trained: Trained) -> list[dict[str, Any]]:
    """20 logs: the README example, an empty log, a short history without body mass, one with a current injury and
    simulated athletes on days from their second week to the end of their year."""
    cohort = trained.simulation.cohort
    config = trained.simulation.config
    start = pd.Timestamp(config.start_date)
    rng = np.random.default_rng(14)
    ids = rng.choice(cohort.profiles["athlete_id"].to_numpy(), size=16, replace=False)
    days = rng.integers(8, config.days, size=16)
    simulated = [request_for(cohort, str(a), start + pd.Timedelta(days=int(d))) for a, d in zip(ids, days, strict=True)]
    empty = {"athlete": {"age": 51, "sex": "M", "years_running": 0.5}, "as_of": "2026-05-01"}
    short = copy.deepcopy(EXAMPLE)
    short["athlete"]["body_mass_kg"] = None
    short["runs"] = short["runs"][-3:]
    injured = copy.deepcopy(EXAMPLE)
    injured["injuries"].append({"kind": "mtss", "onset": "2026-10-26", "resolved": None})
    return [EXAMPLE, empty, short, injured, *simulated]


def close(fast: Any, frame: Any, where: str = "") -> list[str]:
    """Where two parsed answers differ: numbers beyond the tolerance, anything else at all."""
    if isinstance(fast, dict) and isinstance(frame, dict):
        if list(fast) != list(frame):
            return [f"{where}: keys {list(fast)} != {list(frame)}"]
        return [d for key in fast for d in close(fast[key], frame[key], f"{where}.{key}")]
    if isinstance(fast, list) and isinstance(frame, list):
        if len(fast) != len(frame):
            return [f"{where}: {len(fast)} items != {len(frame)}"]
        return [d for i, (a, b) in enumerate(zip(fast, frame, strict=True)) for d in close(a, b, f"{where}[{i}]")]
    if isinstance(fast, float) and isinstance(frame, float):
        return [] if abs(fast - frame) <= TOLERANCE else [f"{where}: {fast} != {frame}"]
    return [] if fast == frame and type(fast) is type(frame) else [f"{where}: {fast!r} != {frame!r}"]


@pytest.fixture(scope="module")
def served(trained: Trained):
    return load_served_model(trained.settings)


def test_answer_from_log_arrays_equals_the_frame_scored_answer_for_20_varied_logs(trained: Trained, served):
    logs = varied_logs(trained)
    assert len(logs) == 20
    statuses = set()
    for body in logs:
        request = RiskRequest.model_validate(body)
        as_of = request.as_of or dt.date.today()
        fast = assess_request(request, as_of, served, trained.settings).model_dump(mode="json")
        frame = assess(request_cohort(request), as_of, served, trained.settings).model_dump(mode="json")
        assert close(fast, frame) == [], body["as_of"]
        statuses |= {r["status"] for r in fast["risks"]}
    # The logs reach both kinds of answer: scored risks with guidance, and an injury that is current.
    assert statuses == {"scored", "currently_injured"}

"""One source of truth: the API and batch scoring give the same probabilities for the same athlete and day."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from service.batch.output import read_results
from service.cli import app
from tests.conftest import Trained
from tests.factories import request_for
from training.domain.cohort_io import write_cohort
from training.domain.schema import INJURIES


def test_api_and_batch_score_give_identical_probabilities(
    trained: Trained, client: TestClient, tmp_path: Path, monkeypatch
):
    cohort = trained.simulation.cohort
    as_of = pd.Timestamp(trained.simulation.config.start_date) + pd.Timedelta(days=200)
    athletes = list(cohort.profiles["athlete_id"].iloc[:6])
    folder = tmp_path / "cohort"
    write_cohort(cohort.for_athletes(athletes), folder)
    for name, value in trained.settings.model_dump().items():
        if value is not None:
            monkeypatch.setenv(f"INJURY_RISK_{name.upper()}", str(value))
    from training.settings import get_settings

    get_settings.cache_clear()
    out = tmp_path / "risk"
    result = CliRunner().invoke(app, ["score", "--input", str(folder), "--as-of", str(as_of.date()), "--out", str(out)])
    get_settings.cache_clear()
    assert result.exit_code == 0, result.output
    batch = read_results(out).set_index("athlete_id")
    assert len(batch) == len(athletes)

    for athlete_id in athletes:
        answer = client.post("/v1/risk", json=request_for(cohort, athlete_id, as_of))
        assert answer.status_code == 200, answer.text
        online = {r["injury"]: r["probability"] for r in answer.json()["risks"]}
        for kind in INJURIES:
            offline = batch.loc[athlete_id, f"risk_{kind}"]
            if online[kind] is None:
                assert pd.isna(offline)
            else:
                assert abs(online[kind] - offline) <= 1e-12, (athlete_id, kind, online[kind], offline)
    assert dt.date.fromisoformat(str(batch["as_of"].iloc[0].date())) == as_of.date()

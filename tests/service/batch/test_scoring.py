"""Batch scoring: the local engine, the Spark engine and the API agree; re-runs replace; summaries add up."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pandas as pd
import pytest
from fastapi.testclient import TestClient

from service.batch.job import BatchRequest, run_batch
from service.batch.local_engine import score_local
from service.batch.output import ParquetSink, read_results
from service.batch.tally import HIGH_BANDS
from tests.conftest import Trained
from tests.factories import request_for, small_input
from training.domain.schema import INJURIES
from training.features import days_to_score
from training.model.registry import load_served_model


def request(folder: Path, out: Path, first: pd.Timestamp, last: pd.Timestamp, engine: str = "local") -> BatchRequest:
    return BatchRequest(
        input=folder,
        out=out,
        first_day=first.date(),
        last_day=last.date(),
        engine=engine,  # type: ignore[arg-type]  # a str from the parametrised test, local or spark
    )


@pytest.mark.slow
def test_local_engine_spark_engine_and_api_give_the_same_probabilities(
    trained: Trained, client: TestClient, spark, tmp_path: Path
):
    folder, as_of = small_input(trained, tmp_path / "cohort")
    first = as_of - pd.Timedelta(days=2)
    for engine in ("local", "spark"):
        run_batch(request(folder, tmp_path / engine, first, as_of, engine), trained.settings)
    local = read_results(tmp_path / "local")
    on_spark = read_results(tmp_path / "spark")
    assert len(local) == 6 * 3
    pd.testing.assert_frame_equal(local, on_spark, check_exact=False, rtol=0, atol=1e-9, check_dtype=False)

    cohort = trained.simulation.cohort
    for row in local.itertuples():
        answer = client.post("/v1/risk", json=request_for(cohort, row.athlete_id, row.as_of))
        assert answer.status_code == 200, answer.text
        for risk in answer.json()["risks"]:
            offline = getattr(row, f"risk_{risk['injury']}")
            if risk["probability"] is None:
                assert pd.isna(offline)
            else:
                assert abs(risk["probability"] - offline) <= 1e-9, (row.athlete_id, risk, offline)


def test_rerun_replaces_the_days_it_scores_instead_of_adding_rows(trained: Trained, tmp_path: Path):
    folder, as_of = small_input(trained, tmp_path / "cohort", athletes=3)
    out = tmp_path / "risk"
    run_batch(request(folder, out, as_of - pd.Timedelta(days=1), as_of), trained.settings)
    first = read_results(out)
    run_batch(request(folder, out, as_of, as_of), trained.settings)
    second = read_results(out)
    pd.testing.assert_frame_equal(first, second)
    assert len(second) == 3 * 2
    assert not any(p.name.startswith("_staging") for p in out.iterdir())


def test_summary_counts_athletes_days_and_high_risk_athletes_of_the_results(trained: Trained, tmp_path: Path):
    folder, as_of = small_input(trained, tmp_path / "cohort", athletes=20)
    out = tmp_path / "risk"
    summary = run_batch(request(folder, out, as_of - pd.Timedelta(days=6), as_of), trained.settings)
    results = read_results(out)
    stored = json.loads((out / "_summary.json").read_text())
    assert stored == json.loads(summary.to_json())
    assert stored["athletes_scored"] == results["athlete_id"].nunique() == 20
    assert stored["athlete_days_scored"] == len(results) == 20 * 7
    for kind in INJURIES:
        high = results.loc[results[f"band_{kind}"].isin(HIGH_BANDS), "athlete_id"].nunique()
        assert stored["high_risk_athletes"][kind] == high
    assert stored["exit_code"] == 0 and stored["rows_rejected"] == 0


def test_chunks_of_athletes_give_the_rows_one_chunk_gives(trained: Trained, tmp_path: Path):
    cohort = trained.simulation.cohort.for_athletes(list(trained.simulation.cohort.profiles["athlete_id"].iloc[:7]))
    as_of = pd.Timestamp(trained.simulation.config.start_date) + pd.Timedelta(days=150)
    spans = days_to_score(cohort, as_of=as_of, start=as_of - pd.Timedelta(days=30))
    served = load_served_model(trained.settings)
    frames = []
    for size, name in ((2, "small"), (100, "whole")):
        sink = ParquetSink(tmp_path / name)
        score_local(cohort, spans, served, sink, chunk_athletes=size)
        sink.commit()
        frames.append(read_results(tmp_path / name))
    pd.testing.assert_frame_equal(frames[0], frames[1], check_exact=True)


def test_a_failed_run_leaves_earlier_results_untouched(trained: Trained, tmp_path: Path, monkeypatch):
    folder, as_of = small_input(trained, tmp_path / "cohort", athletes=2)
    out = tmp_path / "risk"
    run_batch(request(folder, out, as_of, as_of), trained.settings)
    before = read_results(out)

    def broken(*args, **kwargs):
        raise RuntimeError("worker lost")

    monkeypatch.setattr("service.batch.local_engine.scored_results", broken)
    with pytest.raises(RuntimeError, match="worker lost"):
        run_batch(request(folder, out, as_of, as_of), trained.settings)
    pd.testing.assert_frame_equal(read_results(out), before)
    assert dt.date.fromisoformat(str(before["as_of"].iloc[0].date())) == as_of.date()

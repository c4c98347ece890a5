"""One source of truth: the API, a stored athlete and batch scoring (local and Spark) give the same probabilities for
the same athlete and day, over 7 and over 28 days, complete logs and logs known only from a late ``log_start``
alike."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from service.batch.job import BatchRequest, run_batch
from service.batch.output import read_results
from service.cli import app
from tests.conftest import Trained
from tests.factories import gapped_day_file, request_for
from tests.tenants import new_tenant, store_log
from training.domain.cohort_io import write_cohort
from training.domain.schema import INJURIES, Cohort
from training.features import compute_features
from training.known_log import FEATURE_WINDOW_DAYS
from training.lovdal.importer import DEFAULT_PROFILE, import_lovdal, write_import


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
        for risk in answer.json()["risks"]:
            kind = risk["injury"]
            for field, column in (("probability", f"risk_{kind}"), ("probability_28d", f"risk_28d_{kind}")):
                offline = batch.loc[athlete_id, column]
                if risk[field] is None:
                    assert pd.isna(offline)
                else:
                    assert abs(risk[field] - offline) <= 1e-12, (athlete_id, kind, field, risk[field], offline)
    assert dt.date.fromisoformat(str(batch["as_of"].iloc[0].date())) == as_of.date()


# Days known on the scored day per athlete (None: a complete log): from "a few days" to "longer than any window".
KNOWN_DAYS = [None, 3, 20, 45, 120]


@pytest.mark.slow
def test_a_late_log_start_gives_the_same_risk_on_every_path(
    trained: Trained, client: TestClient, spark, tmp_path: Path
):
    cohort = trained.simulation.cohort
    as_of = pd.Timestamp(trained.simulation.config.start_date) + pd.Timedelta(days=200)
    athletes = [str(a) for a in cohort.profiles["athlete_id"].iloc[: len(KNOWN_DAYS)]]
    starts = {
        a: pd.NaT if known is None else as_of - pd.Timedelta(days=known - 1)
        for a, known in zip(athletes, KNOWN_DAYS, strict=True)
    }
    picked = cohort.for_athletes(athletes)
    started = Cohort(
        profiles=picked.profiles.assign(log_start=picked.profiles["athlete_id"].map(starts).astype("datetime64[ns]")),
        runs=picked.runs,
        strength=picked.strength,
        injuries=picked.injuries,
    ).normalised()
    folder = tmp_path / "cohort"
    write_cohort(started, folder)
    batch = {}
    for engine in ("local", "spark"):
        job = BatchRequest(
            input=folder, out=tmp_path / engine, first_day=as_of.date(), last_day=as_of.date(), engine=engine
        )
        run_batch(job, trained.settings)
        batch[engine] = read_results(tmp_path / engine).set_index("athlete_id")

    tenant = new_tenant(client)
    for athlete_id, known in zip(athletes, KNOWN_DAYS, strict=True):
        body = request_for(started, athlete_id, as_of)
        online = client.post("/v1/risk", json=body)
        assert online.status_code == 200, online.text
        created = client.post(
            "/v1/athletes",
            json={"external_id": athlete_id, "profile": body["athlete"], "log_start": body.get("log_start")},
            headers=tenant.platform,
        )
        assert created.status_code == 201, created.text
        stored_id = created.json()["id"]
        store_log(client, tenant, stored_id, body)
        stored = client.get(
            f"/v1/athletes/{stored_id}/risk", params={"as_of": str(as_of.date())}, headers=tenant.platform
        )
        assert stored.status_code == 200, stored.text
        answers = {"api": online.json(), "stored": stored.json()}
        for kind in INJURIES:
            for field, column in (("probability", f"risk_{kind}"), ("probability_28d", f"risk_28d_{kind}")):
                probabilities = [next(r[field] for r in a["risks"] if r["injury"] == kind) for a in answers.values()]
                probabilities += [batch[engine].loc[athlete_id, column] for engine in batch]
                if probabilities[0] is None:
                    assert all(pd.isna(p) for p in probabilities), (athlete_id, kind, field, probabilities)
                else:
                    assert max(probabilities) - min(probabilities) <= 1e-9, (athlete_id, kind, field, probabilities)
        for answer in answers.values():
            named = [w for w in answer["warnings"] if "unknown, not read as rest" in w]
            if known is not None and known < 84:
                assert named and "acwr_ewma" in named[0], answer["warnings"]
            else:
                assert not named, answer["warnings"]
        if known is not None and known < 7:
            assert online.json()["load"]["km_7d"] is None


def test_an_imported_lovdal_file_gets_the_same_risk_stored_and_in_batch(
    service: TestClient, trained: Trained, tmp_path: Path
):
    path = tmp_path / "day_approach.csv"
    gapped_day_file(athletes=2, days=100, injury_days=(45,)).to_csv(path, index=False)
    result = import_lovdal(path)
    folder = tmp_path / "lovdal"
    write_import(result, folder)
    logs = result.logs
    first, last = logs["log_start"].min(), logs["last_day"].max()
    job = BatchRequest(input=folder, out=tmp_path / "risk", first_day=first.date(), last_day=last.date())
    summary = run_batch(job, trained.settings)
    assert summary.rows_rejected == 0  # the default profile and the generic strength session are accepted
    batch = read_results(tmp_path / "risk").set_index(["athlete_id", "as_of"])

    # No day of a log reads a day before its stretch: what the batch computes is missing, not zero, on every window
    # that reaches before log_start (and each log is scored on its own days only).
    spans = logs.drop(columns="athlete_id").rename(
        columns={"log_id": "athlete_id", "log_start": "start", "last_day": "end"}
    )
    features = compute_features(result.cohort, spans[["athlete_id", "start", "end"]]).merge(spans, on="athlete_id")
    known = (features["date"] - features["start"]).dt.days + 1
    for name, window in FEATURE_WINDOW_DAYS.items():
        assert features.loc[known < window, name].isna().all(), name
        assert features.loc[known >= window, name].notna().all(), name

    tenant = new_tenant(service)
    compared = 0
    for log in logs.itertuples():
        body = request_for(result.cohort, log.log_id, log.last_day)
        created = service.post(
            "/v1/athletes",
            json={"external_id": log.log_id, "profile": body["athlete"], "log_start": body["log_start"]},
            headers=tenant.platform,
        )
        assert created.status_code == 201, created.text
        assert body["athlete"]["age"] == DEFAULT_PROFILE["age"] and body["log_start"] == str(log.log_start.date())
        stored_id = created.json()["id"]
        store_log(service, tenant, stored_id, body)
        days = {log.log_start + pd.Timedelta(days=k) for k in (0, 6, 27, 40)} | {log.last_day}
        for day in sorted(d for d in days if d <= log.last_day):
            answer = service.get(
                f"/v1/athletes/{stored_id}/risk", params={"as_of": str(day.date())}, headers=tenant.platform
            )
            assert answer.status_code == 200, answer.text
            stored = answer.json()
            offline = batch.loc[(log.log_id, day)]
            for risk in stored["risks"]:
                kind = risk["injury"]
                for field, column in (("probability", f"risk_{kind}"), ("probability_28d", f"risk_28d_{kind}")):
                    if risk[field] is None:
                        assert pd.isna(offline[column]), (log.log_id, day, field)
                    else:
                        assert abs(risk[field] - offline[column]) <= 1e-9, (log.log_id, day, field)
            known_days = (day - log.log_start).days + 1
            unknown = [w for w in stored["warnings"] if "unknown, not read as rest" in w]
            assert unknown and "acwr_ewma" in unknown[0], stored["warnings"]
            if known_days < 28:
                assert stored["load"]["km_28d"] is None and "km_28d" in unknown[0]
            compared += 1
    assert compared >= 2 * len(logs)

"""Batch scoring against the service database: a tenant's stored log in, risk_assessments out, re-runs and resumes."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, delete, select
from typer.testing import CliRunner

from service.batch.db_output import DatabaseSink, drivers_json
from service.batch.frames import scored_results
from service.batch.input import BatchInputError
from service.batch.job import BatchRequest, run_batch
from service.batch.output import read_results
from service.cli import app
from service.db.models import RiskAssessment
from service.db.session import Database
from service.repositories.keys import tenant_named
from tests.conftest import Trained
from tests.factories import request_for, small_input
from tests.tenants import TenantKeys, add_athlete, new_tenant, store_log
from training.domain.schema import INJURIES
from training.features import compute_features
from training.model.registry import load_served_model
from training.settings import Settings, get_settings


@dataclass(frozen=True)
class StoredTenant:
    keys: TenantKeys
    settings: Settings
    athletes: list[str]  # database ids
    day: pd.Timestamp  # a day on which the first athlete has an injury that resolves later


def stored_tenant(service: TestClient, trained: Trained, database_url: str, athletes: int = 3) -> StoredTenant:
    """A new tenant holding simulated athletes' whole logs, the first one injured on ``day`` until after it."""
    cohort = trained.simulation.cohort
    start = pd.Timestamp(trained.simulation.config.start_date)
    injuries = cohort.injuries
    lasting = injuries[
        (injuries["onset"] >= start + pd.Timedelta(days=120))
        & (injuries["resolved"] - injuries["onset"] >= pd.Timedelta(days=4))
    ]
    injured = lasting.iloc[0]
    others = [a for a in cohort.profiles["athlete_id"] if a != injured["athlete_id"]][: athletes - 1]
    tenant = new_tenant(service)
    ids = []
    for external_id in [injured["athlete_id"], *others]:
        everything = request_for(cohort, external_id, cohort.runs["date"].max())
        everything["injuries"] = [
            {
                "kind": i.kind,
                "onset": str(i.onset.date()),
                "resolved": None if pd.isna(i.resolved) else str(i.resolved.date()),
            }
            for i in cohort.injuries[cohort.injuries["athlete_id"] == external_id].itertuples()
        ]
        athlete_id = add_athlete(service, tenant, external_id, **everything["athlete"])
        store_log(service, tenant, athlete_id, everything)
        ids.append(athlete_id)
    settings = trained.settings.model_copy(update={"database_url": database_url})
    return StoredTenant(tenant, settings, ids, injured["onset"] + pd.Timedelta(days=1))


def tenant_request(stored: StoredTenant, first: pd.Timestamp, last: pd.Timestamp, **where: object) -> BatchRequest:
    return BatchRequest(
        tenant=stored.keys.name,
        first_day=first.date(),
        last_day=last.date(),
        **where,  # type: ignore[arg-type]  # each test passes fields of BatchRequest
    )


def stored_rows(stored: StoredTenant) -> pd.DataFrame:
    engine = create_engine(stored.settings.resolved_database_url())
    try:
        with engine.connect() as connection:
            query = select(RiskAssessment.__table__).where(RiskAssessment.athlete_id.in_(stored.athletes))
            rows = pd.DataFrame(connection.execute(query).mappings().all())
    finally:
        engine.dispose()
    return rows.sort_values(["athlete_id", "as_of"]).reset_index(drop=True)


def test_tenant_input_gives_the_probabilities_of_get_athlete_risk(
    service: TestClient, trained: Trained, database_url: str, tmp_path: Path
):
    stored = stored_tenant(service, trained, database_url)
    first = stored.day - pd.Timedelta(days=1)
    summary = run_batch(tenant_request(stored, first, stored.day, out=tmp_path / "risk"), stored.settings)
    assert summary.exit_code == 0 and summary.input == f"tenant {stored.keys.name}"
    batch = read_results(tmp_path / "risk")
    assert sorted(batch["athlete_id"].unique()) == sorted(stored.athletes) and len(batch) == 3 * 2
    injured_somewhere = False
    for row in batch.itertuples():
        answer = service.get(
            f"/v1/athletes/{row.athlete_id}/risk", params={"as_of": str(row.as_of.date())}, headers=stored.keys.platform
        )
        assert answer.status_code == 200, answer.text
        for risk in answer.json()["risks"]:
            offline = getattr(row, f"risk_{risk['injury']}")
            if risk["probability"] is None:
                injured_somewhere = True
                assert pd.isna(offline), (row.athlete_id, risk)
            else:
                assert abs(risk["probability"] - offline) <= 1e-9, (row.athlete_id, risk, offline)
    # The first athlete's injury resolves after the scored days: both paths must see it as ongoing.
    assert injured_somewhere


def test_to_db_twice_leaves_one_row_per_athlete_day(
    service: TestClient, trained: Trained, database_url: str, tmp_path: Path
):
    stored = stored_tenant(service, trained, database_url, athletes=2)
    first = stored.day - pd.Timedelta(days=1)
    run_batch(tenant_request(stored, first, stored.day, to_db=True), stored.settings)
    once = stored_rows(stored)
    summary = run_batch(tenant_request(stored, first, stored.day, to_db=True), stored.settings)
    twice = stored_rows(stored)
    assert summary.out == "database table risk_assessments" and summary.athlete_days_scored == 2 * 2
    assert len(twice) == 2 * 2
    assert not twice.duplicated(["athlete_id", "as_of", "model_name", "model_version"]).any()
    # Replaced by the second run's rows, not kept beside them (SQLite may reuse the ids of deleted rows).
    assert (twice["created_at"] > once["created_at"].max()).all()
    run_batch(tenant_request(stored, first, stored.day, out=tmp_path / "risk"), stored.settings)
    files = read_results(tmp_path / "risk").sort_values(["athlete_id", "as_of"]).reset_index(drop=True)
    for kind in INJURIES:
        pd.testing.assert_series_equal(twice[f"p_{kind}"].astype(float), files[f"risk_{kind}"], check_names=False)
        pd.testing.assert_series_equal(
            twice[f"rr_{kind}"].astype(float), files[f"relative_risk_{kind}"], check_names=False
        )
    relative = files[[f"relative_risk_{k}" for k in INJURIES]].max(axis=1)
    pd.testing.assert_series_equal(twice["rr_max"].astype(float), relative, check_names=False)


def test_a_failed_database_run_leaves_earlier_rows(
    service: TestClient, trained: Trained, database_url: str, monkeypatch
):
    stored = stored_tenant(service, trained, database_url, athletes=2)
    run_batch(tenant_request(stored, stored.day, stored.day, to_db=True), stored.settings)
    before = stored_rows(stored)
    write = DatabaseSink.write

    def write_then_fail(self: DatabaseSink, result: pd.DataFrame) -> None:
        write(self, result)  # the earlier rows are deleted and new ones inserted, uncommitted
        raise RuntimeError("worker lost")

    monkeypatch.setattr(DatabaseSink, "write", write_then_fail)
    with pytest.raises(RuntimeError, match="worker lost"):
        run_batch(tenant_request(stored, stored.day - pd.Timedelta(days=1), stored.day, to_db=True), stored.settings)
    pd.testing.assert_frame_equal(stored_rows(stored), before)
    assert len(before) == 2


def test_since_last_run_skips_days_in_the_database_and_scores_the_new_ones(
    service: TestClient, trained: Trained, database_url: str
):
    stored = stored_tenant(service, trained, database_url)
    day = stored.day
    run_batch(tenant_request(stored, day - pd.Timedelta(days=1), day, to_db=True), stored.settings)
    engine = create_engine(stored.settings.resolved_database_url())
    try:
        with engine.begin() as connection:
            connection.execute(
                delete(RiskAssessment).where(
                    RiskAssessment.athlete_id == stored.athletes[1],
                    RiskAssessment.as_of == (day - pd.Timedelta(days=1)).date(),
                )
            )
    finally:
        engine.dispose()
    kept = stored_rows(stored)
    summary = run_batch(
        tenant_request(stored, day - pd.Timedelta(days=1), day + pd.Timedelta(days=1), to_db=True, since_last_run=True),
        stored.settings,
    )
    assert summary.athlete_days_skipped == 3 * 2 - 1
    assert summary.athlete_days_scored == 1 + 3
    after = stored_rows(stored)
    assert len(after) == 3 * 3 and not after.duplicated(["athlete_id", "as_of"]).any()
    # The rows scored before were left alone, not rewritten.
    pd.testing.assert_frame_equal(after.set_index("id").loc[kept["id"]], kept.set_index("id"))
    again = run_batch(
        tenant_request(stored, day - pd.Timedelta(days=1), day + pd.Timedelta(days=1), to_db=True, since_last_run=True),
        stored.settings,
    )
    assert (again.athlete_days_skipped, again.athlete_days_scored) == (9, 0)


def test_since_last_run_skips_days_in_parquet_and_keeps_the_rest_of_a_day(trained: Trained, tmp_path: Path):
    cohort = trained.simulation.cohort
    three = list(cohort.profiles["athlete_id"].iloc[:3])
    folder, day = small_input(trained, tmp_path / "two", athletes=2)
    out = tmp_path / "risk"
    # Only the middle day of the later range is scored first, so the two athletes get a gap on either side of it.
    run_batch(BatchRequest(input=folder, out=out, first_day=day.date(), last_day=day.date()), trained.settings)
    small_input(trained, tmp_path / "three", athletes=3)
    first, last = day - pd.Timedelta(days=1), day + pd.Timedelta(days=1)
    summary = run_batch(
        BatchRequest(
            input=tmp_path / "three", out=out, first_day=first.date(), last_day=last.date(), since_last_run=True
        ),
        trained.settings,
    )
    assert (summary.athlete_days_skipped, summary.athlete_days_scored) == (2, 3 * 3 - 2)
    whole = tmp_path / "whole"
    run_batch(
        BatchRequest(input=tmp_path / "three", out=whole, first_day=first.date(), last_day=last.date()),
        trained.settings,
    )
    resumed = read_results(out)
    assert sorted(resumed["athlete_id"].unique()) == sorted(three)
    pd.testing.assert_frame_equal(resumed, read_results(whole), check_exact=True)
    # The merged day's texts are still stored as dictionary codes, as a day written in one go is.
    merged = pq.ParquetFile(out / f"as_of={day.date()}" / "part-merged.parquet").metadata.row_group(0)
    band = next(merged.column(i) for i in range(merged.num_columns) if merged.column(i).path_in_schema == "band_pfps")
    assert any("DICTIONARY" in encoding for encoding in band.encodings)


def test_an_athlete_with_two_spans_gets_the_features_of_one_covering_span(trained: Trained):
    cohort = trained.simulation.cohort.for_athletes(list(trained.simulation.cohort.profiles["athlete_id"].iloc[:2]))
    ids = list(cohort.profiles["athlete_id"])
    day = pd.Timestamp(trained.simulation.config.start_date) + pd.Timedelta(days=150)
    covering = pd.DataFrame({"athlete_id": ids, "start": [day - pd.Timedelta(days=4)] * 2, "end": [day] * 2})
    cut = pd.DataFrame(
        {
            "athlete_id": [ids[0], ids[1], ids[0]],
            "start": [day - pd.Timedelta(days=4), day - pd.Timedelta(days=4), day - pd.Timedelta(days=1)],
            "end": [day - pd.Timedelta(days=3), day, day],
        }
    )
    whole = compute_features(cohort, covering)
    pieces = compute_features(cohort, cut)
    expected = whole[~((whole["athlete_id"] == ids[0]) & (whole["date"] == day - pd.Timedelta(days=2)))]
    pd.testing.assert_frame_equal(pieces, expected.reset_index(drop=True), check_exact=True)


def test_to_db_refuses_input_athletes_that_are_not_in_the_database(trained: Trained, database_url: str, tmp_path: Path):
    folder, day = small_input(trained, tmp_path / "cohort", athletes=2)
    settings = trained.settings.model_copy(update={"database_url": database_url})
    with pytest.raises(BatchInputError, match="2 athlete_id.* not athletes of the database"):
        run_batch(BatchRequest(input=folder, to_db=True, first_day=day.date(), last_day=day.date()), settings)


def test_driver_columns_become_the_drivers_the_api_stores(trained: Trained, client: TestClient):
    cohort = trained.simulation.cohort
    day = pd.Timestamp(trained.simulation.config.start_date) + pd.Timedelta(days=200)
    athlete = str(cohort.profiles["athlete_id"].iloc[0])
    spans = pd.DataFrame({"athlete_id": [athlete], "start": [day], "end": [day]})
    served = load_served_model(trained.settings)
    results = scored_results(cohort.for_athletes([athlete]), spans, served)
    base = results[[c for c in results.columns if not c.startswith("driver_")]]
    assert drivers_json(base, served.model.feature_ranges) == [[]]

    entries = drivers_json(results, served.model.feature_ranges)[0]
    answer = client.post("/v1/risk", json=request_for(cohort, athlete, day))
    assert answer.status_code == 200, answer.text
    expected = [{"injury": r["injury"], "drivers": r["drivers"]} for r in answer.json()["risks"]]
    assert [e["injury"] for e in entries] == [e["injury"] for e in expected] == list(INJURIES)
    assert sum(len(e["drivers"]) for e in expected) > 0
    for mine, theirs in zip(entries, expected, strict=True):
        assert len(mine["drivers"]) == len(theirs["drivers"])
        for a, b in zip(mine["drivers"], theirs["drivers"], strict=True):
            assert {k: a[k] for k in ("feature", "direction", "sentence", "usual_low", "usual_high")} == {
                k: b[k] for k in ("feature", "direction", "sentence", "usual_low", "usual_high")
            }
            assert a["value"] == pytest.approx(b["value"], abs=1e-9)
            assert a["contribution"] == pytest.approx(b["contribution"], abs=1e-9)


@pytest.fixture
def cli_settings(trained: Trained, database_url: str, monkeypatch) -> Settings:
    """The trained model's settings on the test database, as the environment the command line reads."""
    settings = trained.settings.model_copy(update={"database_url": database_url})
    for name, value in settings.model_dump().items():
        if value is not None:
            monkeypatch.setenv(f"INJURY_RISK_{name.upper()}", str(value))
    get_settings.cache_clear()
    yield settings
    get_settings.cache_clear()


def test_unknown_tenant_or_a_tenant_without_athletes_exits_2_naming_it(cli_settings: Settings):
    result = CliRunner().invoke(app, ["score", "--tenant", "nobody-here", "--as-of", "2024-06-01", "--to-db"])
    assert result.exit_code == 2, result.output
    assert "no tenant named 'nobody-here'" in result.stderr
    database = Database(cli_settings)
    try:
        with database.session() as session:
            tenant_named(session, "empty-club")
            session.commit()
    finally:
        database.dispose()
    result = CliRunner().invoke(app, ["score", "--tenant", "empty-club", "--as-of", "2024-06-01", "--to-db"])
    assert result.exit_code == 2, result.output
    assert "tenant 'empty-club' has no athletes" in result.stderr


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--input", "cohort", "--tenant", "acme", "--out", "risk"], "exactly one of --input PATH and --tenant NAME"),
        (["--out", "risk"], "exactly one of --input PATH and --tenant NAME"),
        (["--tenant", "acme", "--out", "risk", "--to-db"], "exactly one of --out PATH and --to-db"),
        (["--tenant", "acme"], "exactly one of --out PATH and --to-db"),
    ],
)
def test_input_and_output_options_conflicting_or_missing_exit_2(arguments: list[str], message: str):
    result = CliRunner().invoke(app, ["score", *arguments, "--as-of", "2024-06-01"])
    assert result.exit_code == 2
    assert message in " ".join(result.output.replace("│", " ").split())


@pytest.mark.slow
def test_spark_engine_writes_the_rows_the_local_engine_writes_to_the_database(
    service: TestClient, trained: Trained, database_url: str, spark
):
    stored = stored_tenant(service, trained, database_url, athletes=2)
    first = stored.day - pd.Timedelta(days=1)
    run_batch(tenant_request(stored, first, stored.day, to_db=True), stored.settings)
    local = stored_rows(stored)
    summary = run_batch(tenant_request(stored, first, stored.day, to_db=True, engine="spark"), stored.settings)
    on_spark = stored_rows(stored)
    assert summary.athlete_days_scored == len(on_spark) == 2 * 2
    columns = ["athlete_id", "as_of", "model_version", *[f"p_{k}" for k in INJURIES], "rr_max", "drivers"]
    pd.testing.assert_frame_equal(on_spark[columns], local[columns], check_exact=False, rtol=0, atol=1e-9)
    assert dt.date.fromisoformat(str(on_spark["as_of"].iloc[-1])) == stored.day.date()

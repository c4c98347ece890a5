"""One source of truth: the API and batch scoring give the same probabilities for the same athlete and day."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from tests.conftest import Trained
from training.cli import app
from training.cohort_io import write_cohort
from training.schema import INJURIES, Cohort


def request_for(cohort: Cohort, athlete_id: str, as_of: pd.Timestamp) -> dict:
    """The POST /v1/risk body holding one athlete's log for the 366 days up to as_of."""
    earliest = as_of - pd.Timedelta(days=365)
    profile = cohort.profiles.set_index("athlete_id").loc[athlete_id]
    runs = cohort.runs[(cohort.runs["athlete_id"] == athlete_id) & cohort.runs["date"].between(earliest, as_of)]
    sets = cohort.strength[
        (cohort.strength["athlete_id"] == athlete_id) & cohort.strength["date"].between(earliest, as_of)
    ]
    injuries = cohort.injuries[(cohort.injuries["athlete_id"] == athlete_id) & (cohort.injuries["onset"] <= as_of)]

    def day(value: pd.Timestamp) -> str | None:
        return None if pd.isna(value) else str(value.date())

    def number(value: float) -> float | None:
        return None if pd.isna(value) else float(value)

    return {
        "athlete": {
            "age": int(profile["age"]), "sex": profile["sex"], "years_running": float(profile["years_running"]),
            "body_mass_kg": number(profile["body_mass_kg"]), "height_cm": number(profile["height_cm"]),
        },
        "injuries": [
            {"kind": i.kind, "onset": day(i.onset), "resolved": day(i.resolved) if i.resolved <= as_of else None}
            for i in injuries.itertuples()
        ],
        "runs": [
            {"id": r.activity_id, "date": day(r.date), "km": r.km, "km_threshold": r.km_threshold,
             "km_interval": r.km_interval, "km_sprint": r.km_sprint, "duration_min": number(r.duration_min),
             "rpe": number(r.rpe)}
            for r in runs.itertuples()
        ],
        "strength_sessions": [
            {"id": activity, "date": day(group["date"].iloc[0]), "exercises": [
                {"exercise_id": s.exercise_id, "sets": int(s.sets), "reps": None if pd.isna(s.reps) else int(s.reps), "load_kg": number(s.load_kg)}
                for s in group.itertuples()
            ]}
            for activity, group in sets.groupby("activity_id", sort=False)
        ],
        "as_of": str(as_of.date()),
    }


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
    out = tmp_path / "risk.parquet"
    result = CliRunner().invoke(
        app, ["score", "--input", str(folder), "--as-of", str(as_of.date()), "--out", str(out)]
    )
    get_settings.cache_clear()
    assert result.exit_code == 0, result.output
    batch = pd.read_parquet(out).set_index("athlete_id")
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

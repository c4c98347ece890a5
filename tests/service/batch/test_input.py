"""Bad batch input: unsound rows go to the rejects file with a reason, the rest are scored, the exit code says so."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from service.batch.input import COLUMNS, read_checked, read_tables
from service.batch.job import ExitCode
from service.batch.output import read_results
from service.cli import app
from service.schemas.risk import AthleteProfile, ExerciseSet, Run
from tests.conftest import Trained
from training.domain.log_rules import BOUNDS
from training.domain.schema import Cohort

PROFILES = "athlete_id,age,sex,years_running,body_mass_kg,height_cm\nA1,35,F,3,60,165\nA2,41,M,8,,180\n"
RUNS_HEADER = "athlete_id,activity_id,date,km,km_threshold,km_interval,km_sprint,duration_min,rpe\n"
STRENGTH_HEADER = "athlete_id,activity_id,date,exercise_id,sets,reps,load_kg\n"
INJURIES_HEADER = "athlete_id,kind,onset,resolved\n"


def write_folder(folder: Path, runs: str, strength: str = "", injuries: str = "", profiles: str = PROFILES) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "profiles.csv").write_text(profiles)
    (folder / "runs.csv").write_text(RUNS_HEADER + runs)
    (folder / "strength.csv").write_text(STRENGTH_HEADER + strength)
    (folder / "injuries.csv").write_text(INJURIES_HEADER + injuries)
    return folder


def score(trained: Trained, folder: Path, out: Path, monkeypatch, *extra: str):
    for name, value in trained.settings.model_dump().items():
        if value is not None:
            monkeypatch.setenv(f"INJURY_RISK_{name.upper()}", str(value))
    from training.settings import get_settings

    get_settings.cache_clear()
    try:
        return CliRunner().invoke(
            app, ["score", "--input", str(folder), "--as-of", "2026-03-10", "--out", str(out), *extra]
        )
    finally:
        get_settings.cache_clear()


def test_unsound_rows_are_rejected_with_their_reason_and_the_rest_scored(trained: Trained, tmp_path: Path, monkeypatch):
    runs = (
        "A1,r1,2026-03-01,10,2,0,0,60,5\n"
        "A1,r2,2026-03-02,-4,0,0,0,,\n"  # negative distance
        "A1,r3,2026-03-03,250,0,0,0,,\n"  # more than a day allows
        "A1,r4,2026-03-04,8,6,3,0,,\n"  # zones exceed the run
        "A1,r5,2026-13-45,8,0,0,0,,\n"  # not a date
        "A2,r6,2026-03-05,12,0,0,0,70,\n"
        "A9,r7,2026-03-05,12,0,0,0,,\n"  # no profile
        "A2,r8,2026-03-06,120,0,0,0,,\n"
        "A2,r9,2026-03-06,90,0,0,0,,\n"  # 210 km that day
    )
    strength = "A1,s1,2026-03-02,nordic_curl,3,6,\nA2,s2,2026-03-02,moon_press,3,6,\n"
    injuries = "A1,achilles,2025-06-01,2025-08-01\nA2,mtss,2025-09-10,2025-09-01\n"
    folder = write_folder(tmp_path / "in", runs, strength, injuries)
    out = tmp_path / "risk"
    result = score(trained, folder, out, monkeypatch)

    assert result.exit_code == ExitCode.rows_rejected, result.output
    rejects = pd.read_csv(out / "_rejects.csv")
    reasons = {(r.table, r.row): r.reason for r in rejects.itertuples()}
    assert reasons[("runs", 1)] == "km must be > 0 and <= 200"
    assert reasons[("runs", 2)] == "km must be > 0 and <= 200"
    assert reasons[("runs", 3)] == "km_threshold + km_interval + km_sprint exceed km"
    assert reasons[("runs", 4)] == "date '2026-13-45' is not a date (YYYY-MM-DD)"
    assert reasons[("runs", 6)] == "athlete has no sound profile"
    assert reasons[("runs", 8)] == "runs of this athlete on this day add up to more than 200 km"
    assert reasons[("strength", 1)] == "exercise_id is not in the catalogue (GET /v1/exercises)"
    assert reasons[("injuries", 1)] == "resolved is before onset"
    assert len(rejects) == 8
    # Nothing is lost: each rejected row is kept as read, to be fixed and sent again.
    assert '"km":"-4"' in rejects.set_index(["table", "row"]).loc[("runs", 1), "record"]

    scored = read_results(out)
    assert sorted(scored["athlete_id"]) == ["A1", "A2"]


def test_sound_input_exits_zero_with_an_empty_rejects_file(trained: Trained, tmp_path: Path, monkeypatch):
    folder = write_folder(tmp_path / "in", "A1,r1,2026-03-01,10,2,0,0,60,5\n")
    result = score(trained, folder, tmp_path / "risk", monkeypatch)
    assert result.exit_code == ExitCode.ok, result.output
    assert pd.read_csv(tmp_path / "risk" / "_rejects.csv").empty
    assert '"athletes_scored": 2' in result.output


def test_empty_input_is_an_error_saying_what_is_missing(trained: Trained, tmp_path: Path, monkeypatch):
    folder = write_folder(tmp_path / "in", "", profiles="athlete_id,age,sex,years_running,body_mass_kg,height_cm\n")
    result = score(trained, folder, tmp_path / "risk", monkeypatch)
    assert result.exit_code == ExitCode.bad_input
    assert "profiles table is empty" in result.output
    assert not (tmp_path / "risk").exists() or not list((tmp_path / "risk").glob("as_of=*"))


def test_an_input_without_athletes_fails_before_any_model_is_loaded(trained: Trained, tmp_path: Path, monkeypatch):
    def no_model(settings):
        raise AssertionError("the model must not be loaded for an input that cannot be scored")

    monkeypatch.setattr("service.batch.job.load_served_model", no_model)
    folder = write_folder(tmp_path / "in", "", profiles="athlete_id,age,sex,years_running,body_mass_kg,height_cm\n")
    result = score(trained, folder, tmp_path / "risk", monkeypatch)
    assert result.exit_code == ExitCode.bad_input
    assert "profiles table is empty" in result.output


def test_a_folder_without_runs_is_an_error(trained: Trained, tmp_path: Path, monkeypatch):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "profiles.csv").write_text(PROFILES)
    result = score(trained, folder, tmp_path / "risk", monkeypatch)
    assert result.exit_code == ExitCode.bad_input
    assert "has no runs.parquet, runs.csv or runs/ folder" in result.output


@pytest.mark.parametrize(("table", "schema"), [("profiles", AthleteProfile), ("runs", Run), ("strength", ExerciseSet)])
def test_batch_limits_are_the_api_limits(table: str, schema) -> None:
    for column, bound in BOUNDS[table].items():
        field = schema.model_fields[column]
        limits = {name: getattr(m, name) for m in field.metadata for name in ("ge", "gt", "le") if hasattr(m, name)}
        low = limits.get("ge", limits.get("gt"))
        assert (low, limits.get("le")) == (bound.low, bound.high), (table, column)
        assert ("gt" in limits) == (not bound.low_inclusive), (table, column)
        assert field.is_required() == bound.required, (table, column)


def test_an_activity_id_repeated_by_its_athlete_and_a_session_with_a_bad_exercise_are_rejected(tmp_path: Path):
    runs = (
        "A1,r1,2026-03-01,10,0,0,0,,\n"
        "A2,r1,2026-03-01,10,0,0,0,,\n"  # another athlete's r1
        "A1,r1,2026-03-02,12,0,0,0,,\n"  # A1's r1 again
        "A1,r2,2026-03-03,150,0,0,0,,\n"
        "A2,r3,2026-03-03,150,0,0,0,,\n"  # the same day for another athlete does not add to A1's
        ",r4,2026-03-03,150,0,0,0,,\n"  # no athlete, so no day to add to
        "A1,r5,2026-03-03,60,0,0,0,,\n"  # takes A1's day to 210 km
    )
    strength = (
        "A1,s1,2026-03-02,nordic_curl,3,6,\n"
        "A1,s1,2026-03-02,moon_press,3,6,\n"
        "A2,s1,2026-03-02,nordic_curl,3,6,\n"  # A2's s1 is another session
        "A1,s2,2026-03-04,back_squat,3,,\n"
        "A1,s3,2026-03-04,isometric_wall_sit,3,,\n"  # a hold goes without reps
    )
    checked = read_checked(write_folder(tmp_path / "in", runs, strength))

    reasons = {(r.table, r.row): r.reason for r in checked.rejects.itertuples()}
    assert reasons == {
        ("runs", 2): "activity_id is already used by a run",
        ("runs", 5): "athlete has no sound profile",
        ("runs", 6): "runs of this athlete on this day add up to more than 200 km",
        ("strength", 0): "another exercise of this session is rejected",
        ("strength", 1): "exercise_id is not in the catalogue (GET /v1/exercises)",
        ("strength", 3): "reps is required (only isometric holds go without)",
    }
    assert checked.cohort.runs["activity_id"].tolist() == ["r1", "r1", "r2", "r3"]
    assert checked.cohort.strength["activity_id"].tolist() == ["s1", "s3"]


def test_parquet_input_is_checked_as_the_same_rows_in_csv_are(tmp_path: Path):
    runs = (
        "A1,r1,2026-03-01,10,2,0,0,60,5\n"
        "A1,r2,2026-03-02,-4,0,0,0,,\n"
        "A1,r1,2026-03-02,8,0,0,0,,\n"
        "A2,r3,2026-03-05,120,0,0,0,70,\n"
        "A2,r4,2026-03-05,90,0,0,0,,\n"
        "A9,r5,2026-03-05,12,0,0,0,,\n"
    )
    strength = (
        "A1,s1,2026-03-02,nordic_curl,3,6,\nA1,s1,2026-03-02,moon_press,3,6,\nA2,s2,2026-03-03,back_squat,3,5,40\n"
    )
    injuries = "A1,achilles,2025-06-01,2025-08-01\nA2,mtss,2025-09-10,2025-09-01\n"
    from_csv = read_checked(write_folder(tmp_path / "csv", runs, strength, injuries))

    # Parquet holds typed columns (dates possibly with a time of day), which are taken as they are, not parsed.
    parquet = tmp_path / "parquet"
    parquet.mkdir()
    typed = Cohort(**read_tables(tmp_path / "csv")).normalised()
    for name, frame in zip(COLUMNS, typed.tables(), strict=True):
        for column in frame.columns.intersection(["date", "onset", "resolved"]):
            frame[column] += pd.Timedelta(hours=7)
        frame.to_parquet(parquet / f"{name}.parquet", index=False)
    from_parquet = read_checked(parquet)

    columns = ["table", "row", "athlete_id", "reason"]
    pd.testing.assert_frame_equal(from_parquet.rejects[columns], from_csv.rejects[columns])
    assert len(from_csv.rejects) == 7
    for table, expected in zip(from_parquet.cohort.tables(), from_csv.cohort.tables(), strict=True):
        pd.testing.assert_frame_equal(table, expected)

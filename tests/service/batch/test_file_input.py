"""A cohort folder whose runs are activity files: read as the upload reads them, bad files rejected with a reason."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd

from service.batch.input import read_checked
from service.batch.job import ExitCode
from service.imports.detect import Limits
from tests.conftest import Trained
from tests.service.batch.test_input import PROFILES, score
from tests.service.imports.activity_files import Segment, fit_file, gpx_file, plan

LIMITS = Limits(file_bytes=1_000_000, archive_bytes=10_000_000, files=100)


def export_folder(root: Path) -> Path:
    (root / "profiles.csv").parent.mkdir(parents=True, exist_ok=True)
    (root / "profiles.csv").write_text(PROFILES)
    first = dt.datetime(2026, 2, 20, 7, tzinfo=dt.UTC)
    for athlete, offset in (("A1", 0), ("A2", 1)):
        folder = root / "activities" / athlete
        folder.mkdir(parents=True)
        for day in range(offset, 18, 2):
            points = plan(first + dt.timedelta(days=day), [Segment(1800, 3.0, 140), Segment(600, 3.8, 160)], every_s=30)
            (folder / f"{day:02d}.fit").write_bytes(fit_file(points))
            if day == offset:  # the same run exported again as GPX: kept once
                (folder / f"{day:02d}.gpx").write_bytes(gpx_file(points))
    (root / "activities" / "A1" / "broken.fit").write_bytes(fit_file(plan(first, [Segment(600)]))[:120])
    return root


def test_activity_files_become_runs_and_a_bad_file_a_reject(tmp_path: Path):
    checked = read_checked(export_folder(tmp_path / "in"), LIMITS)
    runs = checked.cohort.runs
    assert runs.groupby("athlete_id")["activity_id"].count().to_dict() == {"A1": 9, "A2": 9}
    assert runs["km"].min() > 7.5 and runs["km_threshold"].min() > 2.2  # 160 bpm: 87-89% of 208 - 0.7 x age
    assert list(checked.rejects["table"]) == ["activity_files"]
    assert checked.rejects["reason"].iloc[0].startswith("a truncated or corrupt FIT file")
    assert checked.rejects["record"].iloc[0].endswith("A1/broken.fit")


def test_scoring_a_folder_of_activity_files_scores_every_athlete_and_exits_3_for_the_bad_file(
    trained: Trained, tmp_path: Path, monkeypatch
):
    out = tmp_path / "risk"
    result = score(trained, export_folder(tmp_path / "in"), out, monkeypatch)
    assert result.exit_code == ExitCode.rows_rejected, result.output
    assert len(pd.read_csv(out / "_rejects.csv")) == 1
    assert '"athletes_scored": 2' in result.stdout


def test_profile_reading_columns_set_the_local_day_and_a_bad_one_rejects_that_athletes_files(tmp_path: Path):
    root = tmp_path / "in"
    (root / "activities" / "A1").mkdir(parents=True)
    (root / "activities" / "A2").mkdir(parents=True)
    profiles = PROFILES.replace("height_cm\n", "height_cm,timezone\n").replace("165\n", "165,Asia/Tokyo\n")
    (root / "profiles.csv").write_text(profiles.replace("180\n", "180,Moon/Base\n"))
    evening = plan(dt.datetime(2026, 3, 1, 20, tzinfo=dt.UTC), [Segment(1800)], every_s=30)
    (root / "activities" / "A1" / "late.gpx").write_bytes(gpx_file(evening))
    (root / "activities" / "A2" / "late.gpx").write_bytes(gpx_file(evening))
    checked = read_checked(root, LIMITS)
    assert checked.cohort.runs["date"].tolist() == [pd.Timestamp("2026-03-02")]  # 05:00 the next day in Tokyo
    assert checked.rejects["athlete_id"].tolist() == ["A2"]
    assert "profile column timezone" in checked.rejects["reason"].iloc[0]

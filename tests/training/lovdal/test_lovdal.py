"""Importing the Lövdal et al. 2021 day-approach format and the paper's any-injury protocol."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from tests.factories import gapped_day_file
from training.cli import import_lovdal as import_command
from training.domain.cohort_io import read_cohort
from training.lovdal.importer import (
    DAY_ZERO,
    DEFAULT_PROFILE,
    WINDOW_DAYS,
    import_lovdal,
    read_as_rest,
)
from training.lovdal.protocol import train_lovdal


def test_shared_fixture_imports_one_day_per_date_with_the_newest_block_last(shared_head: Path):
    raw = pd.read_csv(shared_head)
    result = import_lovdal(shared_head)
    daily = result.daily
    assert len(daily) == raw["Date"].max() + WINDOW_DAYS
    # Day Date+6 is the ".6" block of that row.
    last = raw.iloc[-1]
    day = daily.iloc[int(last["Date"]) + 6]
    assert day["km"] == last["total km.6"] and day["km_threshold"] == last["km Z3-4.6"]
    assert (result.cohort.runs["km"] > 0).all()
    assert len(result.cohort.runs) == int((daily["km"] > 0).sum())


def test_generated_file_imports_injuries_the_day_after_the_window(day_file: Path, tmp_path: Path):
    raw = pd.read_csv(day_file)
    out = import_command(day_file, out=tmp_path / "cohort")
    onsets = pd.read_csv(out / "onsets.csv", parse_dates=["onset"], dtype={"athlete_id": str})
    assert len(onsets) == int(raw["injury"].sum())
    first = raw[raw["injury"] == 1].iloc[0]
    days = (onsets.loc[onsets["athlete_id"] == str(int(first["Athlete ID"])), "onset"] - DAY_ZERO).dt.days
    assert days.min() == first["Date"] + WINDOW_DAYS
    cohort = read_cohort(out)
    assert set(cohort.runs["athlete_id"]) <= set(cohort.profiles["athlete_id"])
    # The file's injuries are of no known kind: labels in onsets.csv, not an injury history the features would read.
    assert cohort.injuries.empty


def test_each_stretch_of_observed_days_is_a_log_from_its_first_day(tmp_path: Path):
    path = tmp_path / "gapped.csv"
    gapped_day_file(athletes=2, days=120, injury_days=(50,)).to_csv(path, index=False)
    result = import_lovdal(path)
    # Rows 0..28 cover days 0..34, the injury row 50 days 50..56, rows 72..112 days 72..118: three stretches each.
    logs = result.logs.set_index("log_id")
    assert list(logs.index) == ["0:0", "0:50", "0:72", "1:0", "1:50", "1:72"]
    assert list((logs["last_day"] - DAY_ZERO).dt.days) == [34, 56, 118] * 2
    profiles = result.cohort.profiles.set_index("athlete_id")
    assert (profiles.loc[list(logs.index), "log_start"].to_numpy() == logs["log_start"].to_numpy()).all()
    assert (profiles[list(DEFAULT_PROFILE)] == pd.Series(DEFAULT_PROFILE)).all().all()
    runs = result.cohort.runs.merge(result.logs, left_on="athlete_id", right_on="log_id")
    assert runs["date"].between(runs["log_start"], runs["last_day"]).all()
    assert list(result.onsets["log_id"]) == ["0:50", "1:50"]
    assert (result.onsets["onset"] == DAY_ZERO + pd.Timedelta(days=57)).all()
    # Read the earlier way, every absent day is a rest day of one log per athlete.
    assert list(read_as_rest(result).profiles["athlete_id"]) == ["0", "1"]


def test_paper_protocol_tests_on_the_ten_last_recruited_athletes(day_file: Path):
    result = train_lovdal(day_file)
    raw = pd.read_csv(day_file)
    assert result.test_rows == int((raw["Athlete ID"] >= raw["Athlete ID"].max() - 9).sum())
    # The generated injuries follow the 7-day load, so a model of the window must rank better than chance.
    assert result.test_roc_auc > 0.6

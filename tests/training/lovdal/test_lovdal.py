"""Importing the Lövdal et al. 2021 day-approach format and the paper's any-injury protocol."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from training.cli import import_lovdal as import_command
from training.domain.cohort_io import read_cohort
from training.lovdal.importer import WINDOW_DAYS, import_lovdal, synthetic_day_file
from training.lovdal.protocol import train_lovdal

SHARED_FIXTURE = Path(__file__).resolve().parents[4] / "shared" / "data" / "lovdal_day_head.csv"


@pytest.fixture(scope="module")
def generated_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("lovdal") / "day_approach.csv"
    synthetic_day_file(athletes=25, days=200, seed=1).to_csv(path, index=False)
    return path


@pytest.mark.skipif(not SHARED_FIXTURE.exists(), reason=f"shared Lövdal fixture not found at {SHARED_FIXTURE}")
def test_shared_fixture_imports_one_day_per_date_with_the_newest_block_last():
    raw = pd.read_csv(SHARED_FIXTURE)
    result = import_lovdal(SHARED_FIXTURE)
    daily = result.daily
    assert len(daily) == raw["Date"].max() + WINDOW_DAYS
    # Day Date+6 is the ".6" block of that row.
    last = raw.iloc[-1]
    day = daily.iloc[int(last["Date"]) + 6]
    assert day["km"] == last["total km.6"] and day["km_threshold"] == last["km Z3-4.6"]
    assert (result.cohort.runs["km"] > 0).all()
    assert len(result.cohort.runs) == int((daily["km"] > 0).sum())


def test_generated_file_imports_injuries_the_day_after_the_window(generated_file: Path, tmp_path: Path):
    raw = pd.read_csv(generated_file)
    out = import_command(generated_file, out=tmp_path / "cohort")
    cohort = read_cohort(out)
    assert len(cohort.injuries) == int(raw["injury"].sum())
    first = raw[raw["injury"] == 1].iloc[0]
    onsets = cohort.injuries.loc[cohort.injuries["athlete_id"] == str(int(first["Athlete ID"])), "onset"]
    assert (onsets - pd.Timestamp("2000-01-01")).dt.days.min() == first["Date"] + WINDOW_DAYS
    assert set(cohort.runs["athlete_id"]) <= set(cohort.profiles["athlete_id"])


def test_paper_protocol_tests_on_the_ten_last_recruited_athletes(generated_file: Path):
    result = train_lovdal(generated_file)
    raw = pd.read_csv(generated_file)
    assert result.test_rows == int((raw["Athlete ID"] >= raw["Athlete ID"].max() - 9).sum())
    # The generated injuries follow the 7-day load, so a model of the window must rank better than chance.
    assert result.test_roc_auc > 0.6

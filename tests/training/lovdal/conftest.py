"""Day-approach files for the Lövdal tests: generated ones (the real file is not shipped), and the shared head of
the real file where it is present."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from training.lovdal.importer import METRICS, NO_TRAINING, WINDOW_DAYS, column, synthetic_day_file
from training.lovdal.marginals import COMPETITIVE, simulated_days
from training.simulation.simulate import simulate

# Beside the project, never copied into it (shared/data/README.md): the head of the real file and the whole file.
SHARED_DATA = Path(__file__).resolve().parents[4] / "shared" / "data"
SHARED_HEAD = SHARED_DATA / "lovdal_day_head.csv"
REAL_FILE = SHARED_DATA / "lovdal" / "day_approach_maskedID_timeseries.csv.gz"


@pytest.fixture
def shared_head() -> Path:
    """The header and first 13 rows of the real file; the test is skipped where it is absent."""
    if not SHARED_HEAD.exists():
        pytest.skip(f"shared Lövdal fixture not found at {SHARED_HEAD}")
    return SHARED_HEAD


@pytest.fixture
def real_file() -> Path:
    """The whole real file; the test is skipped where it is absent."""
    if not REAL_FILE.exists():
        pytest.skip(f"the Lövdal file is not at {REAL_FILE}")
    return REAL_FILE


@pytest.fixture(scope="session")
def day_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A generated day-approach file (24 athletes x 120 days) whose injuries follow the 7-day load."""
    path = tmp_path_factory.mktemp("lovdal") / "day_approach.csv"
    synthetic_day_file(athletes=24, days=120, seed=2).to_csv(path, index=False)
    return path


def simulated_day_file(athletes: int, seed: int) -> pd.DataFrame:
    """Competitive-profile runners written in the day-approach layout: every 7-day window of each athlete, injury 1
    when an onset falls on the day after the window (as the file labels its rows)."""
    days = simulated_days(simulate(COMPETITIVE.model_copy(update={"athletes": athletes, "seed": seed})))
    km = days["km"]
    trained = (days["sessions"] > 0).astype(float)
    daily = {
        "nr. sessions": days["sessions"],
        "total km": km,
        "km Z3-4": days["km_threshold"],
        "km Z5-T1-T2": days["km_interval"],
        "km sprinting": days["km_sprint"],
        "strength training": (days["strength"] > 0).astype(float),
        "hours alternative": np.zeros_like(km),
        "perceived exertion": np.where(trained > 0, 0.5, NO_TRAINING),
        "perceived trainingSuccess": np.where(trained > 0, 0.5, NO_TRAINING),
        "perceived recovery": np.where(trained > 0, 0.5, NO_TRAINING),
    }
    starts = km.shape[1] - WINDOW_DAYS
    columns = {
        column(metric, day): daily[metric][:, day : day + starts].reshape(-1)
        for day in range(WINDOW_DAYS)
        for metric in METRICS
    }
    columns["Athlete ID"] = np.repeat(np.arange(km.shape[0]), starts)
    columns["injury"] = (days["onsets"][:, WINDOW_DAYS:] > 0).astype(int).reshape(-1)
    columns["Date"] = np.tile(np.arange(starts), km.shape[0])
    return pd.DataFrame(columns)


@pytest.fixture(scope="session")
def competitive_day_file() -> pd.DataFrame:
    """400 competitive-profile runners for a year, as a day-approach file (enough onsets to compare incidences)."""
    return simulated_day_file(athletes=400, seed=21)

"""Day-approach files for the Lövdal tests: generated ones (the real file is not shipped), and the shared head of
the real file where it is present."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from training.lovdal.importer import METRICS, NO_TRAINING, WINDOW_DAYS, column
from training.lovdal.marginals import COMPETITIVE, simulated_days
from training.simulation.simulate import simulate


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

"""Short histories in training: a share of athletes starts its log late, and none of their rows precede it."""

from __future__ import annotations

import pandas as pd
import pytest

from training.fitting.labels import labelled_rows
from training.fitting.log_starts import from_log_start, with_random_log_starts
from training.simulation.simulate import SimulationConfig, simulate


@pytest.fixture(scope="module")
def small_simulation():
    return simulate(SimulationConfig(athletes=40, days=150, seed=5))


def test_a_share_of_athletes_starts_late_and_no_row_precedes_its_start(small_simulation):
    started = with_random_log_starts(small_simulation, share=0.5, seed=1)
    starts = started.cohort.profiles.set_index("athlete_id")["log_start"]
    assert 10 <= starts.notna().sum() <= 30
    first = pd.Timestamp(small_simulation.config.start_date)
    assert starts.dropna().between(first, first + pd.Timedelta(days=150)).all()
    rows = from_log_start(labelled_rows(started, 7, 42), started)
    start_of_row = rows["athlete_id"].map(starts)
    assert (start_of_row.isna() | (rows["date"] >= start_of_row)).all()
    # The first day of a late log knows nothing older: its 28-day features are missing, not zero.
    fresh = rows[rows["date"] == start_of_row]
    assert len(fresh) and fresh["km_28d"].isna().all() and fresh["acwr_ewma"].isna().all()
    complete = rows[start_of_row.isna()]
    assert complete["km_28d"].notna().all()


def test_no_share_leaves_the_simulation_as_it_was(small_simulation):
    assert with_random_log_starts(small_simulation, share=0.0, seed=1) is small_simulation

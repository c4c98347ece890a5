"""Simulated weekly marginals next to the Lövdal cohort's: measures by hand, every measure on both sides, and the
competitive profile within its stated tolerances where it was set from the file."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from training.cli import simulator_vs_real
from training.lovdal.importer import read_day_file, synthetic_day_file
from training.lovdal.marginal_plots import PLOT_FILES
from training.lovdal.marginals import (
    COMPETITIVE,
    TOLERANCES,
    comparison,
    lovdal_marginals,
    simulated_marginals,
    week_measures,
)
from training.simulation.simulate import SimulationConfig, simulate

REAL_FILE = (
    Path(__file__).resolve().parents[4] / "shared" / "data" / "lovdal" / "day_approach_maskedID_timeseries.csv.gz"
)


def test_weekly_measures_follow_hand_counts():
    km = np.array([[10.0, 0, 10, 0, 30, 0, 0], [5, 5, 5, 5, 5, 5, 0]])
    sessions = np.array([[1, 1, 1, 0, 1, 0, 0], [1, 1, 1, 1, 1, 1, 0]])
    threshold = np.array([[2.0, 0, 0, 0, 0, 0, 0], [0, 0, 0, 0, 0, 0, 0]])
    measures = week_measures(km, sessions, threshold, np.zeros_like(km))
    assert measures["weekly_km_p50"] == pytest.approx(40.0)
    assert measures["running_days_per_week"] == pytest.approx(4.5)
    assert measures["rest_days_per_week"] == pytest.approx(2.0)
    assert measures["sessions_per_week"] == pytest.approx(5.0)
    assert measures["share_threshold_km"] == pytest.approx(2.0 / 80.0)
    # Week 1: 30 km against 10 km on the other running days is a spike; week 2 is even.
    assert measures["long_run_spike_weeks"] == pytest.approx(0.5)


def test_a_simulated_cohort_and_a_lovdal_file_give_every_measure():
    real = lovdal_marginals(synthetic_day_file(athletes=5, days=60, seed=1))
    simulated = simulated_marginals(simulate(SimulationConfig(athletes=30, days=70, seed=2)))
    table = comparison(real, simulated)
    assert list(table["measure"]) == list(TOLERANCES)
    assert np.isfinite(table[["real", "simulated"]].to_numpy(dtype=float)).all()


def test_the_comparison_command_writes_the_table_and_a_plot_per_marginal(tmp_path: Path):
    path = tmp_path / "day_approach.csv"
    synthetic_day_file(athletes=5, days=60, seed=1).to_csv(path, index=False)
    out = simulator_vs_real(path, out=tmp_path / "compared", athletes=20)
    assert "| weekly_km_p50 |" in (out / "simulator_vs_real.md").read_text(encoding="utf-8")
    for name in PLOT_FILES:
        assert (out / name).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", name


@pytest.mark.slow
@pytest.mark.skipif(not REAL_FILE.exists(), reason=f"the Lövdal file is not at {REAL_FILE}")
def test_the_competitive_profile_meets_the_real_weekly_km_it_was_set_from():
    real = lovdal_marginals(read_day_file(REAL_FILE))
    competitive = comparison(real, simulated_marginals(simulate(COMPETITIVE.model_copy(update={"athletes": 300}))))
    default = comparison(real, simulated_marginals(simulate(SimulationConfig(athletes=300))))
    within = competitive.set_index("measure")["within"]
    assert within[["weekly_km_p50", "running_days_per_week", "rest_days_per_week"]].all()
    assert not default.set_index("measure").loc["weekly_km_p50", "within"]

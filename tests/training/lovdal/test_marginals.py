"""Simulated weekly marginals next to the Lövdal cohort's: measures by hand, every measure on both sides, the
comparison failing on a marginal outside its tolerance, and the competitive profile's verdicts on the real file."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from training.cli import simulator_vs_real
from training.lovdal.importer import METRICS, WINDOW_DAYS, column, read_day_file, synthetic_day_file
from training.lovdal.marginal_plots import PLOT_FILES
from training.lovdal.marginals import (
    COMPETITIVE,
    TOLERANCES,
    comparison,
    lovdal_marginals,
    outside_tolerance,
    real_intervals,
    simulated_marginals,
    simulated_weeks,
    week_measures,
)
from training.simulation.simulate import SimulationConfig, simulate


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


def competitive_comparison(frame: pd.DataFrame, athletes: int = 400, seed: int = 7) -> pd.DataFrame:
    simulated = simulated_marginals(simulate(COMPETITIVE.model_copy(update={"athletes": athletes, "seed": seed})))
    return comparison(lovdal_marginals(frame), simulated)


def test_every_tolerance_states_its_reason():
    assert all(tolerance.reason for tolerance in TOLERANCES.values())
    assert set(competitive_comparison(synthetic_day_file(athletes=3, days=30), athletes=10)["reason"]) == {
        t.reason for t in TOLERANCES.values()
    }


def test_the_competitive_profile_is_within_every_tolerance_of_a_file_of_its_own_runners(
    competitive_day_file: pd.DataFrame,
):
    # Other runners of the same profile, read through the file's layout: any miss is the measuring, not the simulator.
    assert outside_tolerance(competitive_comparison(competitive_day_file)) == []


def test_competitive_runners_are_injured_more_a_year_but_about_as_often_per_running_hour():
    # Their doubles, longer weeks and off periods change exposure; the hazards are per exposure hour, so the rate per
    # running hour stays that of the default profile's experienced runners (speed work adds a little).
    competitive = simulated_weeks(simulate(COMPETITIVE.model_copy(update={"athletes": 400})))
    recreational = simulated_weeks(simulate(SimulationConfig(athletes=400, novice_share=0.0)))
    assert competitive.injuries / len(competitive.km) > recreational.injuries / len(recreational.km)
    ratio = competitive.injuries_per_1000h / recreational.injuries_per_1000h
    assert 0.5 < ratio < 2.0, ratio


def with_doubles(frame: pd.DataFrame) -> pd.DataFrame:
    """Two more sessions on every running day: far more doubles than the profile's runners run, and cross-training,
    which the log has no place for."""
    doubled = frame.copy()
    for day in range(WINDOW_DAYS):
        ran = doubled[column("total km", day)] > 0
        doubled.loc[ran, column("nr. sessions", day)] += 2
    return doubled


def with_more_km(frame: pd.DataFrame) -> pd.DataFrame:
    """Every distance 1.7 times longer (zone km too, so the intensity shares stay)."""
    longer = frame.copy()
    distance = [column(m, d) for d in range(WINDOW_DAYS) for m in METRICS if m.startswith(("total km", "km "))]
    longer[distance] *= 1.7
    return longer


def test_a_file_with_more_sessions_fails_the_comparison_on_sessions_only(competitive_day_file: pd.DataFrame):
    assert outside_tolerance(competitive_comparison(with_doubles(competitive_day_file))) == ["sessions_per_week"]


def test_a_file_with_longer_runs_fails_the_comparison_on_weekly_km(competitive_day_file: pd.DataFrame):
    outside = outside_tolerance(competitive_comparison(with_more_km(competitive_day_file)))
    assert {"weekly_km_p50", "weekly_km_p90"} <= set(outside)
    assert not {"share_threshold_km", "share_interval_km", "running_days_per_week", "rest_days_per_week"} & set(outside)


# The verdicts docs/real_runners.md reports for the full file (600 athletes, seed 7): what the simulator does not
# reproduce. A change to the simulator or the tolerances that moves one must update the docs with it.
OUTSIDE_ON_THE_REAL_FILE = ["injuries_per_1000h"]


@pytest.mark.slow
def test_the_competitive_profile_misses_on_the_real_file_only_the_marginals_the_docs_report(real_file: Path):
    real = read_day_file(real_file)
    assert outside_tolerance(competitive_comparison(real, athletes=600)) == OUTSIDE_ON_THE_REAL_FILE
    # The stated rule: each tolerance is about twice the half-width of the real value's athlete-resampled interval
    # (the 10th percentile's 5 km floor and the incidence's factor 2 have reasons of their own).
    intervals = real_intervals(real)
    half_width = (intervals["high"] - intervals["low"]) / 2
    measures = lovdal_marginals(real)
    for name, tolerance in TOLERANCES.items():
        if name not in ("weekly_km_p10", "injuries_per_1000h"):
            allowed = max(tolerance.relative * measures[name], tolerance.absolute)
            assert 1.5 * half_width[name] <= allowed <= 3 * half_width[name], name
    default = comparison(lovdal_marginals(real), simulated_marginals(simulate(SimulationConfig(athletes=600))))
    # The default (recreational) profile misses what the competitive one was set from.
    assert {"weekly_km_p50", "share_threshold_km", "share_interval_km"} <= set(outside_tolerance(default))

"""Feature values on small logs computed by hand."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from tests.factories import cohort, one_day
from training.domain.schema import INJURIES, Cohort
from training.features import FEATURES, compute_features, days_to_score, running_features, strength_features


def features_on(log, day: str) -> pd.Series:
    return compute_features(log, one_day("A1", day)).iloc[0]


def daily(start: str, kms: list[float]) -> list[tuple[str, float]]:
    days = pd.date_range(start, periods=len(kms), freq="D")
    return [(str(d.date()), km) for d, km in zip(days, kms, strict=True) if km > 0]


def test_weekly_sums_and_rolling_acwr_match_hand_computation():
    # 28 days: three weeks of 10 km/day then a week of 20 km/day.
    log = cohort(runs=daily("2026-01-01", [10.0] * 21 + [20.0] * 7))
    row = features_on(log, "2026-01-28")
    assert row["km_7d"] == 140.0
    assert row["km_28d"] == 350.0
    assert row["km_prev_7d"] == 70.0
    assert row["acwr_rolling"] == pytest.approx(140.0 / (350.0 / 4.0))
    assert row["week_change_pct"] == pytest.approx(1.0)
    assert row["runs_7d"] == 7.0


def test_longest_run_spike_compares_with_longest_run_of_previous_30_days():
    # A 10 km long run each week, then a 15 km run: a 50% spike, which stays visible for 7 days.
    log = cohort(runs=[("2026-02-01", 10.0), ("2026-02-08", 10.0), ("2026-02-15", 8.0), ("2026-02-20", 15.0)])
    assert features_on(log, "2026-02-20")["longest_run_spike_pct"] == pytest.approx(0.5)
    assert features_on(log, "2026-02-26")["longest_run_spike_pct"] == pytest.approx(0.5)
    assert features_on(log, "2026-02-27")["longest_run_spike_pct"] == 0.0
    assert features_on(log, "2026-02-19")["longest_run_spike_pct"] == 0.0
    assert features_on(log, "2026-02-20")["longest_run_7d_km"] == 15.0


def test_runs_older_than_30_days_are_no_reference_for_a_spike():
    log = cohort(runs=[("2026-01-01", 30.0), ("2026-02-05", 20.0), ("2026-02-06", 10.0)])
    # On 2026-02-05 the 30 km run is 35 days old: no reference, so the run counts as the largest spike band.
    assert features_on(log, "2026-02-05")["longest_run_spike_pct"] == 3.0


def test_monotony_is_mean_over_population_sd_of_daily_km():
    kms = [10.0, 0.0, 10.0, 0.0, 10.0, 0.0, 10.0]
    row = features_on(cohort(runs=daily("2026-03-01", kms)), "2026-03-07")
    mean = sum(kms) / 7
    sd = math.sqrt(sum((k - mean) ** 2 for k in kms) / 7)
    assert row["monotony_7d"] == pytest.approx(mean / sd)
    assert row["strain_7d"] == pytest.approx(40.0 * mean / sd)


def test_days_since_rest_counts_the_current_streak():
    row = features_on(cohort(runs=daily("2026-03-01", [5, 0, 5, 5, 5])), "2026-03-05")
    assert row["days_since_rest"] == 3.0


def test_acwr_is_missing_without_chronic_load():
    row = features_on(cohort(runs=[]), "2026-03-05")
    assert math.isnan(row["acwr_rolling"]) and math.isnan(row["acwr_ewma"])
    assert row["km_7d"] == 0.0


def test_strength_volume_counts_sets_times_reps_per_week_by_protected_injury():
    log = cohort(strength=[("2026-04-01", "nordic_curl", 3, 6), ("2026-04-08", "nordic_curl", 3, 8)])
    row = features_on(log, "2026-04-10")
    assert row["nordic_reps_per_week"] == pytest.approx((18 + 24) / 4)
    assert row["protective_reps_per_week_hamstring"] == pytest.approx((18 + 24) / 4)
    assert row["strength_sessions_per_week"] == pytest.approx(0.5)
    assert row["days_since_strength"] == 2.0


def test_injury_history_counts_prior_onsets_and_flags_ongoing_injury():
    log = cohort(
        runs=[("2026-05-01", 5.0)],
        injuries=[("achilles", "2025-06-01", "2025-08-01"), ("mtss", "2026-04-20", None)],
    )
    row = features_on(log, "2026-05-01")
    assert row["prior_achilles"] == 1.0
    assert row["days_since_achilles"] == (pd.Timestamp("2026-05-01") - pd.Timestamp("2025-06-01")).days
    assert row["prior_injuries"] == 2.0
    assert bool(row["injured_mtss"]) and not bool(row["injured_achilles"])
    assert math.isnan(row["days_since_pfps"])


def test_future_activities_do_not_change_a_day_features():
    past = daily("2026-01-01", [8.0, 0, 10.0, 12.0, 0, 8.0, 20.0] * 6)
    with_future = past + [("2026-03-01", 40.0)]
    before = features_on(cohort(runs=past), "2026-02-10")
    after = features_on(cohort(runs=with_future), "2026-02-10")
    pd.testing.assert_series_equal(before[FEATURES], after[FEATURES])


def test_a_day_scored_alone_equals_the_same_day_inside_a_long_history():
    log = cohort(
        runs=daily("2025-01-01", [8.0, 0, 10.3, 12.7, 0, 8.1, 21.9] * 60),
        strength=[("2025-06-01", "back_squat", 3, 6), ("2026-02-01", "eccentric_heel_drop", 3, 15)],
    )
    spans = days_to_score(log)
    history = compute_features(log, spans).set_index("date")
    for day in ["2025-04-01", "2025-12-31", "2026-02-15"]:
        alone = features_on(log, day)
        pd.testing.assert_series_equal(
            history.loc[pd.Timestamp(day), FEATURES], alone[FEATURES], check_names=False, rtol=0, atol=0
        )


def test_an_athlete_features_do_not_depend_on_the_other_athletes_scored_with_them():
    # Batch engines score many athletes per call (chunks, Spark buckets); each athlete must get its own-log answer.
    first = cohort(runs=daily("2026-01-01", [8.0, 0, 12.0] * 30), athlete_id="A1")
    second = cohort(
        runs=daily("2025-12-01", [30.0, 25.0, 0] * 30),
        injuries=[("mtss", "2026-01-10", "2026-02-01")],
        athlete_id="B2",
        sex="M",
    )
    pairs = zip(second.tables(), first.tables(), strict=True)
    together = Cohort(*(pd.concat([a, b], ignore_index=True) for a, b in pairs))
    spans = pd.DataFrame(
        {
            "athlete_id": ["B2", "A1"],
            "start": pd.to_datetime(["2026-01-05", "2026-01-20"]),
            "end": pd.to_datetime(["2026-02-20", "2026-03-01"]),
        }
    )
    both = compute_features(together, spans)
    alone = compute_features(first, spans[spans["athlete_id"] == "A1"])
    pd.testing.assert_frame_equal(both[both["athlete_id"] == "A1"].reset_index(drop=True), alone, check_exact=True)


def test_a_normalised_cohort_shares_no_data_with_the_one_it_comes_from():
    log = cohort(runs=daily("2026-01-01", [10.0, 12.0]))
    normalised = log.normalised()
    normalised.runs.loc[0, "km"] = 99.0
    normalised.runs.loc[0, "athlete_id"] = "B1"
    normalised.runs.loc[0, "date"] = pd.Timestamp("2020-01-01")
    assert log.runs.loc[0, ["athlete_id", "date", "km"]].tolist() == ["A1", pd.Timestamp("2026-01-01"), 10.0]


def test_running_and_strength_features_of_chosen_days_equal_the_whole_logs_at_those_days():
    rng = np.random.default_rng(11)
    days = 200
    km = rng.exponential(8.0, days) * (rng.random(days) < 0.6)
    daily = {
        "km": km,
        "km_threshold": km * 0.2,
        "km_interval": km * 0.1,
        "km_sprint": km * 0.02,
        "longest": km,
        "runs": (km > 0).astype("float64"),
        "srpe": km * 30.0,
        "sessions": (rng.random(days) < 0.2).astype("float64"),
        "nordic": rng.integers(0, 20, days).astype("float64"),
        "calf": rng.integers(0, 30, days).astype("float64"),
        **{f"protect_{k}": rng.integers(0, 10, days).astype("float64") for k in INJURIES},
    }
    at = np.array([0, 5, 6, 29, 30, 95, 96, 150, 199])
    for features in (running_features, strength_features):
        whole, chosen = features(daily), features(daily, at)
        for name, values in whole.items():
            assert np.array_equal(chosen[name], values[at], equal_nan=True), name

"""Unknown is not rest: features whose window reaches before the log's start are missing, known ones unchanged."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from tests.factories import cohort, one_day
from training.features import FEATURES, compute_features
from training.known_log import FEATURE_WINDOW_DAYS, STREAK_FEATURES


def daily(start: str, kms: list[float]) -> list[tuple[str, float]]:
    days = pd.date_range(start, periods=len(kms), freq="D")
    return [(str(d.date()), km) for d, km in zip(days, kms, strict=True) if km > 0]


def features_on(log, day: str) -> pd.Series:
    return compute_features(log, one_day("A1", day)).iloc[0]


RUNS = daily("2026-01-01", [8.0, 0.0, 12.0, 6.0, 0.0, 20.0, 5.0] * 20)
STRENGTH = [("2026-03-02", "nordic_curl", 3, 8), ("2026-03-20", "eccentric_heel_drop", 3, 15)]


def test_a_log_started_long_before_the_day_gives_the_complete_logs_features():
    complete = features_on(cohort(runs=RUNS, strength=STRENGTH), "2026-04-30")
    started = features_on(cohort(runs=RUNS, strength=STRENGTH, log_start="2026-01-01"), "2026-04-30")
    pd.testing.assert_series_equal(complete[FEATURES], started[FEATURES])


def test_features_whose_window_reaches_before_the_log_start_are_missing():
    # 10 days known: 7-day windows are computed, 14-, 28- and longer windows are unknown.
    row = features_on(cohort(runs=RUNS, strength=STRENGTH, log_start="2026-04-21"), "2026-04-30")
    for name, window in FEATURE_WINDOW_DAYS.items():
        assert math.isnan(row[name]) == (window > 10), name
    complete = features_on(cohort(runs=RUNS, strength=STRENGTH), "2026-04-30")
    for name in ("km_7d", "monotony_7d", "longest_run_7d_km", "runs_7d"):
        assert row[name] == complete[name]


def test_activities_before_the_log_start_are_not_read():
    late = cohort(runs=RUNS, log_start="2026-04-25")
    trimmed = cohort(runs=[(d, km) for d, km in RUNS if d >= "2026-04-25"], log_start="2026-04-25")
    pd.testing.assert_series_equal(
        features_on(late, "2026-05-01")[FEATURES], features_on(trimmed, "2026-05-01")[FEATURES]
    )


def test_an_unknown_day_is_not_read_as_rest():
    # Runs every day: a complete log with a fresh start reads the days before it as rest, a started one does not.
    every_day = daily("2026-05-01", [10.0] * 10)
    complete = features_on(cohort(runs=every_day), "2026-05-10")
    started = features_on(cohort(runs=every_day, log_start="2026-05-01"), "2026-05-10")
    assert complete["km_prev_7d"] == 30.0 and math.isnan(started["km_prev_7d"])
    assert complete["days_since_rest"] == 10.0 and math.isnan(started["days_since_rest"])


def test_a_streak_is_known_once_its_event_is_seen_after_the_log_start():
    log = cohort(runs=daily("2026-05-01", [10.0, 0.0, 10.0, 10.0]), log_start="2026-05-01")
    row = features_on(log, "2026-05-04")
    assert row["days_since_rest"] == 2.0
    assert math.isnan(row["days_since_strength"])
    with_session = cohort(strength=[("2026-05-02", "nordic_curl", 3, 8)], log_start="2026-05-01")
    assert features_on(with_session, "2026-05-04")["days_since_strength"] == 2.0


def test_a_day_before_the_log_start_has_every_log_feature_missing():
    row = features_on(cohort(runs=RUNS, log_start="2026-04-01"), "2026-03-31")
    for name in [*FEATURE_WINDOW_DAYS, *STREAK_FEATURES]:
        assert math.isnan(row[name]), name
    assert not np.isnan(row["age"])

"""Leak guards stop a run on data built to leak, naming the feature or check, and let honest data through."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import LogisticRegression

from training.evaluation.leak_guards import (
    LeakError,
    check_no_look_ahead,
    check_permuted_labels,
    check_single_features,
)
from training.features import FEATURES, compute_features, days_to_score
from training.lovdal.importer import DAY_ZERO, WINDOW_DAYS, import_lovdal, read_as_rest, synthetic_day_file
from training.lovdal.row_logs import row_features
from training.simulation.simulate import SimulationConfig, simulate


def rows_with(y: np.ndarray, **columns: np.ndarray) -> pd.DataFrame:
    return pd.DataFrame(columns).assign(label=y)


RNG = np.random.default_rng(0)
Y = (RNG.random(4000) < 0.05).astype(int)


def test_a_feature_that_gives_the_label_away_stops_the_run_naming_it():
    rows = rows_with(Y, noise=RNG.normal(size=len(Y)), leaky=Y + RNG.normal(scale=0.2, size=len(Y)))
    with pytest.raises(LeakError, match="leaky alone reaches a test ROC AUC"):
        check_single_features(rows, Y, ["noise", "leaky"], "built rows")


def test_missingness_that_marks_the_injuries_stops_the_run():
    marked = np.where(Y == 1, np.nan, RNG.normal(size=len(Y)))
    with pytest.raises(LeakError, match="marked"):
        check_single_features(rows_with(Y, marked=marked), Y, ["marked"], "built rows")


def test_an_allowed_feature_passes_and_is_still_reported():
    rows = rows_with(Y, leaky=Y.astype(float))
    aucs = check_single_features(rows, Y, ["leaky"], "built rows", allowed={"leaky": "the label itself, on purpose"})
    assert aucs["leaky"] == pytest.approx(1.0)


def test_too_few_onsets_are_reported_but_not_judged():
    y = np.zeros(500, dtype=int)
    y[:5] = 1
    aucs = check_single_features(rows_with(y, leaky=y.astype(float)), y, ["leaky"], "built rows")
    assert aucs["leaky"] == pytest.approx(1.0)


def gapped_day_file() -> pd.DataFrame:
    """A day-approach file laid out as the real one: labels are pure chance (two onsets per athlete, unrelated to
    training), and the rows within 21 days of each injury row are removed."""
    frame = synthetic_day_file(athletes=30, days=220, seed=4)
    frame["injury"] = 0
    onsets = frame["Date"].isin([60, 150])
    frame.loc[onsets, "injury"] = 1
    near = np.zeros(len(frame), dtype=bool)
    for day in (60, 150):
        near |= (frame["Date"] - day).abs().between(1, 21)
    return frame[~near].reset_index(drop=True)


def test_reading_the_absent_days_of_a_lovdal_file_as_rest_trips_the_single_feature_guard(tmp_path):
    frame = gapped_day_file()
    path = tmp_path / "gapped.csv"
    frame.to_csv(path, index=False)
    cohort = read_as_rest(import_lovdal(path))
    scored = DAY_ZERO + pd.to_timedelta(frame["Date"] + WINDOW_DAYS - 1, unit="D")
    athletes = frame["Athlete ID"].astype(str)
    # The trap: the imported days as one complete log per athlete, unknown days read as rest.
    every_day = compute_features(cohort, days_to_score(cohort))
    as_rest = pd.DataFrame({"athlete_id": athletes, "date": scored}).merge(
        every_day.assign(athlete_id=every_day["athlete_id"].astype(str)), on=["athlete_id", "date"], how="left"
    )
    y = frame["injury"].to_numpy()
    with pytest.raises(LeakError, match="alone reaches a test ROC AUC") as tripped:
        check_single_features(as_rest, y, FEATURES, "gapped file read as rest")
    assert any(name in str(tripped.value) for name in ("km_prev_7d", "km_28d", "acwr", "week_change", "spike"))
    # The import's logs (one per stretch of observed days) read no absent day as rest, but an injury row's stretch is
    # short (its neighbours were removed): which windows are missing gives the label away, so they are for scoring.
    imported = import_lovdal(path)
    spans = imported.logs.drop(columns="athlete_id").rename(
        columns={"log_id": "athlete_id", "log_start": "start", "last_day": "end"}
    )
    stretches = compute_features(imported.cohort, spans[["athlete_id", "start", "end"]])
    stretches = stretches.assign(athlete_id=stretches["athlete_id"].astype(str).str.split(":").str[0])
    by_stretch = pd.DataFrame({"athlete_id": athletes, "date": scored}).merge(
        stretches, on=["athlete_id", "date"], how="left"
    )
    with pytest.raises(LeakError, match="missing values included"):
        check_single_features(by_stretch, y, FEATURES, "gapped file, one log per stretch")
    # Each row as a log from its window's first day: the labels are chance, and nothing stands out.
    aucs = check_single_features(row_features(frame), y, FEATURES, "gapped file, row logs")
    assert max(aucs.values()) < 0.75


def three_days_ahead(cohort, spans):
    """A feature function that reads the future: each day gets the features of three days later."""
    later = compute_features(
        cohort, spans.assign(start=spans["start"] + pd.Timedelta(days=3), end=spans["end"] + pd.Timedelta(days=3))
    )
    return later.assign(date=later["date"] - pd.Timedelta(days=3))


@pytest.fixture(scope="module")
def small_simulation():
    return simulate(SimulationConfig(athletes=30, days=120, seed=3))


def test_features_that_read_later_days_trip_the_look_ahead_guard(small_simulation):
    cohort = small_simulation.cohort
    spans = days_to_score(cohort, start=pd.Timestamp(small_simulation.config.start_date) + pd.Timedelta(days=30))
    honest = compute_features(cohort, spans)
    assert check_no_look_ahead(cohort, honest, FEATURES, seed=1) > 0
    leaky = three_days_ahead(cohort, spans)
    with pytest.raises(LeakError, match="look-ahead"):
        check_no_look_ahead(cohort, leaky, FEATURES, seed=1, features_of=three_days_ahead)


def test_a_model_that_finds_the_labels_elsewhere_trips_the_permuted_label_guard():
    rng = np.random.default_rng(5)
    x = rng.normal(size=(3000, 3))
    y = (rng.random(3000) < 1 / (1 + np.exp(-(2.5 * x[:, 0] - 3)))).astype(int)
    train, test = slice(0, 2000), slice(2000, 3000)

    def honest(labels: np.ndarray) -> np.ndarray:
        return LogisticRegression().fit(x[train], labels).predict_proba(x[test])[:, 1]

    def reads_the_true_labels(labels: np.ndarray) -> np.ndarray:
        return LogisticRegression().fit(x[train], y[train]).predict_proba(x[test])[:, 1]

    assert abs(check_permuted_labels(honest, y[train], y[test], "built rows", seed=1) - 0.5) < 0.15
    with pytest.raises(LeakError, match="permuted labels"):
        check_permuted_labels(reads_the_true_labels, y[train], y[test], "built rows", seed=1)

"""Labels: onset within the horizon, with injured and censored days left out."""

from __future__ import annotations

import numpy as np
import pandas as pd

from training.fitting.labels import long_label_column, onset_labels


def rows(days: list[str], injured_mtss: list[bool] | None = None) -> pd.DataFrame:
    frame = pd.DataFrame({"athlete_id": "A1", "date": pd.to_datetime(days)})
    for kind in ("pfps", "mtss", "hamstring", "achilles"):
        frame[f"injured_{kind}"] = False
    if injured_mtss:
        frame["injured_mtss"] = injured_mtss
    return frame


def test_onset_within_horizon_is_positive_and_same_day_is_not():
    injuries = pd.DataFrame(
        {
            "athlete_id": ["A1"],
            "kind": ["mtss"],
            "onset": pd.to_datetime(["2026-01-10"]),
            "resolved": pd.to_datetime(["2026-02-10"]),
        }
    )
    frame = rows(["2026-01-02", "2026-01-03", "2026-01-09", "2026-01-10"], [False, False, False, True])
    labels = onset_labels(frame, injuries, pd.Series({"A1": pd.Timestamp("2026-06-01")}), horizon_days=7)
    # Jan 2 is 8 days before onset: outside; Jan 3 and 9 inside; Jan 10 the athlete is injured: unlabelled.
    assert labels["label_mtss"].iloc[:3].tolist() == [0.0, 1.0, 1.0]
    assert np.isnan(labels["label_mtss"].iloc[3])
    assert labels["label_pfps"].tolist() == [0.0, 0.0, 0.0, 0.0]


def test_days_whose_horizon_passes_the_observed_end_are_unlabelled():
    injuries = pd.DataFrame(columns=["athlete_id", "kind", "onset", "resolved"])
    injuries["onset"] = pd.to_datetime(injuries["onset"])
    frame = rows(["2026-01-01", "2026-01-25"])
    labels = onset_labels(frame, injuries, pd.Series({"A1": pd.Timestamp("2026-01-30")}), horizon_days=7)
    assert labels["label_achilles"].iloc[0] == 0.0 and np.isnan(labels["label_achilles"].iloc[1])


def test_an_onset_three_weeks_ahead_is_outside_7_days_and_inside_28():
    injuries = pd.DataFrame(
        {
            "athlete_id": ["A1"],
            "kind": ["pfps"],
            "onset": pd.to_datetime(["2026-01-22"]),
            "resolved": pd.to_datetime(["2026-02-10"]),
        }
    )
    frame = rows(["2026-01-01", "2026-01-02", "2026-01-15"])
    end = pd.Series({"A1": pd.Timestamp("2026-06-01")})
    week = onset_labels(frame, injuries, end, horizon_days=7)
    month = onset_labels(frame, injuries, end, horizon_days=28, column=long_label_column)
    assert week["label_pfps"].tolist() == [0.0, 0.0, 1.0]
    # Jan 1 is 21 days before the onset, Jan 2 20 days: both within 28 days.
    assert month["label_28d_pfps"].tolist() == [1.0, 1.0, 1.0]
    assert list(month.columns) == [f"label_28d_{kind}" for kind in ("pfps", "mtss", "hamstring", "achilles")]

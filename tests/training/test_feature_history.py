"""Injury-history features of several athletes and kinds at once, computed by hand."""

from __future__ import annotations

import numpy as np

from training.domain.schema import INJURIES
from training.feature_history import history_features


def test_each_athletes_history_counts_only_their_own_injuries_of_each_kind():
    # Athlete 0: achilles onsets on days 10 and 40 (back on 20 and 50), mtss from day 30, never back.
    # Athlete 1: one achilles onset on day 35, back on day 60. Rows: both athletes on days 5, 45 and 70.
    code = np.array([0, 0, 0, 1, 1, 1])
    day = np.array([5, 45, 70, 5, 45, 70])
    history = history_features(
        code,
        day,
        injury_code=np.array([1, 0, 0, 0]),
        kinds=np.array(["achilles", "mtss", "achilles", "achilles"], dtype=object),
        onset=np.array([35, 30, 40, 10]),
        onset_known=np.ones(4, dtype=bool),
        resolved=np.array([60, 0, 50, 20]),
        resolved_known=np.array([True, False, True, True]),
    )
    nan = np.nan
    np.testing.assert_array_equal(history["prior_achilles"], [0.0, 2.0, 2.0, 0.0, 1.0, 1.0])
    np.testing.assert_array_equal(history["days_since_achilles"], [nan, 5.0, 30.0, nan, 10.0, 35.0])
    np.testing.assert_array_equal(history["injured_achilles"], [False, True, False, False, True, False])
    np.testing.assert_array_equal(history["prior_mtss"], [0.0, 1.0, 1.0, 0.0, 0.0, 0.0])
    np.testing.assert_array_equal(history["injured_mtss"], [False, True, True, False, False, False])
    np.testing.assert_array_equal(history["prior_injuries"], [0.0, 3.0, 3.0, 0.0, 1.0, 1.0])
    np.testing.assert_array_equal(history["days_since_return"], [nan, 25.0, 20.0, nan, nan, 10.0])
    for kind in set(INJURIES) - {"achilles", "mtss"}:
        np.testing.assert_array_equal(history[f"prior_{kind}"], np.zeros(6))
        assert np.isnan(history[f"days_since_{kind}"]).all()


def test_history_without_injuries_is_empty_not_an_error():
    history = history_features(
        np.array([0, 0]),
        np.array([5, 6]),
        injury_code=np.array([], dtype=np.int64),
        kinds=np.array([], dtype=object),
        onset=np.array([], dtype=np.int64),
        onset_known=np.array([], dtype=bool),
        resolved=np.array([], dtype=np.int64),
        resolved_known=np.array([], dtype=bool),
    )
    np.testing.assert_array_equal(history["prior_injuries"], [0.0, 0.0])
    assert np.isnan(history["days_since_return"]).all()
    assert not history[f"injured_{INJURIES[0]}"].any()

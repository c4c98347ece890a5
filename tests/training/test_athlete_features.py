"""Features read from one athlete's arrays built once for a longer range equal those of a range of their own."""

from __future__ import annotations

import numpy as np
import pytest

from service.api.routes.risk import EXAMPLE
from service.assessment.request_log import request_log
from service.schemas.risk import RiskRequest
from training.athlete_features import LogDays, athlete_features, day_features, plan_features
from training.domain.athlete_log import RunArrays, day_number
from training.domain.catalogue import default_catalogue


def _example_log(log_start: str | None = None):
    body = {**EXAMPLE, "log_start": log_start} if log_start else EXAMPLE
    return request_log(RiskRequest.model_validate(body)), day_number(RiskRequest.model_validate(body).as_of)


@pytest.mark.parametrize("log_start", [None, "2026-10-15"])
def test_a_day_read_from_a_longer_range_has_the_features_of_its_own_range(log_start):
    log, as_of = _example_log(log_start)
    longer = LogDays.of(log, as_of - 3, as_of + 7, default_catalogue())
    for first, last in [(as_of, as_of), (as_of - 3, as_of + 2), (as_of + 1, as_of + 7)]:
        alone = athlete_features(log, first, last, default_catalogue())
        read = day_features(longer, first, last)
        assert list(read) == list(alone)
        for name in alone:
            np.testing.assert_array_equal(read[name], alone[name], err_msg=name)


def test_planned_weeks_read_from_a_longer_range_have_the_features_of_their_own_range():
    log, as_of = _example_log()
    day = np.array([as_of + 2, as_of + 5, as_of + 3])
    none = np.zeros(3)
    planned = RunArrays(day, np.array([6.0, 21.0, 9.0]), none, none, none, none + np.nan, none + np.nan)
    plan = np.array([0, 0, 1])
    own = LogDays.of(log, as_of + 1, as_of + 7, default_catalogue())
    longer = LogDays.of(log, as_of, as_of + 7, default_catalogue())
    alone = plan_features(own, 3, planned, plan, as_of + 1, as_of + 7)
    read = plan_features(longer, 3, planned, plan, as_of + 1, as_of + 7)
    assert len(read["km_7d"]) == 3 * 7
    for name in alone:
        np.testing.assert_array_equal(read[name], alone[name], err_msg=name)
    # The copies differ where their planned runs do: the week with a 21 km run is the heavier one.
    assert read["km_7d"][6] > read["km_7d"][13] > read["km_7d"][20]


def test_days_outside_the_built_range_are_refused():
    log, as_of = _example_log()
    days = LogDays.of(log, as_of, as_of + 7, default_catalogue())
    with pytest.raises(ValueError, match="not within"):
        day_features(days, as_of - 1, as_of)

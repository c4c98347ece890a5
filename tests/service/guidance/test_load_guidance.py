"""Load guidance: candidate weeks scored by the model; the range widens with the target and is read from passing
weeks."""

from __future__ import annotations

from itertools import pairwise

import pandas as pd
import pytest

from service.guidance.load_guidance import load_guidance
from tests.conftest import Trained
from tests.factories import cohort, one_day
from training.model.scoring import score

AS_OF = pd.Timestamp("2026-06-30")


@pytest.fixture(scope="module")
def steady(trained: Trained):
    """Ten weeks of 4 runs a week (8 km, with a 14 km long run) and the scored row for as_of."""
    runs = [
        (str((AS_OF - pd.Timedelta(days=i)).date()), 8.0 if i % 7 else 14.0) for i in range(70) if i % 7 in (0, 2, 4, 5)
    ]
    log = cohort(runs=runs)
    return log, score(log, one_day("A1", str(AS_OF.date())), trained.result.model).iloc[0]


def guidance(trained: Trained, steady, target: float):
    log, today = steady
    return load_guidance(log, "A1", AS_OF, today, trained.result.model, target)


def test_with_an_unreachable_bar_every_candidate_week_passes(trained: Trained, steady):
    result = guidance(trained, steady, target=1e9)
    chronic = steady[1]["km_28d"] / 4
    assert result.chronic_weekly_km == pytest.approx(chronic)
    assert result.km_low == pytest.approx(round(0.5 * chronic, 1))
    assert result.km_high == pytest.approx(round(1.75 * chronic, 1))
    assert result.longest_run_recent_km == 14.0
    assert 14.0 < result.longest_run_cap_km <= 0.6 * result.km_high + 1e-9


def test_a_higher_target_never_narrows_the_guidance(trained: Trained, steady):
    results = [guidance(trained, steady, target) for target in (0.5, 1.0, 2.0, 4.0, 1e9)]
    passing = [r for r in results if r.km_high is not None]
    assert passing and passing[-1] is results[-1]
    for lower, higher in pairwise(passing):
        assert higher.km_high >= lower.km_high and higher.longest_run_cap_km >= lower.longest_run_cap_km
    for r in results:
        assert r.plans_checked == results[0].plans_checked
        assert r.reasoning[0].startswith("Your chronic load is 38 km a week")  # 8 + 8 + 8 + 14 km

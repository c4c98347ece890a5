"""The fair oracle uses only hazards up to day t; the future-exposure oracle uses days t+1..t+H."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from training.domain.schema import INJURIES
from training.evaluation.oracles import known_at_t_risk, oracle_columns


def _oracle(hazards: list[float]) -> pd.DataFrame:
    frame = pd.DataFrame(
        {
            "athlete_id": pd.Series(["A"] * len(hazards), dtype="string"),
            "date": pd.date_range("2024-01-01", periods=len(hazards)),
        }
    )
    for kind in INJURIES:
        frame[f"hazard_{kind}"] = hazards
    return frame


def test_fair_oracle_sums_the_last_horizon_days_including_today():
    hazards = [0.01 * (i + 1) for i in range(10)]
    risk = known_at_t_risk(_oracle(hazards), horizon_days=3)
    assert np.isnan(risk["risk_pfps"].iloc[2])
    assert risk["risk_pfps"].iloc[5] == pytest.approx(1 - np.exp(-(0.04 + 0.05 + 0.06)))


def test_fair_oracle_ignores_the_future_and_the_future_oracle_does_not():
    calm, stormy = [0.001] * 20, [0.001] * 10 + [0.05] * 10
    day = 9  # the last calm day
    fair = [oracle_columns(_oracle(h), 7)["oracle_fair_mtss"].iloc[day] for h in (calm, stormy)]
    future = [oracle_columns(_oracle(h), 7)["oracle_mtss"].iloc[day] for h in (calm, stormy)]
    assert fair[0] == fair[1]
    assert future[1] > 10 * future[0]


def test_the_true_28_day_risk_sums_28_days_of_hazard_and_carries_an_onsets_hazard_on():
    # 0.001 a day, then an onset on day 40: the simulator records no hazard while injured.
    hazards = [0.001] * 40 + [0.004] + [0.0] * 39
    long = oracle_columns(_oracle(hazards), 28)
    assert long["oracle_pfps"].iloc[0] == pytest.approx(1 - np.exp(-0.028), rel=1e-12)
    # Days 31-58 hold nine calm days, the onset day and 18 injured days carrying the onset day's hazard.
    assert long["oracle_pfps"].iloc[30] == pytest.approx(1 - np.exp(-(9 * 0.001 + 19 * 0.004)), rel=1e-12)
    assert long["oracle_fair_pfps"].iloc[30] == pytest.approx(1 - np.exp(-0.028), rel=1e-12)
    assert np.isnan(long["oracle_pfps"].iloc[80 - 28])  # the 28 days ahead pass the last day

"""Two versions of the simulator's true risk, to score models against.

``future_exposure`` (training.simulation.simulate.oracle_risk) sums the realised hazard over t+1..t+H, so it knows how
much the athlete will actually run next week: an upper bound no model that sees the log up to day t can reach.
``known_at_t`` is the fair reference: the true hazard mechanism applied to what is known at the end of day t, taken as
the realised true hazard of the last H days (t-H+1..t) carried forward over the next H days. It knows every true
effect size and the athlete's hidden state, but, like a model, not next week's plan.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from training.domain.schema import INJURIES
from training.simulation.simulate import oracle_risk


def known_at_t_risk(oracle: pd.DataFrame, horizon_days: int) -> pd.DataFrame:
    """1 - exp(-sum of true hazards over t-H+1..t) per athlete-day; NaN until H days of the oracle exist."""
    o = oracle.sort_values(["athlete_id", "date"], kind="stable").reset_index(drop=True)
    codes, _ = pd.factorize(o["athlete_id"])
    dates = o["date"].to_numpy(dtype="datetime64[ns]")
    here = np.arange(len(o))
    back = np.maximum(here - horizon_days, 0)
    valid = (here >= horizon_days) & (codes[back] == codes)
    valid &= dates - dates[back] == np.timedelta64(horizon_days, "D")
    out = o[["athlete_id", "date"]].copy()
    for kind in INJURIES:
        cumulative = np.cumsum(o[f"hazard_{kind}"].to_numpy(dtype=np.float64))
        window = cumulative - cumulative[back]
        out[f"risk_{kind}"] = np.where(valid, -np.expm1(-np.maximum(window, 0.0)), np.nan)
    return out


def oracle_columns(oracle: pd.DataFrame, horizon_days: int) -> pd.DataFrame:
    """``oracle_<kind>`` (future exposure) and ``oracle_fair_<kind>`` (known at t) per athlete-day."""
    future = oracle_risk(oracle, horizon_days).rename(columns={f"risk_{k}": f"oracle_{k}" for k in INJURIES})
    fair = known_at_t_risk(oracle, horizon_days).rename(columns={f"risk_{k}": f"oracle_fair_{k}" for k in INJURIES})
    return future.merge(fair, on=["athlete_id", "date"], how="outer")

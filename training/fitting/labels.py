"""Labels: did an injury of each kind start within the horizon after a scored day; labelled rows of a simulation."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd

from training.domain.schema import INJURIES
from training.evaluation.oracles import oracle_columns
from training.features import compute_features, days_to_score
from training.model.horizons import LONG_HORIZON_DAYS
from training.simulation.simulate import Simulation


def label_column(kind: str) -> str:
    return f"label_{kind}"


def long_label_column(kind: str) -> str:
    """Onset of ``kind`` within ``LONG_HORIZON_DAYS`` (28) days: the label the 28-day risk is judged against."""
    return f"label_{LONG_HORIZON_DAYS}d_{kind}"


def long_oracle_column(kind: str, fair: bool = False) -> str:
    """The true 28-day risk (``oracle_28d_<kind>``) or the fair oracle's (``oracle_fair_28d_<kind>``)."""
    return f"oracle{'_fair' if fair else ''}_{LONG_HORIZON_DAYS}d_{kind}"


def onset_labels(
    rows: pd.DataFrame,
    injuries: pd.DataFrame,
    observed_until: pd.Series,
    horizon_days: int,
    column: Callable[[str], str] = label_column,
) -> pd.DataFrame:
    """``label_<kind>`` (or ``column(kind)``) per row of ``rows`` (athlete_id, date, injured_<kind>): 1.0 if an onset
    of that kind falls in days t+1..t+horizon, 0.0 if not, NaN where the row cannot be labelled.

    A row is unlabelled for a kind while the athlete already has that injury, and when the horizon runs past
    ``observed_until`` (per athlete id), since an onset there would go unseen.
    """
    order = rows.sort_values("date", kind="stable").index
    left = rows.loc[order, ["athlete_id", "date"]]
    end = rows["athlete_id"].map(observed_until)
    censored = (rows["date"] + pd.Timedelta(days=horizon_days)) > end
    labels = pd.DataFrame(index=rows.index)
    for kind in INJURIES:
        onsets = injuries.loc[injuries["kind"] == kind, ["athlete_id", "onset"]].sort_values("onset")
        nxt = pd.merge_asof(
            left,
            onsets,
            left_on="date",
            right_on="onset",
            by="athlete_id",
            direction="forward",
            allow_exact_matches=False,
        )
        nxt.index = order
        nxt = nxt.reindex(rows.index)
        gap = (nxt["onset"] - nxt["date"]).dt.days
        label = (gap <= horizon_days).astype("float64")
        excluded = censored | rows[f"injured_{kind}"].astype(bool)
        labels[column(kind)] = np.where(excluded, np.nan, label)
    return labels


def labelled_rows(simulation: Simulation, horizon_days: int, warmup_days: int) -> pd.DataFrame:
    """Feature rows with labels and the oracle risk, for every simulated athlete-day after the warm-up."""
    first_day = pd.Timestamp(simulation.config.start_date)
    last_day = first_day + pd.Timedelta(days=simulation.config.days - 1)
    return labelled_span(simulation, horizon_days, first_day + pd.Timedelta(days=warmup_days), last_day)


def labelled_span(
    simulation: Simulation,
    horizon_days: int,
    first: pd.Timestamp,
    last: pd.Timestamp,
    athletes: pd.Index | None = None,
    long_horizon: bool = False,
) -> pd.DataFrame:
    """``labelled_rows`` of the days ``first``..``last`` only, of ``athletes`` only (default: all): a chunk of a
    cohort computes no more rows than it keeps. ``long_horizon``: also the 28-day labels and true risks the 28-day
    risk is judged against (``long_label_column``, ``long_oracle_column``)."""
    cohort = simulation.cohort
    last_day = pd.Timestamp(simulation.config.start_date) + pd.Timedelta(days=simulation.config.days - 1)
    spans = days_to_score(cohort, as_of=last, start=first)
    oracle = simulation.oracle
    if athletes is not None:
        spans = spans[spans["athlete_id"].isin(athletes)].reset_index(drop=True)
        oracle = oracle[oracle["athlete_id"].isin(athletes)]
    rows = compute_features(cohort, spans)
    # Labels see onsets up to the last simulated day, whatever the last scored day.
    observed_until = pd.Series(last_day, index=spans["athlete_id"])
    labels = [onset_labels(rows, cohort.injuries, observed_until, horizon_days)]
    truths = [oracle_columns(oracle, horizon_days)]
    if long_horizon:
        labels.append(onset_labels(rows, cohort.injuries, observed_until, LONG_HORIZON_DAYS, long_label_column))
        # The same two oracles over 28 days: the realised path's true risk, and the last 28 days' hazard carried on.
        long = oracle_columns(oracle, LONG_HORIZON_DAYS).rename(
            columns={
                **{f"oracle_{k}": long_oracle_column(k) for k in INJURIES},
                **{f"oracle_fair_{k}": long_oracle_column(k, fair=True) for k in INJURIES},
            }
        )
        truths.append(long)
    rows = pd.concat([rows, *labels], axis=1)
    for truth in truths:
        rows = rows.merge(truth, on=["athlete_id", "date"], how="left")
    return rows

"""Labels: did an injury of each kind start within the horizon after a scored day; labelled rows of a simulation."""

from __future__ import annotations

import zlib

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
    long_horizon: bool = False,
) -> pd.DataFrame:
    """``label_<kind>`` per row of ``rows`` (athlete_id, date, injured_<kind>): 1.0 if an onset of that kind falls in
    days t+1..t+horizon, 0.0 if not, NaN where the row cannot be labelled; with ``long_horizon`` also
    ``label_28d_<kind>``, the same over 28 days, from the same search for the next onset.

    A row is unlabelled for a kind while the athlete already has that injury, and when the horizon runs past
    ``observed_until`` (per athlete id), since an onset there would go unseen.
    """
    order = rows.sort_values("date", kind="stable").index
    left = rows.loc[order, ["athlete_id", "date"]]
    end = rows["athlete_id"].map(observed_until)
    horizons = {label_column: horizon_days, **({long_label_column: LONG_HORIZON_DAYS} if long_horizon else {})}
    censored = {column: (rows["date"] + pd.Timedelta(days=days)) > end for column, days in horizons.items()}
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
        injured = rows[f"injured_{kind}"].astype(bool)
        for column, days in horizons.items():
            label = (gap <= days).astype("float64")
            labels[column(kind)] = np.where(censored[column] | injured, np.nan, label)
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
    day_stride: int = 1,
) -> pd.DataFrame:
    """``labelled_rows`` of the days ``first``..``last`` only, of ``athletes`` only (default: all), and of every
    ``day_stride``-th day only (``scored_days``): a chunk of a cohort labels no more rows than it keeps.
    ``long_horizon``: also the 28-day labels and true risks the 28-day risk is judged against
    (``long_label_column``, ``long_oracle_column``)."""
    cohort = simulation.cohort
    last_day = pd.Timestamp(simulation.config.start_date) + pd.Timedelta(days=simulation.config.days - 1)
    spans = days_to_score(cohort, as_of=last, start=first)
    oracle = simulation.oracle
    if athletes is not None:
        spans = spans[spans["athlete_id"].isin(athletes)].reset_index(drop=True)
        oracle = oracle[oracle["athlete_id"].isin(athletes)]
    # Features need every day's history; labels and true risks only the days kept.
    rows = scored_days(compute_features(cohort, spans), day_stride)
    # Labels see onsets up to the last simulated day, whatever the last scored day.
    observed_until = pd.Series(last_day, index=spans["athlete_id"])
    labels = onset_labels(rows, cohort.injuries, observed_until, horizon_days, long_horizon)
    truth = oracle_columns(oracle, horizon_days)
    if long_horizon:
        # The same two oracles over 28 days: the realised path's true risk, and the last 28 days' hazard carried on.
        long = oracle_columns(oracle, LONG_HORIZON_DAYS).rename(
            columns={
                **{f"oracle_{k}": long_oracle_column(k) for k in INJURIES},
                **{f"oracle_fair_{k}": long_oracle_column(k, fair=True) for k in INJURIES},
            }
        )
        # Joined to each other first: a merge copies the wide feature rows, so they are merged once.
        truth = truth.merge(long, on=["athlete_id", "date"], how="outer")
    rows = pd.concat([rows, labels], axis=1)
    return rows.merge(truth, on=["athlete_id", "date"], how="left")


def scored_days(rows: pd.DataFrame, stride: int) -> pd.DataFrame:
    """Every ``stride``-th day of each athlete, on a weekday of the athlete's own: with a stride of H days each onset
    lies ahead of exactly one kept row, and neighbouring days, which say nearly the same, are not scored twice. The
    weekday comes from the athlete's id, so a chunk cut in a worker process keeps the same rows, and cutting twice
    changes nothing."""
    if stride <= 1 or not len(rows):
        return rows
    ids = rows["athlete_id"].astype(str)
    offset = ids.map({athlete: zlib.crc32(athlete.encode()) for athlete in ids.unique()}).to_numpy(dtype=np.int64)
    day = rows["date"].to_numpy(dtype="datetime64[D]").astype(np.int64)
    return rows[(day + offset) % stride == 0]

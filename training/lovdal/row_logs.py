"""Each row of a Lövdal day-approach file as a training log of its own, scored by the product's features.

Only a row's own 7-day window can be trusted: rows around injuries were removed from the file, so a day outside the
window is unknown, not a rest day. Each row therefore becomes one log that starts (``log_start``) on the window's first
day and is scored at the end of its last day; the injury label is onset the next day. Every row then has the same
windows unknown (anything reading more than 7 days is missing), so the missing pattern cannot give the label away.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from training.domain.schema import Cohort
from training.features import FEATURES, compute_features
from training.lovdal.importer import (
    DAILY_NAMES,
    DAY_ZERO,
    METRICS,
    NO_TRAINING,
    WINDOW_DAYS,
    column,
    run_table,
    strength_table,
)

# Rows scored per call of compute_features: each row carries its own look-back grid of about 90 days.
_CHUNK_ROWS = 4000


def row_ids(frame: pd.DataFrame) -> pd.Series:
    """One log id per file row: athlete and window start (unique in a day-approach file)."""
    athlete = frame["Athlete ID"].astype(int).astype(str)
    return (athlete + ":" + frame["Date"].astype(int).astype(str)).rename("athlete_id")


def row_cohort(frame: pd.DataFrame) -> tuple[Cohort, pd.DataFrame]:
    """The rows as one log each (profiles unknown, log_start = window start, no injury history), and the span that
    scores each at its window's last day, in file order."""
    ids = row_ids(frame).to_numpy(dtype=object)
    first = DAY_ZERO + pd.to_timedelta(frame["Date"].to_numpy(dtype="int64"), unit="D")
    days = []
    for day in range(WINDOW_DAYS):
        part = frame[[column(m, day) for m in METRICS]].set_axis(list(DAILY_NAMES), axis=1)
        part.insert(0, "date", first + pd.Timedelta(days=day))
        part.insert(0, "athlete_id", ids)
        days.append(part)
    daily = pd.concat(days, ignore_index=True)
    ran = daily[daily["km"] > 0]
    rpe = ran["perceived_exertion"].mask(ran["perceived_exertion"] == NO_TRAINING) * 10.0  # the file scales RPE to 0-1
    runs = run_table(ran, "run", rpe)
    lifted = daily[daily["strength"] > 0]
    strength = strength_table(lifted, "strength-" + lifted["date"].dt.strftime("%Y%m%d"))
    profiles = pd.DataFrame(
        {
            "athlete_id": ids,
            "age": np.nan,
            "sex": pd.NA,
            "years_running": np.nan,
            "body_mass_kg": np.nan,
            "height_cm": np.nan,
            "log_start": first,
        }
    )
    injuries = pd.DataFrame(columns=["athlete_id", "kind", "onset", "resolved"])
    scored_day = first + pd.Timedelta(days=WINDOW_DAYS - 1)
    spans = pd.DataFrame({"athlete_id": ids, "start": scored_day, "end": scored_day})
    return Cohort(profiles=profiles, runs=runs, strength=strength, injuries=injuries).normalised(), spans


def row_features(frame: pd.DataFrame) -> pd.DataFrame:
    """The product's features of every row (``athlete_id``, ``date`` and ``FEATURES``), in file order."""
    cohort, spans = row_cohort(frame)
    parts = []
    for start in range(0, len(spans), _CHUNK_ROWS):
        chunk = spans.iloc[start : start + _CHUNK_ROWS]
        parts.append(compute_features(cohort.for_athletes(list(chunk["athlete_id"])), chunk))
    rows = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=["athlete_id", "date", *FEATURES])
    order = pd.Index(rows["athlete_id"].astype(object)).get_indexer(spans["athlete_id"])
    return rows.iloc[order].reset_index(drop=True)[["athlete_id", "date", *FEATURES]]

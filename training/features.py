"""Feature computation: one row per athlete-day from a training log, using only data up to that day.

This is the single implementation used by training, the API and batch scoring (pandas and Spark). Every running
and strength feature reads a bounded trailing window of at most ``LOOKBACK_DAYS`` days, summed in a fixed order, so a
day's features are bit-for-bit the same whether it is computed alone (the API) or inside a long history (batch).
The features are functions of daily arrays (``daily_running``, ``daily_strength``, ``running_features``,
``strength_features``, and ``feature_history``); ``compute_features`` lays a cohort's frames out as those arrays, and
``athlete_features`` lays out one athlete's log without frames for an answer computed while the caller waits.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from training.day_windows import (
    NS_PER_DAY,
    capped_ratio,
    day_numbers,
    days_since,
    trailing_max,
    trailing_squared_deviation,
    trailing_sum,
    truncated_ewma,
)
from training.domain.athlete_log import RunArrays, StrengthArrays
from training.domain.catalogue import Catalogue, default_catalogue
from training.domain.schema import INJURIES, Cohort
from training.feature_history import history_features, profile_features, profile_table
from training.known_log import known_days, mask_unknown

# The deepest any feature looks back (chronic EWMA truncation + margin); days before it never change a feature.
LOOKBACK_DAYS = 90
_ACUTE_SPAN, _CHRONIC_SPAN = 7, 28
_ACUTE_TRUNCATION, _CHRONIC_TRUNCATION = 28, 84
_SPIKE_BASE_DAYS = 30
# A run after 30 days without running has no reference; it counts as the largest spike (the >100% band).
_SPIKE_CAP = 3.0
_RATIO_CAP = 5.0
_MONOTONY_CAP = 10.0
DAYS_CAP = 60
RUN_VALUES = ["km", "km_threshold", "km_interval", "km_sprint", "duration_min", "rpe"]

RUNNING_FEATURES = [
    "km_7d",
    "km_28d",
    "km_prev_7d",
    "acwr_rolling",
    "acwr_ewma",
    "week_change_pct",
    "longest_run_7d_km",
    "longest_run_spike_pct",
    "monotony_7d",
    "strain_7d",
    "days_since_rest",
    "runs_7d",
    "share_threshold_28d",
    "share_interval_28d",
    "share_sprint_28d",
    "km_speed_7d",
    "srpe_7d",
]
STRENGTH_FEATURES = [
    "strength_sessions_per_week",
    "days_since_strength",
    "nordic_reps_per_week",
    "calf_reps_per_week",
    *[f"protective_reps_per_week_{k}" for k in INJURIES],
]
HISTORY_FEATURES = [
    "prior_injuries",
    *[f"prior_{k}" for k in INJURIES],
    *[f"days_since_{k}" for k in INJURIES],
    "days_since_return",
]
PROFILE_FEATURES = ["age", "female", "years_running", "novice", "body_mass_kg", "bmi"]
FEATURES: list[str] = RUNNING_FEATURES + STRENGTH_FEATURES + HISTORY_FEATURES + PROFILE_FEATURES
INJURED_COLUMNS: list[str] = [f"injured_{k}" for k in INJURIES]


@dataclass(frozen=True)
class _Grid:
    """Contiguous daily rows per span: the first ``LOOKBACK_DAYS`` rows of each span only feed the windows.

    Athletes are integer codes into ``athletes`` so that lookups are array operations, not dictionary calls per row.
    """

    athletes: pd.Index  # unique athlete ids, in the order of the spans
    code: np.ndarray  # athlete code of every grid row
    day: np.ndarray  # days since 1970-01-01 of every grid row (int64)
    is_output: np.ndarray
    span_of_athlete: np.ndarray  # per athlete code: its (last) span, which owns its grid rows
    first_row: np.ndarray  # per span
    first_day: np.ndarray  # per span, days since 1970-01-01
    length: np.ndarray  # per span

    def __len__(self) -> int:
        return len(self.day)

    def codes_of(self, athlete_ids: pd.Series) -> np.ndarray:
        """Athlete code of each id, or -1 for athletes outside the spans."""
        return self.athletes.get_indexer(athlete_ids.astype(object))

    def index_of(self, athlete_ids: pd.Series, dates: pd.Series) -> np.ndarray:
        """Grid row of each (athlete, date), or -1 when outside the athlete's grid."""
        code = self.codes_of(athlete_ids)
        span = np.where(code >= 0, self.span_of_athlete[np.maximum(code, 0)], -1)
        known = span >= 0
        safe = np.maximum(span, 0)
        stamps = dates.to_numpy(dtype="datetime64[ns]")
        offset = day_numbers(stamps) - self.first_day[safe]
        inside = known & ~np.isnat(stamps) & (offset >= 0) & (offset < self.length[safe])
        return np.where(inside, self.first_row[safe] + offset, -1).astype(np.int64)


def days_to_score(cohort: Cohort, as_of: pd.Timestamp | None = None, start: pd.Timestamp | None = None) -> pd.DataFrame:
    """Per athlete, the span of days to score: from ``start`` (default: first logged day) to ``as_of`` (default:
    last)."""
    dated = [t[["athlete_id", "date"]] for t in (cohort.runs, cohort.strength) if len(t)]
    spans = pd.DataFrame({"athlete_id": cohort.profiles["athlete_id"].astype("string")})
    if dated:
        log = pd.concat(dated)
        bounds = log.groupby("athlete_id", observed=True)["date"].agg(["min", "max"])
        spans = spans.join(bounds, on="athlete_id")
    else:
        spans["min"] = pd.NaT
        spans["max"] = pd.NaT
    if as_of is not None:
        spans["max"] = pd.Timestamp(as_of)
    if start is not None:
        spans["min"] = pd.Timestamp(start)
    spans["min"] = spans["min"].fillna(spans["max"])
    spans = spans.dropna(subset=["max"])
    spans = spans[spans["min"] <= spans["max"]]
    return spans.rename(columns={"min": "start", "max": "end"}).reset_index(drop=True)


def compute_features(cohort: Cohort, spans: pd.DataFrame, catalogue: Catalogue | None = None) -> pd.DataFrame:
    """Feature rows for every athlete-day in ``spans`` (columns athlete_id, start, end), ordered by athlete and date.

    Columns: ``athlete_id``, ``date``, every name in ``FEATURES`` and the ``injured_<kind>`` flags. An athlete may
    have several disjoint spans (a re-run scoring only the days not scored yet leaves gaps between them).
    """
    catalogue = catalogue or default_catalogue()
    # The grid gives each athlete one block of days, so several spans of one athlete are computed in layers (the
    # k-th span of every athlete together); a day's features do not depend on which span it is computed in.
    layer = spans.groupby(spans["athlete_id"].astype(object), sort=False).cumcount().to_numpy()
    if len(layer) and layer.max() > 0:
        parts = [compute_features(cohort, spans[layer == k], catalogue) for k in range(int(layer.max()) + 1)]
        rows = pd.concat(parts, ignore_index=True)
        athletes = pd.Index(pd.unique(spans["athlete_id"].astype(object)))
        order = np.lexsort((rows["date"].to_numpy(), athletes.get_indexer(rows["athlete_id"].astype(object))))
        return rows.iloc[order].reset_index(drop=True)
    cohort = cohort.normalised()
    grid = _build_grid(spans)
    if not grid.is_output.any():
        return pd.DataFrame(columns=["athlete_id", "date", *FEATURES, *INJURED_COLUMNS])
    # Days before an athlete's log_start are unknown: their activities are not read, and features needing them are NaN.
    known = known_days(grid.day, _log_start_days(cohort.profiles, grid)[grid.code])
    readable = known >= 1
    columns: dict[str, np.ndarray] = {}
    columns.update(running_features(_daily_running(cohort.runs, grid, readable)))
    columns.update(strength_features(_daily_strength(cohort.strength, grid, catalogue, readable)))
    keep = grid.is_output
    code, day = grid.code[keep], grid.day[keep]
    columns = mask_unknown({name: values[keep] for name, values in columns.items()}, known[keep], DAYS_CAP)
    columns.update(_history(code, day, cohort.injuries, grid))
    columns.update(_profile(code, cohort.profiles, grid))
    # One frame built once from arrays, each column its own block (copy=False): no consolidation or join copies on
    # millions of rows.
    frame = {
        "athlete_id": pd.array(grid.athletes.to_numpy(dtype=object)[code], dtype="string"),
        "date": (day * NS_PER_DAY).view("datetime64[ns]"),
    }
    frame.update({name: columns[name] for name in [*FEATURES, *INJURED_COLUMNS]})
    return pd.DataFrame(frame, copy=False)


def _build_grid(spans: pd.DataFrame) -> _Grid:
    ids = spans["athlete_id"].astype(str).to_numpy(dtype=object)
    starts = day_numbers(pd.to_datetime(spans["start"]).dt.normalize().to_numpy(dtype="datetime64[ns]"))
    ends = day_numbers(pd.to_datetime(spans["end"]).dt.normalize().to_numpy(dtype="datetime64[ns]"))
    first_day = starts - LOOKBACK_DAYS
    length = np.maximum(ends - first_day + 1, 0).astype(np.int64)
    first_row = np.cumsum(length) - length
    codes, athletes = pd.factorize(pd.Series(ids, dtype=object), sort=False)
    athletes = pd.Index(athletes, dtype=object)
    # compute_features passes one span per athlete; one listed twice would own the rows of its last span only.
    span_of_athlete = np.full(len(athletes), -1, dtype=np.int64)
    span_of_athlete[codes] = np.arange(len(ids))
    offset = np.arange(int(length.sum()), dtype=np.int64) - np.repeat(first_row, length)
    return _Grid(
        athletes=athletes,
        code=np.repeat(codes.astype(np.int64), length),
        day=np.repeat(first_day, length) + offset,
        is_output=offset >= LOOKBACK_DAYS,
        span_of_athlete=span_of_athlete,
        first_row=first_row,
        first_day=first_day,
        length=length,
    )


def _log_start_days(profiles: pd.DataFrame, grid: _Grid) -> np.ndarray:
    """Per athlete code, the day its log is complete from (days since 1970-01-01); int64 min for a complete log."""
    p = profiles.drop_duplicates("athlete_id", keep="last")
    row = pd.Index(p["athlete_id"].astype(object)).get_indexer(grid.athletes)
    stamps = p["log_start"].to_numpy(dtype="datetime64[ns]")
    start = np.where(np.isnat(stamps), np.iinfo(np.int64).min, day_numbers(stamps))
    return np.where(row >= 0, start[np.maximum(row, 0)] if len(start) else 0, np.iinfo(np.int64).min)


def _readable(idx: np.ndarray, readable: np.ndarray) -> np.ndarray:
    """Activities inside the grid on a known day (not before the athlete's log_start)."""
    keep = idx >= 0
    keep[keep] = readable[idx[keep]]
    return keep


def _daily_running(runs: pd.DataFrame, grid: _Grid, readable: np.ndarray) -> dict[str, np.ndarray]:
    idx = grid.index_of(runs["athlete_id"], runs["date"]) if len(runs) else np.array([], dtype=np.int64)
    keep = _readable(idx, readable)
    columns = {name: runs[name].to_numpy(dtype="float64")[keep] for name in RUN_VALUES}
    return daily_running(idx[keep], len(grid), RunArrays(day=idx[keep], **columns))


def daily_running(idx: np.ndarray, n: int, runs: RunArrays) -> dict[str, np.ndarray]:
    """Per row 0..n-1: total, zone and longest-run km, number of runs and session-RPE load (rpe x minutes);
    run i adds to row ``idx[i]``, in the order of the runs."""

    def total(values: np.ndarray) -> np.ndarray:
        return np.bincount(idx, weights=np.where(np.isnan(values), 0.0, values), minlength=n).astype("float64")

    longest = np.zeros(n)
    np.maximum.at(longest, idx, runs.km)
    return {
        "km": total(runs.km),
        "km_threshold": total(runs.km_threshold),
        "km_interval": total(runs.km_interval),
        "km_sprint": total(runs.km_sprint),
        "longest": longest,
        "runs": np.bincount(idx, minlength=n).astype("float64"),
        "srpe": total(runs.rpe * runs.duration_min),
    }


def _daily_strength(
    strength: pd.DataFrame, grid: _Grid, catalogue: Catalogue, readable: np.ndarray
) -> dict[str, np.ndarray]:
    idx = grid.index_of(strength["athlete_id"], strength["date"]) if len(strength) else np.array([], dtype=np.int64)
    keep = _readable(idx, readable)
    s = strength[keep]
    session = pd.factorize(s["activity_id"].astype(object))[0]
    exercise, exercises = pd.factorize(s["exercise_id"].astype(object))
    arrays = StrengthArrays(
        day=idx[keep],
        session=session,
        exercise=exercise,
        exercise_ids=tuple(str(e) for e in exercises),
        sets=s["sets"].to_numpy(dtype="float64"),
        reps=s["reps"].to_numpy(dtype="float64"),
    )
    return daily_strength(idx[keep], len(grid), arrays, catalogue)


def daily_strength(idx: np.ndarray, n: int, strength: StrengthArrays, catalogue: Catalogue) -> dict[str, np.ndarray]:
    """Per row 0..n-1: strength sessions, and reps (sets x reps) per protected injury, eccentric hamstring and calf;
    exercise row i adds to row ``idx[i]``."""
    volume = np.where(np.isnan(strength.sets), 0.0, strength.sets) * np.where(
        np.isnan(strength.reps), 0.0, strength.reps
    )
    # Each distinct exercise is judged once, then rows by their code: string matching per row costs more than all
    # the sums.
    known = catalogue.ids()

    def reps_where(predicate: Callable[[str], bool]) -> np.ndarray:
        chosen = np.array([e in known and predicate(e) for e in strength.exercise_ids] + [False], dtype=bool)
        mask = chosen[strength.exercise]  # code -1 (a missing id) reads the final False
        return np.bincount(idx[mask], weights=volume[mask], minlength=n).astype("float64")

    sessions = np.zeros(n)
    if len(idx):
        # A session counts once on its day however many exercises it holds.
        # One key per (row, session) pair; the session code may be -1 (a missing id), hence the shift.
        width = int(strength.session.max()) + 2
        pairs = np.unique(idx.astype(np.int64) * width + (strength.session.astype(np.int64) + 1))
        sessions = np.bincount(pairs // width, minlength=n).astype("float64")
    daily = {
        "sessions": sessions,
        "nordic": reps_where(lambda e: catalogue.get(e).eccentric_hamstring),
        "calf": reps_where(lambda e: catalogue.get(e).calf_loading),
    }
    for kind in INJURIES:
        daily[f"protect_{kind}"] = reps_where(catalogue.protecting_ids(kind).__contains__)
    return daily


def running_features(d: dict[str, np.ndarray], at: np.ndarray | None = None) -> dict[str, np.ndarray]:
    """Running features of every row of the daily arrays ``d``, or of the rows at positions ``at`` only (ascending,
    in that order): each window still reads the days before them, and a row gets the same floats either way."""
    km = d["km"]
    km_7d = trailing_sum(km, 7, at=at)
    km_28d = trailing_sum(km, 28, at=at)
    km_prev_7d = trailing_sum(km, 7, lag=7, at=at)
    mean_7d = km_7d / 7.0
    sd_7d = np.sqrt(trailing_squared_deviation(km, mean_7d, 7, at=at) / 7.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        monotony = np.where(
            sd_7d > 0, mean_7d / np.where(sd_7d > 0, sd_7d, 1.0), np.where(km_7d > 0, _MONOTONY_CAP, 0.0)
        )
    monotony = np.minimum(monotony, _MONOTONY_CAP)

    # The spike of each of the 7 days up to a wanted row (its 7-day maximum is a feature), from the 30 days before.
    spiked = None if at is None else _reached(at, 7, len(km))
    longest = d["longest"] if spiked is None else d["longest"][spiked]
    base = trailing_max(d["longest"], _SPIKE_BASE_DAYS, lag=1, at=spiked)
    with np.errstate(divide="ignore", invalid="ignore"):
        spike = np.where(
            base > 0, longest / np.where(base > 0, base, 1.0) - 1.0, np.where(longest > 0, _SPIKE_CAP, 0.0)
        )
    spike = np.clip(spike, 0.0, _SPIKE_CAP)
    if spiked is not None:
        placed = np.zeros_like(km)  # days no wanted row reads stay 0
        placed[spiked] = spike
        spike = placed

    days_since_rest = _rows(days_since(km <= 0, DAYS_CAP, before_start=True), at)

    km_28d_zone = {z: trailing_sum(d[f"km_{z}"], 28, at=at) for z in ("threshold", "interval", "sprint")}
    return {
        "km_7d": km_7d,
        "km_28d": km_28d,
        "km_prev_7d": km_prev_7d,
        "acwr_rolling": capped_ratio(km_7d, km_28d / 4.0, _RATIO_CAP),
        "acwr_ewma": capped_ratio(
            truncated_ewma(km, _ACUTE_SPAN, _ACUTE_TRUNCATION, at=at),
            truncated_ewma(km, _CHRONIC_SPAN, _CHRONIC_TRUNCATION, at=at),
            _RATIO_CAP,
        ),
        "week_change_pct": capped_ratio(km_7d - km_prev_7d, km_prev_7d, _RATIO_CAP),
        "longest_run_7d_km": trailing_max(d["longest"], 7, at=at),
        "longest_run_spike_pct": trailing_max(spike, 7, at=at),
        "monotony_7d": monotony,
        "strain_7d": km_7d * monotony,
        "days_since_rest": days_since_rest,
        "runs_7d": trailing_sum(d["runs"], 7, at=at),
        **{f"share_{z}_28d": _nan_as_zero(capped_ratio(v, km_28d, 1.0)) for z, v in km_28d_zone.items()},
        "km_speed_7d": trailing_sum(d["km_interval"] + d["km_sprint"], 7, at=at),
        "srpe_7d": trailing_sum(d["srpe"], 7, at=at),
    }


def _reached(at: np.ndarray, days: int, n: int) -> np.ndarray:
    """The positions ``days`` days up to each of ``at`` read (never before 0), each once and ascending: what
    ``np.unique`` gives, marked in an array of ``n`` instead of sorted (a planned-week batch has thousands)."""
    marked = np.zeros(n, dtype=bool)
    marked[np.maximum(at[:, None] - np.arange(days), 0)] = True
    return np.flatnonzero(marked)


def _nan_as_zero(values: np.ndarray) -> np.ndarray:
    # np.nan_to_num(values, nan=0.0) for values that are never infinite, at a fraction of its cost on short arrays.
    return np.where(np.isnan(values), 0.0, values)


def strength_features(d: dict[str, np.ndarray], at: np.ndarray | None = None) -> dict[str, np.ndarray]:
    """Strength features of every row of ``d``, or of the rows at ``at`` only (as ``running_features``)."""
    per_week = {
        "strength_sessions_per_week": trailing_sum(d["sessions"], 28, at=at) / 4.0,
        "days_since_strength": _rows(days_since(d["sessions"] > 0, DAYS_CAP, before_start=False), at),
        "nordic_reps_per_week": trailing_sum(d["nordic"], 28, at=at) / 4.0,
        "calf_reps_per_week": trailing_sum(d["calf"], 28, at=at) / 4.0,
    }
    for kind in INJURIES:
        per_week[f"protective_reps_per_week_{kind}"] = trailing_sum(d[f"protect_{kind}"], 28, at=at) / 4.0
    return per_week


def _rows(values: np.ndarray, at: np.ndarray | None) -> np.ndarray:
    return values if at is None else values[at]


def _history(code: np.ndarray, day: np.ndarray, injuries: pd.DataFrame, grid: _Grid) -> dict[str, np.ndarray]:
    onset = injuries["onset"].to_numpy(dtype="datetime64[ns]")
    resolved = injuries["resolved"].to_numpy(dtype="datetime64[ns]")
    return history_features(
        code,
        day,
        grid.codes_of(injuries["athlete_id"]),
        injuries["kind"].astype(object).to_numpy(),
        day_numbers(onset),
        ~np.isnat(onset),
        day_numbers(resolved),
        ~np.isnat(resolved),
    )


def _profile(code: np.ndarray, profiles: pd.DataFrame, grid: _Grid) -> dict[str, np.ndarray]:
    """Profile features per row; athletes without a profile get NaN (missing, not guessed)."""
    p = profiles.drop_duplicates("athlete_id", keep="last")
    table = profile_table(
        p["age"].to_numpy(dtype="float64", na_value=np.nan),
        p["sex"].astype(object).where(p["sex"].notna(), None).to_numpy(),
        p["years_running"].to_numpy(dtype="float64", na_value=np.nan),
        p["body_mass_kg"].to_numpy(dtype="float64", na_value=np.nan),
        p["height_cm"].to_numpy(dtype="float64", na_value=np.nan),
    )
    row_of_athlete = pd.Index(p["athlete_id"].astype(object)).get_indexer(grid.athletes)
    return profile_features(row_of_athlete, code, table)

"""Feature computation: one row per athlete-day from a training log, using only data up to that day.

This is the single implementation used by training, the API and batch scoring (pandas and Spark). Every running
and strength feature reads a bounded trailing window of at most ``LOOKBACK_DAYS`` days, summed in a fixed order, so a
day's features are bit-for-bit the same whether it is computed alone (the API) or inside a long history (batch).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from training.catalogue import Catalogue, default_catalogue
from training.schema import INJURIES, Cohort

# The deepest any feature looks back (chronic EWMA truncation + margin); days before it never change a feature.
LOOKBACK_DAYS = 90
_ACUTE_SPAN, _CHRONIC_SPAN = 7, 28
_ACUTE_TRUNCATION, _CHRONIC_TRUNCATION = 28, 84
_SPIKE_BASE_DAYS = 30
# A run after 30 days without running has no reference; it counts as the largest spike (the >100% band).
_SPIKE_CAP = 3.0
_RATIO_CAP = 5.0
_MONOTONY_CAP = 10.0
_DAYS_CAP = 60
_SENTINEL_DAYS = 3650.0

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
    """Contiguous daily rows per athlete: ``athlete_id``, ``date``, and each athlete's first row index."""

    athlete_id: np.ndarray
    date: np.ndarray  # datetime64[ns]
    first_row: dict[str, int]
    first_day: dict[str, np.datetime64]
    length: dict[str, int]
    is_output: np.ndarray

    def __len__(self) -> int:
        return len(self.date)

    def index_of(self, athlete_ids: pd.Series, dates: pd.Series) -> np.ndarray:
        """Grid row of each (athlete, date), or -1 when outside the athlete's grid."""
        ids = athlete_ids.astype(object)
        first = ids.map(self.first_row).to_numpy(dtype="float64", na_value=np.nan)
        length = ids.map(self.length).to_numpy(dtype="float64", na_value=np.nan)
        day0 = ids.map(self.first_day).to_numpy(dtype="datetime64[ns]")
        offset = ((dates.to_numpy(dtype="datetime64[ns]") - day0) // np.timedelta64(1, "D")).astype("float64")
        inside = ~np.isnan(first) & (offset >= 0) & (offset < length)
        return np.where(inside, first + offset, -1).astype(np.int64)


def days_to_score(cohort: Cohort, as_of: pd.Timestamp | None = None, start: pd.Timestamp | None = None) -> pd.DataFrame:
    """Per athlete, the span of days to score: from ``start`` (default: first logged day) to ``as_of`` (default: last)."""
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


def compute_features(
    cohort: Cohort, spans: pd.DataFrame, catalogue: Catalogue | None = None
) -> pd.DataFrame:
    """Feature rows for every athlete-day in ``spans`` (columns athlete_id, start, end), ordered by athlete and date.

    Columns: ``athlete_id``, ``date``, every name in ``FEATURES`` and the ``injured_<kind>`` flags.
    """
    catalogue = catalogue or default_catalogue()
    cohort = cohort.normalised()
    grid = _build_grid(spans)
    frame = pd.DataFrame({"athlete_id": pd.array(grid.athlete_id, dtype="string"), "date": grid.date})
    if len(grid) == 0:
        return pd.DataFrame(columns=["athlete_id", "date", *FEATURES, *INJURED_COLUMNS])
    running = _running_features(_daily_running(cohort.runs, grid))
    strength = _strength_features(_daily_strength(cohort.strength, grid, catalogue))
    frame = pd.concat([frame, pd.DataFrame(running), pd.DataFrame(strength)], axis=1)
    frame = frame[grid.is_output].reset_index(drop=True)
    frame = _add_history(frame, cohort.injuries)
    frame = _add_profile(frame, cohort.profiles)
    return frame[["athlete_id", "date", *FEATURES, *INJURED_COLUMNS]]


def _build_grid(spans: pd.DataFrame) -> _Grid:
    ids: list[np.ndarray] = []
    dates: list[np.ndarray] = []
    output: list[np.ndarray] = []
    first_row: dict[str, int] = {}
    first_day: dict[str, np.datetime64] = {}
    length: dict[str, int] = {}
    row = 0
    for athlete_id, start, end in spans[["athlete_id", "start", "end"]].itertuples(index=False):
        day0 = pd.Timestamp(start).normalize() - pd.Timedelta(days=LOOKBACK_DAYS)
        days = pd.date_range(day0, pd.Timestamp(end).normalize(), freq="D").to_numpy(dtype="datetime64[ns]")
        first_row[str(athlete_id)] = row
        first_day[str(athlete_id)] = days[0]
        length[str(athlete_id)] = len(days)
        ids.append(np.full(len(days), str(athlete_id), dtype=object))
        dates.append(days)
        flags = np.ones(len(days), dtype=bool)
        flags[:LOOKBACK_DAYS] = False
        output.append(flags)
        row += len(days)
    if not ids:
        empty = np.array([], dtype=bool)
        return _Grid(np.array([], dtype=object), np.array([], dtype="datetime64[ns]"), {}, {}, {}, empty)
    return _Grid(np.concatenate(ids), np.concatenate(dates), first_row, first_day, length, np.concatenate(output))


def _daily_running(runs: pd.DataFrame, grid: _Grid) -> dict[str, np.ndarray]:
    """Per grid day: total, zone and longest-run km, number of runs and session-RPE load (rpe x minutes)."""
    idx = grid.index_of(runs["athlete_id"], runs["date"]) if len(runs) else np.array([], dtype=np.int64)
    keep = idx >= 0
    idx = idx[keep]
    r = runs[keep]
    n = len(grid)

    def total(values: pd.Series) -> np.ndarray:
        weights = values.fillna(0.0).to_numpy(dtype="float64")
        return np.bincount(idx, weights=weights, minlength=n).astype("float64")

    longest = np.zeros(n)
    np.maximum.at(longest, idx, r["km"].to_numpy(dtype="float64"))
    return {
        "km": total(r["km"]),
        "km_threshold": total(r["km_threshold"]),
        "km_interval": total(r["km_interval"]),
        "km_sprint": total(r["km_sprint"]),
        "longest": longest,
        "runs": np.bincount(idx, minlength=n).astype("float64"),
        "srpe": total(r["rpe"] * r["duration_min"]),
    }


def _daily_strength(strength: pd.DataFrame, grid: _Grid, catalogue: Catalogue) -> dict[str, np.ndarray]:
    """Per grid day: strength sessions, and reps (sets x reps) per protected injury, eccentric hamstring and calf."""
    n = len(grid)
    idx = grid.index_of(strength["athlete_id"], strength["date"]) if len(strength) else np.array([], dtype=np.int64)
    keep = idx >= 0
    idx = idx[keep]
    s = strength[keep]
    volume = (s["sets"].fillna(0.0) * s["reps"].fillna(0.0)).to_numpy(dtype="float64")
    exercise = s["exercise_id"].astype(str).to_numpy()

    def reps_where(predicate: Callable[[str], bool]) -> np.ndarray:
        chosen = {e.id for e in catalogue.exercises if predicate(e.id)}
        mask = np.isin(exercise, list(chosen))
        return np.bincount(idx[mask], weights=volume[mask], minlength=n).astype("float64")

    sessions = np.zeros(n)
    if len(s):
        session_rows = pd.DataFrame({"idx": idx, "activity": s["activity_id"].to_numpy()}).drop_duplicates()
        sessions = np.bincount(session_rows["idx"].to_numpy(), minlength=n).astype("float64")
    daily = {
        "sessions": sessions,
        "nordic": reps_where(lambda e: catalogue.get(e).eccentric_hamstring),
        "calf": reps_where(lambda e: catalogue.get(e).calf_loading),
    }
    for kind in INJURIES:
        daily[f"protect_{kind}"] = reps_where(lambda e, k=kind: k in catalogue.get(e).protects)
    return daily


def _trailing_sum(x: np.ndarray, window: int, lag: int = 0) -> np.ndarray:
    """Sum of x over days t-lag-window+1 .. t-lag, added in a fixed order (rows too early for it are not read)."""
    out = np.zeros_like(x)
    for j in range(lag, lag + window):
        out[j:] += x[: len(x) - j]
    return out


def _trailing_max(x: np.ndarray, window: int, lag: int = 0) -> np.ndarray:
    out = np.zeros_like(x)
    for j in range(lag, lag + window):
        np.maximum(out[j:], x[: len(x) - j], out=out[j:])
    return out


def _truncated_ewma(x: np.ndarray, span: int, truncation: int) -> np.ndarray:
    """Exponentially weighted daily mean (alpha = 2 / (span + 1)) over the last ``truncation`` days."""
    alpha = 2.0 / (span + 1.0)
    out = np.zeros_like(x)
    for j in range(truncation):
        weight = alpha * (1.0 - alpha) ** j
        out[j:] += weight * (x[: len(x) - j])
    return out


def _ratio(num: np.ndarray, den: np.ndarray, cap: float) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        value = np.where(den > 0, num / np.where(den > 0, den, 1.0), np.nan)
    return np.minimum(value, cap)


def _running_features(d: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    km = d["km"]
    km_7d = _trailing_sum(km, 7)
    km_28d = _trailing_sum(km, 28)
    km_prev_7d = _trailing_sum(km, 7, lag=7)
    mean_7d = km_7d / 7.0
    squares = np.zeros_like(km)
    for j in range(7):
        shifted = np.zeros_like(km)
        shifted[j:] = km[: len(km) - j]
        squares += (shifted - mean_7d) ** 2
    sd_7d = np.sqrt(squares / 7.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        monotony = np.where(sd_7d > 0, mean_7d / np.where(sd_7d > 0, sd_7d, 1.0), np.where(km_7d > 0, _MONOTONY_CAP, 0.0))
    monotony = np.minimum(monotony, _MONOTONY_CAP)

    longest = d["longest"]
    base = _trailing_max(longest, _SPIKE_BASE_DAYS, lag=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        spike = np.where(base > 0, longest / np.where(base > 0, base, 1.0) - 1.0, np.where(longest > 0, _SPIKE_CAP, 0.0))
    spike = np.clip(spike, 0.0, _SPIKE_CAP)

    running = (km > 0).astype("float64")
    streak = np.ones_like(km)
    days_since_rest = np.zeros_like(km)
    for j in range(_DAYS_CAP):
        shifted = np.zeros_like(km)
        shifted[j:] = running[: len(km) - j]
        streak *= shifted
        days_since_rest += streak

    km_28d_zone = {z: _trailing_sum(d[f"km_{z}"], 28) for z in ("threshold", "interval", "sprint")}
    return {
        "km_7d": km_7d,
        "km_28d": km_28d,
        "km_prev_7d": km_prev_7d,
        "acwr_rolling": _ratio(km_7d, km_28d / 4.0, _RATIO_CAP),
        "acwr_ewma": _ratio(
            _truncated_ewma(km, _ACUTE_SPAN, _ACUTE_TRUNCATION),
            _truncated_ewma(km, _CHRONIC_SPAN, _CHRONIC_TRUNCATION),
            _RATIO_CAP,
        ),
        "week_change_pct": _ratio(km_7d - km_prev_7d, km_prev_7d, _RATIO_CAP),
        "longest_run_7d_km": _trailing_max(longest, 7),
        "longest_run_spike_pct": _trailing_max(spike, 7),
        "monotony_7d": monotony,
        "strain_7d": km_7d * monotony,
        "days_since_rest": days_since_rest,
        "runs_7d": _trailing_sum(d["runs"], 7),
        **{f"share_{z}_28d": np.nan_to_num(_ratio(v, km_28d, 1.0), nan=0.0) for z, v in km_28d_zone.items()},
        "km_speed_7d": _trailing_sum(d["km_interval"] + d["km_sprint"], 7),
        "srpe_7d": _trailing_sum(d["srpe"], 7),
    }


def _strength_features(d: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    trained = (d["sessions"] > 0).astype("float64")
    none_yet = np.ones_like(trained)
    days_since = np.zeros_like(trained)
    for j in range(_DAYS_CAP):
        shifted = np.zeros_like(trained)
        shifted[j:] = trained[: len(trained) - j]
        none_yet *= 1.0 - shifted
        days_since += none_yet
    per_week = {
        "strength_sessions_per_week": _trailing_sum(d["sessions"], 28) / 4.0,
        "days_since_strength": days_since,
        "nordic_reps_per_week": _trailing_sum(d["nordic"], 28) / 4.0,
        "calf_reps_per_week": _trailing_sum(d["calf"], 28) / 4.0,
    }
    for kind in INJURIES:
        per_week[f"protective_reps_per_week_{kind}"] = _trailing_sum(d[f"protect_{kind}"], 28) / 4.0
    return per_week


def _add_history(frame: pd.DataFrame, injuries: pd.DataFrame) -> pd.DataFrame:
    """Prior injuries per kind (count, days since the last onset), ongoing injuries and days since the last return."""
    order = frame.sort_values("date", kind="stable").index
    left = frame.loc[order, ["athlete_id", "date"]]
    history = pd.DataFrame(index=frame.index)
    total = np.zeros(len(frame))
    for kind in INJURIES:
        onsets = injuries[injuries["kind"] == kind].sort_values(["athlete_id", "onset"]).copy()
        onsets["count"] = onsets.groupby("athlete_id").cumcount() + 1.0
        matched = pd.merge_asof(
            left, onsets[["athlete_id", "onset", "resolved", "count"]].sort_values("onset"),
            left_on="date", right_on="onset", by="athlete_id", direction="backward",
        )
        matched.index = order
        matched = matched.reindex(frame.index)
        count = matched["count"].fillna(0.0).to_numpy()
        since = (matched["date"] - matched["onset"]).dt.days.to_numpy(dtype="float64", na_value=np.nan)
        ongoing = matched["onset"].notna() & (matched["resolved"].isna() | (matched["resolved"] > matched["date"]))
        history[f"prior_{kind}"] = count
        history[f"days_since_{kind}"] = np.minimum(since, _SENTINEL_DAYS)
        history[f"injured_{kind}"] = ongoing.to_numpy(dtype=bool)
        total += count
    history["prior_injuries"] = total
    returns = injuries.dropna(subset=["resolved"]).sort_values("resolved")[["athlete_id", "resolved"]]
    back = pd.merge_asof(left, returns, left_on="date", right_on="resolved", by="athlete_id", direction="backward")
    back.index = order
    back = back.reindex(frame.index)
    history["days_since_return"] = np.minimum(
        (back["date"] - back["resolved"]).dt.days.to_numpy(dtype="float64", na_value=np.nan), _SENTINEL_DAYS
    )
    return pd.concat([frame, history], axis=1)


def _add_profile(frame: pd.DataFrame, profiles: pd.DataFrame) -> pd.DataFrame:
    p = profiles.drop_duplicates("athlete_id", keep="last").set_index("athlete_id")
    height_m = p["height_cm"] / 100.0
    table = pd.DataFrame(
        {
            "age": p["age"],
            "female": (p["sex"] == "F").astype("float64").where(p["sex"].notna()),
            "years_running": p["years_running"],
            "novice": (p["years_running"] < 1.0).astype("float64").where(p["years_running"].notna()),
            "body_mass_kg": p["body_mass_kg"],
            "bmi": p["body_mass_kg"] / (height_m * height_m),
        }
    ).astype("float64")
    return frame.join(table, on="athlete_id")

"""The training habits the competitive simulator profile (``training.lovdal.marginals.COMPETITIVE``) is set from,
measured on the real Lövdal file, on the profile's simulated runners and on the default profile's experienced
runners side by side: doubles, strength days,
alternative training (which the training log has no place for), weeks and stretches without running, how uneven a
week's running days are, speed days, the spread of weekly km, and injury onsets.

Both sides are read as ``training/lovdal/marginals.py`` reads them: each file row's 7-day window, and each simulated
athlete's consecutive weeks; per-day figures from each observed day once. The file is read from the path given (it is
not shipped):

    .venv/bin/python benchmarks/lovdal_habits.py ../shared/data/lovdal/day_approach_maskedID_timeseries.csv.gz
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import pandas as pd

from training.lovdal.importer import WINDOW_DAYS, column, daily_log, log_ids, read_day_file
from training.lovdal.marginals import COMPETITIVE, KM_PER_HOUR, simulated_days
from training.simulation.simulate import SimulationConfig, simulate

_MIN_OFF_DAYS = 7  # a stretch this long without running counts as an off period


def real_days(frame: pd.DataFrame) -> pd.DataFrame:
    """Each observed day once: ``stretch`` (consecutive observed days), ``km``, ``runs`` (0 or 1: the file counts
    sessions, not runs), ``sessions``, ``strength`` (0/1), ``alternative`` (0/1)."""
    days = daily_log(frame)
    return pd.DataFrame(
        {
            "stretch": log_ids(days).to_numpy(),
            "athlete": days["athlete_id"].to_numpy(),
            "km": days["km"].to_numpy(),
            "sessions": days["sessions"].to_numpy(),
            "strength": (days["strength"] > 0).astype(int).to_numpy(),
            "alternative": (days["alternative_hours"] > 0).astype(int).to_numpy(),
        }
    )


def simulated_table(days: dict[str, np.ndarray]) -> pd.DataFrame:
    """The same table for a simulated cohort: one stretch per athlete, no alternative training."""
    athletes, length = days["km"].shape
    return pd.DataFrame(
        {
            "stretch": np.repeat(np.arange(athletes), length),
            "athlete": np.repeat(np.arange(athletes), length),
            "km": days["km"].reshape(-1),
            "sessions": days["sessions"].reshape(-1),
            "strength": (days["strength"] > 0).astype(int).reshape(-1),
            "alternative": np.zeros(athletes * length, dtype=int),
        }
    )


def day_figures(days: pd.DataFrame) -> dict[str, float]:
    """Per-day habits: doubles, strength and alternative training, per week where so named."""
    ran = days["km"] > 0
    plain = ran & (days["strength"] == 0) & (days["alternative"] == 0)
    double = plain & (days["sessions"] >= 2)
    per_week = WINDOW_DAYS / len(days)
    # Sessions beyond the day's run and strength session on days with alternative training: a lower bound of the
    # alternative sessions (the file counts at most two sessions a day).
    beyond = (days["sessions"] - ran.astype(int) - days["strength"]).clip(lower=0)
    alternative_sessions = float(beyond[days["alternative"] > 0].sum()) * per_week
    single_km = days.loc[plain & (days["sessions"] == 1)].groupby("athlete")["km"].median()
    double_days = days.loc[double].groupby("athlete")["km"].agg(["median", "size"])
    often = double_days[double_days["size"] >= 10]
    ratio = (often["median"] / single_km.reindex(often.index)).median() if len(often) else float("nan")
    strength_per_runner = days.groupby("athlete")["strength"].mean() * WINDOW_DAYS
    return {
        "running days per week": float(ran.sum()) * per_week,
        "doubles: share of plain running days with two sessions": float(double.sum() / max(plain.sum(), 1)),
        "doubles per week": float(double.sum()) * per_week,
        "km of a double day / a single-run day (median, runners with 10+)": float(ratio),
        "strength days per week": float(days["strength"].sum()) * per_week,
        "strength days per week, runners' 25th percentile": float(strength_per_runner.quantile(0.25)),
        "alternative sessions per week (at least)": alternative_sessions,
        "days with alternative training only, per week": float(
            ((days["alternative"] > 0) & ~ran & (days["strength"] == 0)).sum()
        )
        * per_week,
    }


def off_periods(days: pd.DataFrame) -> dict[str, float]:
    """Stretches of 7 or more consecutive observed days without running: how many a year and how long."""
    lengths, off_strength = [], []
    for _, stretch in days.groupby("stretch", sort=False):
        dry = np.r_[0, (stretch["km"].to_numpy() <= 0).astype(int), 0]
        edges = np.diff(dry)
        begins, ends = np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)
        strength = np.r_[0, np.cumsum(stretch["strength"].to_numpy())]
        long = ends - begins >= _MIN_OFF_DAYS
        lengths.extend((ends - begins)[long])
        off_strength.extend((strength[ends] - strength[begins])[long])
    lengths_arr = np.asarray(lengths, dtype=float)
    q = np.percentile(lengths_arr, [25, 50, 75, 90]) if len(lengths_arr) else [np.nan] * 4
    return {
        "off periods (7+ days without running) per athlete-year": len(lengths_arr) / (len(days) / 365.0),
        "off period days: 25th percentile": float(q[0]),
        "off period days: median": float(q[1]),
        "off period days: 75th percentile": float(q[2]),
        "off period days: 90th percentile": float(q[3]),
        "share of days in an off period": float(lengths_arr.sum() / len(days)),
        "strength days per week in off periods": float(
            sum(strength for strength in off_strength) / max(lengths_arr.sum(), 1) * WINDOW_DAYS
        ),
    }


def week_figures(km: np.ndarray, hard: np.ndarray, athlete: np.ndarray) -> dict[str, float]:
    """Per-week habits from (weeks, 7) arrays of daily km and of days with threshold-or-faster km."""
    weekly = km.sum(axis=1)
    running = (km > 0).sum(axis=1)
    ordered = -np.sort(-km, axis=1)
    three = running >= 3
    rest = np.array([row[2:n].mean() for row, n in zip(ordered[three], running[three], strict=True)])
    non_empty = weekly > 0
    hard_days = hard.sum(axis=1)[non_empty]
    medians = pd.Series(weekly[non_empty]).groupby(athlete[non_empty]).median()
    shares = np.bincount(running, minlength=WINDOW_DAYS + 1) / len(running)
    return {
        "weeks without running": float((weekly == 0).mean()),
        **{f"weeks with {d} running days": float(shares[d]) for d in range(WINDOW_DAYS + 1)},
        "second-longest day / mean of the other running days (median, 3+ days)": float(
            np.median(ordered[three, 1] / rest)
        ),
        "longest day / second-longest (median, 3+ days)": float(np.median(ordered[three, 0] / ordered[three, 1])),
        "days with threshold or faster km per non-empty week": float(hard_days.mean()),
        "non-empty weeks with 3+ such days": float((hard_days >= 3).mean()),
        "log-SD of the runners' median non-empty week": float(np.log(medians).std()),
        "weekly km, 99th percentile": float(np.percentile(weekly, 99)),
    }


def real_figures(frame: pd.DataFrame) -> dict[str, float]:
    def block(metric: str) -> np.ndarray:
        return frame[[column(metric, d) for d in range(WINDOW_DAYS)]].to_numpy(dtype="float64")

    hard = (block("km Z3-4") + block("km Z5-T1-T2") + block("km sprinting")) > 0
    days = real_days(frame)
    onsets = float(frame["injury"].sum())
    years = len(days) / 365.0
    return {
        **day_figures(days),
        **off_periods(days),
        **week_figures(block("total km"), hard, frame["Athlete ID"].to_numpy()),
        "injury onsets per athlete-year": onsets / years,
        "injury onsets per 1000 running hours (12 km/h)": 1000 * onsets / (float(days["km"].sum()) / KM_PER_HOUR),
        "km per athlete-year": float(days["km"].sum()) / years,
    }


def simulated_figures(config: SimulationConfig) -> dict[str, float]:
    days = simulated_days(simulate(config))
    weeks = days["km"].shape[1] // WINDOW_DAYS
    hard = (days["km_threshold"] + days["km_interval"]) > 0

    def weekly(values: np.ndarray) -> np.ndarray:
        return values.reshape(-1, WINDOW_DAYS)

    table = simulated_table(days)
    years = days["km"].size / 365.0
    return {
        **day_figures(table),
        **off_periods(table),
        **week_figures(weekly(days["km"]), weekly(hard), np.repeat(np.arange(days["km"].shape[0]), weeks)),
        "injury onsets per athlete-year": float(days["onsets"].sum()) / years,
        "injury onsets per 1000 running hours (12 km/h)": 1000
        * float(days["onsets"].sum())
        / (float(days["km"].sum()) / KM_PER_HOUR),
        "km per athlete-year": float(days["km"].sum()) / years,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path", type=Path, help="the day-approach CSV of Lövdal et al. 2021")
    parser.add_argument("--athletes", type=int, default=600, help="competitive-profile athletes to simulate")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    columns = {
        "real": real_figures(read_day_file(args.path)),
        "competitive": simulated_figures(COMPETITIVE.model_copy(update={"athletes": args.athletes, "seed": args.seed})),
        # The default profile's experienced runners: where the competitive settings started from.
        "default": simulated_figures(SimulationConfig(athletes=args.athletes, seed=args.seed, novice_share=0.0)),
    }
    print(f"{'habit (injuries: any in the file, the four named in the simulator)':<76}", *(f"{c:>11}" for c in columns))
    for name in columns["real"]:
        print(f"{name:<76}", *(f"{figures[name]:>11.3f}" for figures in columns.values()))


if __name__ == "__main__":
    main()

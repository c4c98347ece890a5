"""The public runner injury data of Lövdal, Azzopardi and den Hartigh 2021 (IJSPP; DataverseNL doi:10.34894/UWU9PV,
CC0), "day approach" file: import into our daily-log schema, and the paper's "any injury" protocol.

Format (shared/data/README.md): ten daily metrics for each of 7 consecutive days (block suffixes "", ".1" .. ".6",
oldest first), then ``Athlete ID``, ``injury`` (1 = onset the next day) and ``Date`` (day index from the athlete's
first record). So the block with suffix j is day ``Date + j`` and the onset of an injury row is day ``Date + 7``.
Real calendar dates are not published: day 0 of every athlete is mapped to ``DAY_ZERO``.

The file is not a continuous log: the days around every injury row are absent, and absent days are unknown, not rest
days. So the import turns each athlete's stretch of consecutive observed days into a log of its own (``LOG_ID``:
athlete and first day) whose ``log_start`` is that first day: no feature of any day reads a day before the stretch,
and no activity of an earlier stretch. A log's days are ``log_start`` .. ``last_day`` (the ``logs`` table); a day
after ``last_day`` is unobserved too, and nothing in a log says so, so score a log only on its own days. The logs
are for scoring, not for training on the file: an injury row's stretch is short (its neighbours were removed), so
which windows are missing gives the label away; training and evaluation read ``row_logs`` instead.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from training.domain.cohort_io import write_cohort
from training.domain.schema import Cohort

METRICS = (
    "nr. sessions",
    "total km",
    "km Z3-4",
    "km Z5-T1-T2",
    "km sprinting",
    "strength training",
    "hours alternative",
    "perceived exertion",
    "perceived trainingSuccess",
    "perceived recovery",
)
# Our names; zones 3-4 are threshold running, zone 5 and above interval running.
DAILY_NAMES = (
    "sessions",
    "km",
    "km_threshold",
    "km_interval",
    "km_sprint",
    "strength",
    "alternative_hours",
    "perceived_exertion",
    "training_success",
    "recovery",
)
WINDOW_DAYS = 7
NO_TRAINING = -0.01  # the file's marker of a day without training in the perceived-scale columns
DAY_ZERO = pd.Timestamp("2000-01-01")
# The paper's test set: the 10 most recently recruited athletes; IDs follow recruitment order (our reading).
TEST_ATHLETES = 10
# Strength is only logged as yes/no. A session is recorded as the catalogue's back extension at its dosing (3 x 10):
# it protects against none of the four injuries, so only the session itself is read (sessions per week, days since
# strength), never invented protective reps; the API and the batch need sets and reps to accept a session.
GENERIC_STRENGTH_EXERCISE = "back_extension"
GENERIC_STRENGTH_SETS, GENERIC_STRENGTH_REPS = 3, 10
# The file has no profiles, and the API and the batch score no athlete without one. Every imported log gets this
# documented default (a competitive runner with years of training): the same for all, so the profile features carry
# nothing that tells the file's runners apart. Body mass and height stay unknown.
DEFAULT_PROFILE: dict[str, object] = {"age": 25, "sex": "M", "years_running": 8.0}


def column(metric: str, day: int) -> str:
    return metric if day == 0 else f"{metric}.{day}"


def read_day_file(path: Path) -> pd.DataFrame:
    frame = pd.read_csv(path)
    expected = [column(m, d) for d in range(WINDOW_DAYS) for m in METRICS] + ["Athlete ID", "injury", "Date"]
    missing = [c for c in expected if c not in frame.columns]
    if missing:
        raise ValueError(f"{path} is not a Lövdal day-approach file: missing {missing[:5]}")
    return frame


def daily_log(frame: pd.DataFrame) -> pd.DataFrame:
    """One row per athlete and day seen in any window: our names, perceived scales back to NaN on untrained days."""
    parts = []
    for day in range(WINDOW_DAYS):
        part = frame[[column(m, day) for m in METRICS]].set_axis(list(DAILY_NAMES), axis=1)
        part.insert(0, "day", frame["Date"].to_numpy() + day)
        part.insert(0, "athlete_id", frame["Athlete ID"].astype(int).astype(str).to_numpy())
        parts.append(part)
    daily = pd.concat(parts).drop_duplicates(["athlete_id", "day"]).sort_values(["athlete_id", "day"])
    for name in ("perceived_exertion", "training_success", "recovery"):
        daily[name] = daily[name].mask(daily[name] == NO_TRAINING)
    daily.insert(1, "date", DAY_ZERO + pd.to_timedelta(daily["day"], unit="D"))
    return daily.drop(columns="day").reset_index(drop=True)


def log_ids(daily: pd.DataFrame) -> pd.Series:
    """Per row of a ``daily_log`` table (sorted by athlete and date), the id of its stretch of consecutive days:
    ``<athlete>:<first day>`` (days counted from the athlete's first record)."""
    day = (daily["date"] - DAY_ZERO).dt.days
    athlete = daily["athlete_id"]
    new_stretch = (athlete != athlete.shift()) | (day.diff() != 1)
    first = day.where(new_stretch).ffill().astype(int)
    return (athlete + ":" + first.astype(str)).rename("log_id")


@dataclass(frozen=True)
class LovdalImport:
    """``daily``: every column the file has, per athlete and day, with the ``log_id`` of the day's stretch;
    ``cohort``: the part our schema holds, one athlete per stretch (``DEFAULT_PROFILE``, ``log_start`` its first
    day; no injuries: the file's are of no known kind); ``logs``: per log, ``athlete_id`` (the file's), ``log_start``
    and ``last_day``; ``onsets``: the file's injury onsets (``athlete_id``, ``log_id`` of the stretch the injury row
    ends, ``onset``), labels of any injury."""

    daily: pd.DataFrame
    cohort: Cohort
    logs: pd.DataFrame
    onsets: pd.DataFrame


def import_lovdal(path: Path) -> LovdalImport:
    """Read a day-approach file into a daily table and our cohort tables, one log per stretch of observed days."""
    frame = read_day_file(path)
    daily = daily_log(frame)
    daily.insert(1, "log_id", log_ids(daily))
    logged = daily.assign(athlete_id=daily["log_id"])
    ran = logged[logged["km"] > 0]
    runs = run_table(ran, "lovdal-" + ran["date"].dt.strftime("%Y%m%d"), ran["perceived_exertion"] * 10.0)
    lifted = logged[logged["strength"] > 0]
    strength = strength_table(lifted, "lovdal-s-" + lifted["date"].dt.strftime("%Y%m%d"))
    logs = (
        daily.groupby("log_id", sort=False)
        .agg(athlete_id=("athlete_id", "first"), log_start=("date", "min"), last_day=("date", "max"))
        .reset_index()
    )
    profiles = pd.DataFrame(
        {
            "athlete_id": logs["log_id"],
            **{name: value for name, value in DEFAULT_PROFILE.items()},
            "body_mass_kg": np.nan,
            "height_cm": np.nan,
            "log_start": logs["log_start"],
        }
    )
    injuries = pd.DataFrame(columns=["athlete_id", "kind", "onset", "resolved"])
    cohort = Cohort(profiles=profiles, runs=runs, strength=strength, injuries=injuries).normalised()
    return LovdalImport(daily=daily, cohort=cohort, logs=logs, onsets=_onsets(frame, daily))


def _onsets(frame: pd.DataFrame, daily: pd.DataFrame) -> pd.DataFrame:
    rows = frame[frame["injury"] == 1]
    athletes = rows["Athlete ID"].astype(int).astype(str).to_numpy()
    last = DAY_ZERO + pd.to_timedelta(rows["Date"].to_numpy() + WINDOW_DAYS - 1, unit="D")
    stretch = daily.set_index(["athlete_id", "date"])["log_id"]
    return pd.DataFrame(
        {
            "athlete_id": athletes,
            "log_id": stretch.reindex(pd.MultiIndex.from_arrays([athletes, last])).to_numpy(),
            "onset": last + pd.Timedelta(days=1),
        }
    )


def read_as_rest(result: LovdalImport) -> Cohort:
    """The trap the import avoids: one complete log per athlete, every absent day a rest day. Kept for the leak
    guard's test and ``benchmarks/lovdal_absent_days.py``, which show that it gives the label away."""
    athlete_of = result.logs.set_index("log_id")["athlete_id"]
    cohort = result.cohort

    def by_athlete(table: pd.DataFrame) -> pd.DataFrame:
        return table.assign(athlete_id=table["athlete_id"].astype(object).map(athlete_of))

    profiles = by_athlete(cohort.profiles).drop_duplicates("athlete_id").assign(log_start=pd.NaT)
    return Cohort(
        profiles=profiles, runs=by_athlete(cohort.runs), strength=by_athlete(cohort.strength), injuries=cohort.injuries
    ).normalised()


def write_import(result: LovdalImport, folder: Path) -> None:
    write_cohort(result.cohort, folder)
    result.daily.to_parquet(folder / "daily.parquet", index=False)
    result.logs.to_csv(folder / "logs.csv", index=False)
    result.onsets.to_csv(folder / "onsets.csv", index=False)


def window_features(frame: pd.DataFrame) -> pd.DataFrame:
    """The paper's inputs: the file's 70 columns as they are (nothing computed), for the paper's own protocol."""
    return frame[[column(m, d) for d in range(WINDOW_DAYS) for m in METRICS]].astype(float)


def paper_split(frame: pd.DataFrame, test_athletes: int = TEST_ATHLETES) -> np.ndarray:
    """True for rows of the ``test_athletes`` most recently recruited athletes (highest IDs)."""
    ids = np.sort(frame["Athlete ID"].unique())
    return frame["Athlete ID"].isin(ids[-test_athletes:]).to_numpy()


def synthetic_day_file(athletes: int = 30, days: int = 300, seed: int = 0) -> pd.DataFrame:
    """A file in the day-approach format with injuries driven by recent load, for tests (the real file is not
    shipped)."""
    rng = np.random.default_rng(seed)
    rows = []
    for athlete in range(athletes):
        km = np.where(rng.random(days) < 0.7, rng.gamma(3.0, 4.0 + athlete % 5, days), 0.0)
        spike = rng.random(days) < 0.03
        km[spike] *= 3.0
        daily = np.zeros((days, len(METRICS)))
        daily[:, 0] = (km > 0).astype(float)
        daily[:, 1] = np.round(km, 1)
        daily[:, 2] = np.round(km * rng.uniform(0, 0.3, days), 1)
        daily[:, 3] = np.round(km * rng.uniform(0, 0.1, days), 1)
        daily[:, 4] = np.round(km * rng.uniform(0, 0.02, days), 1)
        daily[:, 5] = (rng.random(days) < 0.2).astype(float)
        daily[:, 6] = np.round(rng.exponential(0.2, days) * (rng.random(days) < 0.1), 2)
        perceived = np.round(np.clip(km / 40.0, 0, 1), 2)
        daily[:, 7:10] = np.where(km[:, None] > 0, perceived[:, None], NO_TRAINING)
        for start in range(days - WINDOW_DAYS):
            window = daily[start : start + WINDOW_DAYS]
            load = window[:, 1].sum()
            risk = 1 / (1 + np.exp(-(load / 60.0 - 4.5)))
            rows.append([*window.reshape(-1), athlete, int(rng.random() < risk), start])
    columns = [column(m, d) for d in range(WINDOW_DAYS) for m in METRICS] + ["Athlete ID", "injury", "Date"]
    frame = pd.DataFrame(rows, columns=columns)
    frame[["Athlete ID", "injury", "Date"]] = frame[["Athlete ID", "injury", "Date"]].astype(int)
    return frame


def run_table(ran: pd.DataFrame, activity_ids: pd.Series | str, rpe: pd.Series) -> pd.DataFrame:
    """Runs of the days with km > 0 of a daily table; ``rpe`` on the 0-10 scale (the file scales it to 0-1)."""
    return pd.DataFrame(
        {
            "athlete_id": ran["athlete_id"],
            "activity_id": activity_ids,
            "date": ran["date"],
            "km": ran["km"],
            # Zone km can exceed the day's total in the raw data (rounding); clip so the run stays consistent.
            "km_threshold": np.minimum(ran["km_threshold"], ran["km"]),
            "km_interval": np.minimum(ran["km_interval"], ran["km"]),
            "km_sprint": np.minimum(ran["km_sprint"], ran["km"]),
            "duration_min": np.nan,
            "rpe": rpe,
        }
    )


def strength_table(lifted: pd.DataFrame, activity_ids: pd.Series) -> pd.DataFrame:
    """One generic session per day the file marks strength training (it records yes or no, not exercises)."""
    return pd.DataFrame(
        {
            "athlete_id": lifted["athlete_id"],
            "activity_id": activity_ids,
            "date": lifted["date"],
            "exercise_id": GENERIC_STRENGTH_EXERCISE,
            "sets": GENERIC_STRENGTH_SETS,
            "reps": GENERIC_STRENGTH_REPS,
            "load_kg": np.nan,
        }
    )

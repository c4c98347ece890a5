"""The public runner injury data of Lövdal, Azzopardi and den Hartigh 2021 (IJSPP; DataverseNL doi:10.34894/UWU9PV,
CC0), "day approach" file: import into our daily-log schema, and the paper's "any injury" protocol.

Format (shared/data/README.md): ten daily metrics for each of 7 consecutive days (block suffixes "", ".1" .. ".6",
oldest first), then ``Athlete ID``, ``injury`` (1 = onset the next day) and ``Date`` (day index from the athlete's
first record). So the block with suffix j is day ``Date + j`` and the onset of an injury row is day ``Date + 7``.
Real calendar dates are not published: day 0 of every athlete is mapped to ``DAY_ZERO``.
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
# Strength is only logged as yes/no; a session is recorded as one generic full-body exercise of the catalogue.
GENERIC_STRENGTH_EXERCISE = "back_squat"


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


@dataclass(frozen=True)
class LovdalImport:
    """``daily``: every column the file has, per day; ``cohort``: the part our schema holds."""

    daily: pd.DataFrame
    cohort: Cohort


def import_lovdal(path: Path) -> LovdalImport:
    """Read a day-approach file into a daily table and our cohort tables (profiles unknown: NaN)."""
    frame = read_day_file(path)
    daily = daily_log(frame)
    ran = daily[daily["km"] > 0]
    runs = run_table(ran, "lovdal-" + ran["date"].dt.strftime("%Y%m%d"), ran["perceived_exertion"] * 10.0)
    lifted = daily[daily["strength"] > 0]
    strength = strength_table(lifted, "lovdal-s-" + lifted["date"].dt.strftime("%Y%m%d"))
    onsets = frame[frame["injury"] == 1]
    onset_dates = DAY_ZERO + pd.to_timedelta(onsets["Date"].to_numpy() + WINDOW_DAYS, unit="D")
    injuries = pd.DataFrame(
        {
            "athlete_id": onsets["Athlete ID"].astype(int).astype(str).to_numpy(),
            # "Any injury": the file does not say which; the duration is unknown, so it resolves the next day.
            "kind": "any",
            "onset": onset_dates,
            "resolved": onset_dates + pd.Timedelta(days=1),
        }
    )
    ids = sorted(daily["athlete_id"].unique(), key=int)
    profiles = pd.DataFrame(
        {
            "athlete_id": ids,
            "age": np.nan,
            "sex": pd.NA,
            "years_running": np.nan,
            "body_mass_kg": np.nan,
            "height_cm": np.nan,
        }
    )
    cohort = Cohort(profiles=profiles, runs=runs, strength=strength, injuries=injuries).normalised()
    return LovdalImport(daily=daily, cohort=cohort)


def write_import(result: LovdalImport, folder: Path) -> None:
    write_cohort(result.cohort, folder)
    result.daily.to_parquet(folder / "daily.parquet", index=False)


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
            "sets": np.nan,
            "reps": np.nan,
            "load_kg": np.nan,
        }
    )

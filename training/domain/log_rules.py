"""Plausibility rules for training-log tables, applied to whole tables at once by batch scoring.

The limits are the ones ``POST /v1/risk`` enforces through its pydantic schemas (``service/schemas/risk.py``);
``tests/test_log_rules.py`` pins that both sides agree, so a limit changed on one side fails the suite.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

import numpy as np
import pandas as pd

from training.domain.catalogue import Catalogue, default_catalogue
from training.domain.schema import INJURIES, Cohort

# A human can run an ultra, but nobody covers more than this in one day.
MAX_KM_PER_DAY = 200.0


@dataclass(frozen=True)
class Bound:
    """An allowed numeric range; ``None`` ends are open, ``required`` says whether a missing value is an error."""

    low: float | None = None
    high: float | None = None
    low_inclusive: bool = True
    required: bool = False

    def violation(self, values: pd.Series) -> pd.Series:
        """True where a value breaks the bound (missing counts only when required)."""
        bad = values.isna() if self.required else pd.Series(False, index=values.index)
        if self.low is not None:
            bad |= (values < self.low) if self.low_inclusive else (values <= self.low)
        if self.high is not None:
            bad |= values > self.high
        return bad.fillna(False).astype(bool)

    def describe(self) -> str:
        low = "" if self.low is None else f"{'>=' if self.low_inclusive else '>'} {self.low:g}"
        high = "" if self.high is None else f"<= {self.high:g}"
        return " and ".join(p for p in (low, high) if p) or "a number"


# The same ranges as AthleteProfile, Run and ExerciseSet in service/schemas/risk.py.
BOUNDS: dict[str, dict[str, Bound]] = {
    "profiles": {
        "age": Bound(10, 100, required=True),
        "years_running": Bound(0, 80, required=True),
        "body_mass_kg": Bound(25, 250),
        "height_cm": Bound(100, 230),
    },
    "runs": {
        "km": Bound(0, MAX_KM_PER_DAY, low_inclusive=False, required=True),
        "km_threshold": Bound(0, MAX_KM_PER_DAY),
        "km_interval": Bound(0, MAX_KM_PER_DAY),
        "km_sprint": Bound(0, MAX_KM_PER_DAY),
        "duration_min": Bound(0, 1440, low_inclusive=False),
        "rpe": Bound(0, 10),
    },
    "strength": {
        "sets": Bound(1, 20, required=True),
        "reps": Bound(1, 200),
        "load_kg": Bound(0, 500),
    },
    "injuries": {},
}
SEXES = ("F", "M")


def reasons_for(
    tables: dict[str, pd.DataFrame],
    catalogue: Catalogue | None = None,
    parse_errors: dict[str, pd.Series] | None = None,
) -> dict[str, pd.Series]:
    """Per table, the reason each row is rejected ("" when it is sound); the first rule a row breaks is reported.

    ``parse_errors`` (values that are not numbers or dates, found when reading) come first. Profiles are judged
    before the other tables because the activities and injuries of an athlete without a sound profile are rejected.
    """
    catalogue = catalogue or default_catalogue()
    reasons = {name: pd.Series("", index=frame.index, dtype=object) for name, frame in tables.items()}
    for name, errors in (parse_errors or {}).items():
        reasons[name] = errors.astype(object).fillna("").copy()
    # Rows without a reason yet, kept as masks: comparing millions of reason strings per rule would dominate.
    unflagged = {name: reasons[name].to_numpy() == "" for name in reasons}

    def flag(table: str, bad: pd.Series | np.ndarray, reason: str | pd.Series) -> None:
        fresh = (bad.to_numpy(dtype=bool, na_value=False) if isinstance(bad, pd.Series) else bad) & unflagged[table]
        if not fresh.any():
            return
        unflagged[table] &= ~fresh
        current = reasons[table]
        current[fresh] = reason[fresh] if isinstance(reason, pd.Series) else reason

    for table, bounds in BOUNDS.items():
        frame = tables[table]
        for column, bound in bounds.items():
            flag(table, bound.violation(frame[column]), f"{column} must be {bound.describe()}")

    profiles = tables["profiles"]
    flag("profiles", ~profiles["sex"].isin(SEXES).fillna(False).astype(bool), "sex must be F or M")
    flag("profiles", profiles["athlete_id"].duplicated(keep=False), "athlete_id appears in more than one profile")
    flag("profiles", profiles["athlete_id"].isna(), "athlete_id is missing")

    # Hashed once per table for the activity keys, the daily cap and the profile check below.
    athlete_ids = {table: _Distinct.of(tables[table]["athlete_id"]) for table in ("runs", "strength", "injuries")}
    runs = tables["runs"]
    zones = runs["km_threshold"].fillna(0) + runs["km_interval"].fillna(0) + runs["km_sprint"].fillna(0)
    flag("runs", zones > runs["km"] + 1e-9, "km_threshold + km_interval + km_sprint exceed km")
    run_keys = _activity_keys(athlete_ids["runs"].codes, runs["activity_id"])
    flag("runs", _repeats_an_earlier_row(runs, _ACTIVITY, run_keys), "activity_id is already used by a run")

    strength = tables["strength"]
    exercises = _Distinct.of(strength["exercise_id"])
    known = exercises.isin(catalogue.ids())
    flag("strength", ~known, "exercise_id is not in the catalogue (GET /v1/exercises)")
    isometric = {e.id for e in catalogue.exercises if e.dosing.is_isometric}
    flag(
        "strength",
        known & strength["reps"].isna().to_numpy() & ~exercises.isin(isometric),
        "reps is required (only isometric holds go without)",
    )

    injuries = tables["injuries"]
    known_kind = injuries["kind"].isin(INJURIES).fillna(False).astype(bool)
    flag("injuries", ~known_kind, f"kind must be one of {', '.join(INJURIES)}")
    flag("injuries", injuries["onset"].isna(), "onset is missing or not a date")
    flag("injuries", (injuries["resolved"] < injuries["onset"]).fillna(False).astype(bool), "resolved is before onset")

    for table in ("runs", "strength"):
        flag(table, tables[table]["date"].isna(), "date is missing or not a date")
        flag(table, tables[table]["activity_id"].isna(), "activity_id is missing")

    flag(
        "runs",
        _over_daily_cap(runs, athlete_ids["runs"].codes, unflagged["runs"]),
        f"runs of this athlete on this day add up to more than {MAX_KM_PER_DAY:g} km",
    )

    athletes = set(profiles.loc[unflagged["profiles"], "athlete_id"].dropna())
    for table, ids in athlete_ids.items():
        flag(table, ~ids.isin(athletes), "athlete has no sound profile")

    # A strength session is one activity: if one of its exercises is rejected, the whole session is.
    rejected = ~unflagged["strength"]
    if rejected.any():
        session_keys = _activity_keys(athlete_ids["strength"].codes, strength["activity_id"])
        flag(
            "strength",
            _shares_key_with(strength, _ACTIVITY, session_keys, rejected),
            "another exercise of this session is rejected",
        )
    return reasons


_ACTIVITY = ["athlete_id", "activity_id"]


@dataclass(frozen=True)
class _Distinct:
    """A text column as codes into its distinct values, hashed once for all the checks that use it.

    Hashing millions of Python strings is what checking costs; ids repeat on every row of an athlete, so a check then
    looks up a few distinct values and indexes the codes.
    """

    codes: np.ndarray  # -1 where the value is missing
    values: pd.Index

    @classmethod
    def of(cls, column: pd.Series) -> _Distinct:
        # As plain objects: pandas factorizes a string-dtype column about half as fast.
        codes, values = pd.factorize(np.asarray(column, dtype=object))
        return cls(codes, pd.Index(values))

    def isin(self, allowed: Collection[str]) -> np.ndarray:
        """``column.isin(allowed)``; a missing value is never in (``allowed`` holds no missing value)."""
        found = np.append(self.values.isin(allowed), False)  # the last entry answers code -1
        return found[self.codes]


def _over_daily_cap(runs: pd.DataFrame, athlete_codes: np.ndarray, sound: np.ndarray) -> np.ndarray:
    """As the API does: add up the day's sound runs in log order; True for the run that takes the day over the cap.

    Runs without an athlete or a date belong to no day.
    """
    dates = runs["date"].to_numpy(dtype="datetime64[ns]")
    counted = np.flatnonzero(sound & (athlete_codes >= 0) & ~np.isnat(dates))
    date_codes, distinct_dates = pd.factorize(dates[counted])
    athlete_day = athlete_codes[counted].astype(np.int64) * len(distinct_dates) + date_codes
    if len(counted) and athlete_day.max() > 8 * len(counted):
        athlete_day = pd.factorize(athlete_day)[0]  # few runs over many athletes and dates: number the days densely
    km = runs["km"].to_numpy(dtype="float64")[counted]
    # Sound runs are longer than 0 km, so no running total passes its day's total: only days whose total nears the
    # cap (the margin covers summing in another order) need running totals, which pandas groups far more slowly.
    near_cap = (np.bincount(athlete_day, weights=km) > MAX_KM_PER_DAY - 1e-6)[athlete_day]
    running_total = pd.Series(km[near_cap]).groupby(athlete_day[near_cap], sort=False).cumsum().to_numpy()
    over = np.zeros(len(runs), dtype=bool)
    over[counted[near_cap]] = running_total > MAX_KM_PER_DAY
    return over


def _activity_keys(athlete_codes: np.ndarray, activity_ids: pd.Series) -> np.ndarray:
    """Per row, one number for its athlete and activity id: equal for equal ids (missing ones too), almost always
    different otherwise, so rows can be compared as numbers before the few that may be equal are compared by value.
    """
    # Python strings keep their hash once computed, so this is a pass over pointers, not over characters.
    activities = np.fromiter(map(hash, np.asarray(activity_ids, dtype=object)), dtype=np.int64, count=len(activity_ids))
    return athlete_codes.astype(np.uint64) * np.uint64(1_000_003) + activities.view(np.uint64)  # wraps, as hashes do


def _repeats_an_earlier_row(frame: pd.DataFrame, columns: list[str], keys: np.ndarray) -> np.ndarray:
    """``frame.duplicated(columns, keep="first")``, given ``keys`` equal wherever those columns are (_activity_keys).

    pandas compares text as Python objects, a second for millions of distinct activity ids; sorted numbers show
    which keys repeat, and only their rows, rare, are compared by value.
    """
    ordered = np.sort(keys)
    repeated_keys = ordered[1:][ordered[1:] == ordered[:-1]]
    repeats = np.zeros(len(frame), dtype=bool)
    if len(repeated_keys):
        candidates = pd.Index(keys).isin(repeated_keys)  # hashed: numpy's isin sorts all keys again
        repeats[candidates] = frame.loc[candidates, columns].duplicated(keep="first").to_numpy()
    return repeats


def _shares_key_with(frame: pd.DataFrame, columns: list[str], keys: np.ndarray, marked: np.ndarray) -> np.ndarray:
    """True for each row whose ``columns`` equal those of a marked row, marked rows included.

    As in _repeats_an_earlier_row, rows are compared by ``keys`` first and by value only where a key is a marked row's.
    """
    candidates = pd.Index(keys).isin(keys[marked])
    values = pd.MultiIndex.from_frame(frame.loc[candidates, columns])
    shares = np.zeros(len(frame), dtype=bool)
    shares[candidates] = values.isin(pd.MultiIndex.from_frame(frame.loc[marked, columns].drop_duplicates()))
    return shares


def sound_cohort(tables: dict[str, pd.DataFrame], reasons: dict[str, pd.Series]) -> Cohort:
    """The rows without a reason, as a normalised cohort."""
    kept = {}
    for name, frame in tables.items():
        sound = reasons[name].to_numpy() == ""
        kept[name] = frame if sound.all() else frame[sound]  # normalised() copies: no second copy of a sound table
    return Cohort(**kept).normalised()


def rejected_rows(
    tables: dict[str, pd.DataFrame], reasons: dict[str, pd.Series], raw: dict[str, pd.DataFrame]
) -> pd.DataFrame:
    """One row per rejected input row: table, row number in its table, athlete, reason and the row as read."""
    parts = []
    for name in tables:
        bad = np.flatnonzero(reasons[name].to_numpy() != "")
        if not len(bad):
            continue
        original = raw[name].iloc[bad]
        parts.append(
            pd.DataFrame(
                {
                    "table": name,
                    "row": bad,
                    "athlete_id": original["athlete_id"].astype(object).to_numpy(),
                    "reason": reasons[name].iloc[bad].to_numpy(),
                    "record": original.to_json(orient="records", lines=True, date_format="iso").splitlines(),
                }
            )
        )
    if not parts:
        return pd.DataFrame(columns=["table", "row", "athlete_id", "reason", "record"])
    return pd.concat(parts, ignore_index=True)

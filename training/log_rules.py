"""Plausibility rules for training-log tables, applied to whole tables at once by batch scoring.

The limits are the ones ``POST /v1/risk`` enforces through its pydantic schemas (``service/schemas/risk.py``);
``tests/test_log_rules.py`` pins that both sides agree, so a limit changed on one side fails the suite.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from training.catalogue import Catalogue, default_catalogue
from training.schema import INJURIES, Cohort

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
    unflagged = {name: (reasons[name] == "").to_numpy() for name in reasons}

    def flag(table: str, bad: pd.Series, reason: str | pd.Series) -> None:
        fresh = bad.to_numpy(dtype=bool, na_value=False) & unflagged[table]
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

    runs = tables["runs"]
    zones = runs["km_threshold"].fillna(0) + runs["km_interval"].fillna(0) + runs["km_sprint"].fillna(0)
    flag("runs", zones > runs["km"] + 1e-9, "km_threshold + km_interval + km_sprint exceed km")
    flag("runs", runs.duplicated(["athlete_id", "activity_id"], keep="first"), "activity_id is already used by a run")

    strength = tables["strength"]
    known = strength["exercise_id"].isin(catalogue.ids()).fillna(False).astype(bool)
    flag("strength", ~known, "exercise_id is not in the catalogue (GET /v1/exercises)")
    isometric = {e.id for e in catalogue.exercises if e.dosing.is_isometric}
    flag(
        "strength",
        known & strength["reps"].isna() & ~strength["exercise_id"].isin(isometric).fillna(False).astype(bool),
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

    # As the API does: add up the day's sound runs in log order and reject the run that takes the day over the cap.
    sound = unflagged["runs"]
    running_total = runs[sound].groupby(["athlete_id", "date"], dropna=True)["km"].cumsum()
    over = pd.Series(False, index=runs.index)
    over[running_total.index] = running_total > MAX_KM_PER_DAY
    flag("runs", over, f"runs of this athlete on this day add up to more than {MAX_KM_PER_DAY:g} km")

    athletes = set(profiles.loc[unflagged["profiles"], "athlete_id"].dropna())
    for table in ("runs", "strength", "injuries"):
        frame = tables[table]
        flag(table, ~frame["athlete_id"].isin(athletes).fillna(False).astype(bool), "athlete has no sound profile")

    # A strength session is one activity: if one of its exercises is rejected, the whole session is.
    bad_sessions = strength.loc[~unflagged["strength"], ["athlete_id", "activity_id"]].drop_duplicates()
    if len(bad_sessions):
        key = pd.MultiIndex.from_frame(strength[["athlete_id", "activity_id"]])
        in_bad = key.isin(pd.MultiIndex.from_frame(bad_sessions))
        flag("strength", pd.Series(in_bad, index=strength.index), "another exercise of this session is rejected")
    return reasons


def sound_cohort(tables: dict[str, pd.DataFrame], reasons: dict[str, pd.Series]) -> Cohort:
    """The rows without a reason, as a normalised cohort."""
    kept = {name: frame[reasons[name].to_numpy() == ""] for name, frame in tables.items()}
    return Cohort(**kept).normalised()


def rejected_rows(
    tables: dict[str, pd.DataFrame], reasons: dict[str, pd.Series], raw: dict[str, pd.DataFrame]
) -> pd.DataFrame:
    """One row per rejected input row: table, row number in its table, athlete, reason and the row as read."""
    parts = []
    for name, frame in tables.items():
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

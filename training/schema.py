"""The training-log data contract shared by the simulator, importers, features, API and batch scoring.

A cohort is four long tables keyed by ``athlete_id`` (strings). Dates are ``datetime64[ns]`` at midnight.
Distances are kilometres, loads kilograms.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

import pandas as pd


class Injury(str, Enum):
    """The four running injuries the product models."""

    pfps = "pfps"
    mtss = "mtss"
    hamstring = "hamstring"
    achilles = "achilles"


INJURIES: tuple[str, ...] = tuple(i.value for i in Injury)

INJURY_NAMES: dict[str, str] = {
    "pfps": "runner's knee (patellofemoral pain)",
    "mtss": "shin splints (medial tibial stress syndrome)",
    "hamstring": "hamstring strain",
    "achilles": "Achilles tendinopathy",
}

PROFILE_COLUMNS = ["athlete_id", "age", "sex", "years_running", "body_mass_kg", "height_cm"]
# One row per run; the zone columns are the part of ``km`` run at that intensity, the rest is easy running.
RUN_COLUMNS = ["athlete_id", "activity_id", "date", "km", "km_threshold", "km_interval", "km_sprint", "duration_min", "rpe"]
# One row per exercise performed in a strength session (``activity_id`` groups the rows of one session).
STRENGTH_COLUMNS = ["athlete_id", "activity_id", "date", "exercise_id", "sets", "reps", "load_kg"]
# ``resolved`` is NaT while the injury is ongoing.
INJURY_COLUMNS = ["athlete_id", "kind", "onset", "resolved"]


@dataclass(frozen=True)
class Cohort:
    """A training log for one or many athletes, in the four long tables of this module."""

    profiles: pd.DataFrame
    runs: pd.DataFrame
    strength: pd.DataFrame
    injuries: pd.DataFrame

    @classmethod
    def empty_tables(cls) -> Cohort:
        return cls(
            profiles=_typed(pd.DataFrame(columns=PROFILE_COLUMNS)),
            runs=_typed(pd.DataFrame(columns=RUN_COLUMNS)),
            strength=_typed(pd.DataFrame(columns=STRENGTH_COLUMNS)),
            injuries=_typed(pd.DataFrame(columns=INJURY_COLUMNS)),
        )

    def normalised(self) -> Cohort:
        """The same cohort with canonical column order and dtypes, so every path computes on identical frames."""
        return Cohort(
            profiles=_typed(self.profiles[PROFILE_COLUMNS].copy()),
            runs=_typed(self.runs[RUN_COLUMNS].copy()),
            strength=_typed(self.strength[STRENGTH_COLUMNS].copy()),
            injuries=_typed(self.injuries[INJURY_COLUMNS].copy()),
        )

    def for_athletes(self, athlete_ids: pd.Index | list[str]) -> Cohort:
        keep = set(athlete_ids)
        return Cohort(*(t[t["athlete_id"].isin(keep)].reset_index(drop=True) for t in self.tables()))

    def tables(self) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, pd.DataFrame]:
        return self.profiles, self.runs, self.strength, self.injuries


_DTYPES: dict[str, str] = {
    "athlete_id": "string",
    "activity_id": "string",
    "exercise_id": "string",
    "kind": "string",
    "sex": "string",
    "age": "float64",
    "years_running": "float64",
    "body_mass_kg": "float64",
    "height_cm": "float64",
    "km": "float64",
    "km_threshold": "float64",
    "km_interval": "float64",
    "km_sprint": "float64",
    "duration_min": "float64",
    "rpe": "float64",
    "sets": "float64",
    "reps": "float64",
    "load_kg": "float64",
}
_DATE_COLUMNS = {"date", "onset", "resolved"}


def _typed(frame: pd.DataFrame) -> pd.DataFrame:
    for column in frame.columns:
        if column in _DATE_COLUMNS:
            frame[column] = pd.to_datetime(frame[column]).astype("datetime64[ns]")
        elif column in _DTYPES:
            frame[column] = frame[column].astype(_DTYPES[column])
    return frame.reset_index(drop=True)

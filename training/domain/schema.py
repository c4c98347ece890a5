"""The training-log data contract shared by the simulator, importers, features, API and batch scoring.

A cohort is four long tables keyed by ``athlete_id`` (strings). Dates are ``datetime64[ns]`` at midnight.
Distances are kilometres, loads kilograms.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

import numpy as np
import pandas as pd


class Injury(StrEnum):
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

# ``log_start``: the first day from which the athlete's log is complete; days before it are unknown, not rest days.
# NaT (or the column left out) means the whole log is complete.
PROFILE_COLUMNS = ["athlete_id", "age", "sex", "years_running", "body_mass_kg", "height_cm", "log_start"]
# Columns a table may leave out; they are then missing for every row.
OPTIONAL_COLUMNS = frozenset({"log_start"})
# One row per run; the zone columns are the part of ``km`` run at that intensity, the rest is easy running.
RUN_COLUMNS = [
    "athlete_id",
    "activity_id",
    "date",
    "km",
    "km_threshold",
    "km_interval",
    "km_sprint",
    "duration_min",
    "rpe",
]
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
            profiles=_typed(pd.DataFrame(columns=PROFILE_COLUMNS), PROFILE_COLUMNS),
            runs=_typed(pd.DataFrame(columns=RUN_COLUMNS), RUN_COLUMNS),
            strength=_typed(pd.DataFrame(columns=STRENGTH_COLUMNS), STRENGTH_COLUMNS),
            injuries=_typed(pd.DataFrame(columns=INJURY_COLUMNS), INJURY_COLUMNS),
        )

    def normalised(self) -> Cohort:
        """The same cohort with canonical column order and dtypes, so every path computes on identical frames."""
        return Cohort(
            profiles=_typed(self.profiles, PROFILE_COLUMNS),
            runs=_typed(self.runs, RUN_COLUMNS),
            strength=_typed(self.strength, STRENGTH_COLUMNS),
            injuries=_typed(self.injuries, INJURY_COLUMNS),
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
_DATE_COLUMNS = {"date", "onset", "resolved", "log_start"}
# Compared by dtype object: "string" alone would also match pyarrow-backed strings, which are cast to these.
_CANONICAL = {
    **{column: pd.api.types.pandas_dtype(dtype) for column, dtype in _DTYPES.items()},
    **{column: np.dtype("datetime64[ns]") for column in _DATE_COLUMNS},
}


def _typed(frame: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    """``frame[columns]`` in canonical dtypes with a fresh index, as a new frame sharing no data with ``frame``.

    A column already in its dtype is copied, not converted: features normalise every chunk of a batch, and parsing
    dates that are dates already, or casting and then copying again, costs more than the features of a small chunk.
    """
    typed = {}
    for column in columns:
        dtype = _CANONICAL[column]
        if column not in frame.columns and column in OPTIONAL_COLUMNS:
            typed[column] = np.full(len(frame), np.datetime64("NaT"), dtype=dtype)
            continue
        values = frame[column]
        if values.dtype != dtype:
            values = pd.to_datetime(values) if column in _DATE_COLUMNS else values
            values = values.astype(dtype)
        # Built from arrays once, so each column is copied a single time: numpy columns as the frame stacks them into
        # one block per dtype, extension arrays (the ids) by copy=True.
        typed[column] = values.to_numpy() if isinstance(dtype, np.dtype) else values.array
    return pd.DataFrame(typed, copy=True)

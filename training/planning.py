"""Scoring planned training: append candidate runs and strength sessions to a log and score the days they cover.

Every plan runs through the same ``score`` (features + model) as the API and batch scoring, with each plan as its own
copy of the athlete, so a plan's risk is exactly what the service would answer once the plan had been logged.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import pandas as pd

from training.model import InjuryRiskModel
from training.schema import RUN_COLUMNS, STRENGTH_COLUMNS, Cohort
from training.scoring import score


def _empty(columns: list[str]) -> pd.DataFrame:
    return pd.DataFrame(columns=[c for c in columns if c != "athlete_id"])


@dataclass(frozen=True)
class PlannedActivities:
    """Runs and strength rows to add, in the cohort's run and strength columns without ``athlete_id``."""

    runs: pd.DataFrame = field(default_factory=lambda: _empty(RUN_COLUMNS))
    strength: pd.DataFrame = field(default_factory=lambda: _empty(STRENGTH_COLUMNS))


def score_plans(
    cohort: Cohort,
    athlete_id: str,
    plans: Mapping[str, PlannedActivities],
    first_day: pd.Timestamp,
    last_day: pd.Timestamp,
    model: InjuryRiskModel,
) -> pd.DataFrame:
    """Scored rows (``score`` columns plus ``plan``) for each plan and each day from first_day to last_day."""
    own = cohort.for_athletes([athlete_id])
    tables: dict[str, list[pd.DataFrame]] = {"profiles": [], "runs": [], "strength": [], "injuries": []}
    for name, plan in plans.items():
        copy_id = f"plan:{name}"
        tables["profiles"].append(own.profiles.assign(athlete_id=copy_id))
        tables["injuries"].append(own.injuries.assign(athlete_id=copy_id))
        tables["runs"] += [own.runs.assign(athlete_id=copy_id), _planned(plan.runs, copy_id, RUN_COLUMNS)]
        tables["strength"] += [
            own.strength.assign(athlete_id=copy_id), _planned(plan.strength, copy_id, STRENGTH_COLUMNS)
        ]
    combined = Cohort(**{name: _concat(parts) for name, parts in tables.items()}).normalised()
    spans = pd.DataFrame(
        {"athlete_id": [f"plan:{name}" for name in plans], "start": first_day.normalize(), "end": last_day.normalize()}
    )
    rows = score(combined, spans, model)
    rows.insert(0, "plan", rows["athlete_id"].astype(str).str.removeprefix("plan:"))
    return rows


def _concat(parts: list[pd.DataFrame]) -> pd.DataFrame:
    # Empty parts are left out: pandas is deprecating their say in the result's dtypes.
    filled = [p for p in parts if len(p)]
    return pd.concat(filled, ignore_index=True) if filled else parts[0]


def _planned(frame: pd.DataFrame, athlete_id: str, columns: list[str]) -> pd.DataFrame:
    planned = frame.assign(athlete_id=athlete_id).reindex(columns=columns)
    # Keep the columns typed even when a plan is empty, so concatenation does not fall back to object dtype.
    return planned.astype({c: "float64" for c in columns if c not in {"athlete_id", "activity_id", "date", "exercise_id"}})

"""Scoring planned training: append candidate runs and strength sessions to a log and score the days they cover.

Every plan runs through the same ``score`` (features + model) as the API and batch scoring, with each plan as its own
copy of the athlete, so a plan's risk is exactly what the service would answer once the plan had been logged.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass, field

import pandas as pd

from training.model import InjuryRiskModel
from training.schema import RUN_COLUMNS, STRENGTH_COLUMNS, Cohort
from training.scoring import score


@functools.cache
def _empty(columns: tuple[str, ...]) -> pd.DataFrame:
    # Shared and never mutated: load guidance makes dozens of plans per request, most without strength work.
    return pd.DataFrame(columns=[c for c in columns if c != "athlete_id"])


@dataclass(frozen=True)
class PlannedActivities:
    """Runs and strength rows to add, in the cohort's run and strength columns without ``athlete_id``."""

    runs: pd.DataFrame = field(default_factory=lambda: _empty(tuple(RUN_COLUMNS)))
    strength: pd.DataFrame = field(default_factory=lambda: _empty(tuple(STRENGTH_COLUMNS)))


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
    names = list(plans)
    copies = [f"plan:{name}" for name in names]

    def replicated(table: pd.DataFrame) -> pd.DataFrame:
        # One copy of the athlete's table per plan, built in one go: per-plan frames cost more than the scoring.
        repeated = table.loc[table.index.repeat(len(copies))].reset_index(drop=True)
        repeated["athlete_id"] = copies * len(table)
        return repeated

    def planned(part: str, columns: list[str]) -> pd.DataFrame:
        frames = {copy_id: getattr(plans[name], part) for name, copy_id in zip(names, copies, strict=True)}
        frames = {k: v for k, v in frames.items() if len(v)}
        if not frames:
            return pd.DataFrame(columns=columns)
        joined = pd.concat(frames, names=["athlete_id", None]).reset_index(level=0)
        return joined.reindex(columns=columns)

    combined = Cohort(
        profiles=replicated(own.profiles),
        runs=_concat([replicated(own.runs), planned("runs", RUN_COLUMNS)]),
        strength=_concat([replicated(own.strength), planned("strength", STRENGTH_COLUMNS)]),
        injuries=replicated(own.injuries),
    ).normalised()
    spans = pd.DataFrame({"athlete_id": copies, "start": first_day.normalize(), "end": last_day.normalize()})
    rows = score(combined, spans, model)
    rows.insert(0, "plan", rows["athlete_id"].astype(str).str.removeprefix("plan:"))
    return rows


def _concat(parts: list[pd.DataFrame]) -> pd.DataFrame:
    # Empty parts are left out: pandas is deprecating their say in the result's dtypes.
    filled = [p for p in parts if len(p)]
    return pd.concat(filled, ignore_index=True) if filled else parts[0]

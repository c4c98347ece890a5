"""Scoring planned training: append candidate runs and strength sessions to a log and score the days they cover.

Every plan runs through the same ``score`` (features + model) as the API and batch scoring, with each plan as its own
copy of the athlete, so a plan's risk is exactly what the service would answer once the plan had been logged.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass, field

import pandas as pd

from training.domain.schema import RUN_COLUMNS, STRENGTH_COLUMNS, Cohort
from training.model.risk_model import InjuryRiskModel
from training.model.scoring import score


@functools.cache
def _empty(columns: tuple[str, ...]) -> pd.DataFrame:
    # Shared and never mutated: most plans have no strength work, and a what-if makes an empty baseline every time.
    return pd.DataFrame(columns=[c for c in columns if c != "athlete_id"])


def no_plan_rows(columns: list[str]) -> pd.DataFrame:
    """An empty ``score_plan_tables`` table: ``plan`` and ``columns`` without ``athlete_id`` (shared, never mutated)."""
    return _empty((_PLAN, *columns))


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

    def keyed(part: str, columns: list[str]) -> pd.DataFrame:
        frames = {name: getattr(plan, part) for name, plan in plans.items() if len(getattr(plan, part))}
        if not frames:
            return no_plan_rows(columns)
        return pd.concat(frames, names=[_PLAN, None]).reset_index(level=0)

    return score_plan_tables(
        cohort,
        athlete_id,
        list(plans),
        keyed("runs", RUN_COLUMNS),
        keyed("strength", STRENGTH_COLUMNS),
        first_day,
        last_day,
        model,
    )


def score_plan_tables(
    cohort: Cohort,
    athlete_id: str,
    names: list[str],
    runs: pd.DataFrame,
    strength: pd.DataFrame,
    first_day: pd.Timestamp,
    last_day: pd.Timestamp,
    model: InjuryRiskModel,
) -> pd.DataFrame:
    """``score_plans`` with the runs and strength rows of all plans in one table each, keyed by a ``plan`` column
    naming one of ``names``: for callers that make dozens of plans, where a frame per plan costs more than scoring."""
    own = cohort.for_athletes([athlete_id])
    copies = [f"plan:{name}" for name in names]

    def replicated(table: pd.DataFrame) -> pd.DataFrame:
        # One copy of the athlete's table per plan, built in one go: per-plan frames cost more than the scoring.
        repeated = table.loc[table.index.repeat(len(copies))].reset_index(drop=True)
        repeated["athlete_id"] = copies * len(table)
        return repeated

    def planned(table: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
        rows = table.assign(athlete_id="plan:" + table[_PLAN].astype(str)) if len(table) else table
        return rows.reindex(columns=columns).reset_index(drop=True)

    combined = Cohort(
        profiles=replicated(own.profiles),
        runs=_concat([replicated(own.runs), planned(runs, RUN_COLUMNS)]),
        strength=_concat([replicated(own.strength), planned(strength, STRENGTH_COLUMNS)]),
        injuries=replicated(own.injuries),
    ).normalised()
    spans = pd.DataFrame({"athlete_id": copies, "start": first_day.normalize(), "end": last_day.normalize()})
    rows = score(combined, spans, model)
    rows.insert(0, _PLAN, rows["athlete_id"].astype(str).str.removeprefix("plan:"))
    return rows


_PLAN = "plan"


def _concat(parts: list[pd.DataFrame]) -> pd.DataFrame:
    # Empty parts are left out: pandas is deprecating their say in the result's dtypes.
    filled = [p for p in parts if len(p)]
    return pd.concat(filled, ignore_index=True) if filled else parts[0]

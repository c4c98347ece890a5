"""What-if: the risk at the end of a planned block of training against doing nothing new over the same days."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import SupportsFloat

import pandas as pd

from service.guidance.planning import PlannedActivities, score_plans
from training.domain.schema import INJURIES, Cohort
from training.model.risk_model import InjuryRiskModel
from training.model.scoring import risk_column

_PLAN, _BASELINE = "with_plan", "without_plan"


@dataclass(frozen=True)
class PlanOutcome:
    """One injury's risk on the plan's last day with and without the plan, and the plan's peak over its days."""

    injury: str
    injured: bool
    with_plan: float | None
    without_plan: float | None
    peak_with_plan: float | None
    relative_risk_with_plan: float | None
    relative_risk_without_plan: float | None
    band_with_plan: str | None
    band_without_plan: str | None


def what_if(
    cohort: Cohort,
    athlete_id: str,
    as_of: pd.Timestamp,
    plan: PlannedActivities,
    plan_end: pd.Timestamp,
    model: InjuryRiskModel,
) -> list[PlanOutcome]:
    """Per injury: risk on ``plan_end`` with the plan appended to the log vs with nothing new after ``as_of``."""
    rows = score_plans(
        cohort,
        athlete_id,
        {_PLAN: plan, _BASELINE: PlannedActivities()},
        as_of + pd.Timedelta(days=1),
        plan_end,
        model,
    )
    planned = rows[rows["plan"] == _PLAN]
    last = planned.iloc[-1]
    baseline = rows[rows["plan"] == _BASELINE].iloc[-1]
    return [
        PlanOutcome(
            injury=kind,
            injured=bool(last[f"injured_{kind}"]),
            with_plan=_number(last[risk_column(kind)]),
            without_plan=_number(baseline[risk_column(kind)]),
            peak_with_plan=_number(planned[risk_column(kind)].max()),
            relative_risk_with_plan=_number(last[f"relative_risk_{kind}"]),
            relative_risk_without_plan=_number(baseline[f"relative_risk_{kind}"]),
            band_with_plan=_text(last[f"band_{kind}"]),
            band_without_plan=_text(baseline[f"band_{kind}"]),
        )
        for kind in INJURIES
    ]


def _number(value: SupportsFloat) -> float | None:
    number = float(value)
    return None if math.isnan(number) else number


def _text(value: object) -> str | None:
    return None if value is None or (isinstance(value, float) and math.isnan(value)) else str(value)

"""Counts a batch run reports: athletes and athlete-days scored, and athletes at high risk per injury."""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from training.schema import INJURIES

HIGH_BANDS = ("high", "very_high")


@dataclass
class Tally:
    """Accumulated over chunks of disjoint athletes, so per-chunk counts of distinct athletes simply add up."""

    athletes: int = 0
    athlete_days: int = 0
    high_risk_athletes: dict[str, int] = field(default_factory=lambda: {k: 0 for k in INJURIES})

    def add(self, result: pd.DataFrame) -> None:
        self.athletes += int(result["athlete_id"].nunique())
        self.athlete_days += len(result)
        for kind in INJURIES:
            high = result[f"band_{kind}"].isin(HIGH_BANDS)
            self.high_risk_athletes[kind] += int(result.loc[high, "athlete_id"].nunique())

"""Counts a batch run reports: athletes and athlete-days scored, and athletes at high risk per injury."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from training.domain.schema import INJURIES

HIGH_BANDS = ("high", "very_high")


@dataclass
class Tally:
    """Accumulated over chunks of disjoint athletes, so per-chunk counts of distinct athletes simply add up."""

    athletes: int = 0
    athlete_days: int = 0
    high_risk_athletes: dict[str, int] = field(default_factory=lambda: {k: 0 for k in INJURIES})

    def add(self, result: pd.DataFrame) -> None:
        # Athletes as codes, found once: counting distinct ids per injury would hash every id five times.
        athlete, athletes = pd.factorize(result["athlete_id"].astype(object))
        self.athletes += len(athletes)
        self.athlete_days += len(result)
        for kind in INJURIES:
            high = result[f"band_{kind}"].isin(HIGH_BANDS).to_numpy(dtype=bool)
            self.high_risk_athletes[kind] += int(np.count_nonzero(np.bincount(athlete[high], minlength=len(athletes))))

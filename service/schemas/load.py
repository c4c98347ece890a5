"""Body of GET /v1/athletes/{athlete_id}/load: weekly km, acute:chronic ratios and long-run spikes by week."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, Field


class LoadWeek(BaseModel):
    week_end: dt.date = Field(description="Last day of the 7-day week (as_of, then every 7 days back).")
    km: float | None = Field(description="km run in the 7 days ending week_end (`km_7d`); null where unknown.")
    longest_run_km: float | None = Field(description="Longest run of the week (`longest_run_7d_km`).")
    acwr_rolling: float | None = Field(
        description="The week's km over the weekly average of the 28 days (`acwr_rolling`)."
    )
    acwr_ewma: float | None = Field(description="EWMA 7-day over 28-day load (`acwr_ewma`).")
    longest_run_spike_pct: float | None = Field(
        description="How much longer, as a fraction, the week's longest run was than any of the 30 days before it."
    )
    spike: bool = Field(description="longest_run_spike_pct above spike_threshold_pct.")


class AthleteLoadPublic(BaseModel):
    athlete_id: str
    as_of: dt.date
    spike_threshold_pct: float = Field(description="A run this much longer than the 30 days before counts as a spike.")
    weeks: list[LoadWeek] = Field(description="Oldest week first.")

"""An athlete's training load week by week: weekly km, acute:chronic ratios and long-run spikes.

Every figure is a feature of ``training/features.py`` read on the last day of each week (through
``training.athlete_features``, as a risk answer reads them), so the chart a clinician sees is what the model saw.
"""

from __future__ import annotations

import datetime as dt
import math

import numpy as np

from service.schemas.load import LoadWeek
from training.athlete_features import athlete_features
from training.domain.athlete_log import AthleteLog, day_number
from training.domain.catalogue import default_catalogue
from training.features import LOOKBACK_DAYS

# The lowest band with a raised risk in the Garmin-RUNSAFE cohort: a run 10-30% longer than the longest of the
# previous 30 days, HR 1.64 (BJSM 2025, doi:10.1136/bjsports-2024-109380); the simulator uses the same bands.
SPIKE_THRESHOLD_PCT = 0.10


def max_weeks(max_log_days: int) -> int:
    """Most weeks a stored log can feed: the weeks and the features' look-back must fit in the log's window."""
    return (max_log_days - LOOKBACK_DAYS) // 7


def weekly_load(log: AthleteLog, as_of: dt.date, weeks: int) -> list[LoadWeek]:
    """The ``weeks`` weeks ending on ``as_of``, oldest first; a figure whose window reaches before the log's start
    is null, as it is for the model."""
    last = day_number(as_of)
    first = last - 7 * (weeks - 1)
    columns = athlete_features(log, first, last, default_catalogue())
    result = []
    for position in np.arange(0, last - first + 1, 7):
        spike = _number(columns["longest_run_spike_pct"][position])
        result.append(
            LoadWeek(
                week_end=as_of - dt.timedelta(days=int(last - first - position)),
                km=_number(columns["km_7d"][position]),
                longest_run_km=_number(columns["longest_run_7d_km"][position]),
                acwr_rolling=_number(columns["acwr_rolling"][position]),
                acwr_ewma=_number(columns["acwr_ewma"][position]),
                longest_run_spike_pct=spike,
                spike=spike is not None and spike > SPIKE_THRESHOLD_PCT,
            )
        )
    return result


def _number(value: float) -> float | None:
    return None if math.isnan(value) else float(value)

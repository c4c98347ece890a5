"""``--since-last-run``: the athlete-days of a run that the served model version has not scored yet.

The spans of ``features.days_to_score`` are cut around the athlete-days already scored: what is left becomes one
span per run of consecutive unscored days, so an athlete can end up with several spans. Only the output days change:
the features of a day still read the up-to-90-day history before it, which the cohort holds whatever the spans.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

SCORED_COLUMNS = ["athlete_id", "as_of"]
_NS_PER_DAY = 86_400 * 10**9


def unscored_spans(spans: pd.DataFrame, scored: pd.DataFrame) -> tuple[pd.DataFrame, int]:
    """``spans`` without the athlete-days of ``scored`` (columns athlete_id, as_of), and how many days were dropped.

    The result has the columns athlete_id, start, end, in the order of ``spans``, one row per run of consecutive
    unscored days of an athlete.
    """
    if spans.empty or scored.empty:
        return spans, 0
    start = _day_numbers(spans["start"])
    length = np.maximum(_day_numbers(spans["end"]) - start + 1, 0)
    athlete = np.repeat(spans["athlete_id"].astype(object).to_numpy(), length)
    day = np.repeat(start, length) + (np.arange(int(length.sum())) - np.repeat(np.cumsum(length) - length, length))
    done = pd.MultiIndex.from_arrays([scored["athlete_id"].astype(object), _day_numbers(scored["as_of"])])
    keep = ~pd.MultiIndex.from_arrays([athlete, day]).isin(done)
    skipped = int((~keep).sum())
    athlete, day = athlete[keep], day[keep]
    if not len(day):
        return pd.DataFrame(
            {
                "athlete_id": pd.Series(dtype="string"),
                "start": pd.Series(dtype="datetime64[ns]"),
                "end": pd.Series(dtype="datetime64[ns]"),
            }
        ), skipped
    # A new span starts at every athlete's first unscored day and after every gap.
    starts = np.ones(len(day), dtype=bool)
    starts[1:] = (athlete[1:] != athlete[:-1]) | (day[1:] != day[:-1] + 1)
    first = np.flatnonzero(starts)
    last = np.append(first[1:] - 1, len(day) - 1)
    cut = pd.DataFrame(
        {
            "athlete_id": pd.array(athlete[first], dtype="string"),
            "start": (day[first] * _NS_PER_DAY).astype("datetime64[ns]"),
            "end": (day[last] * _NS_PER_DAY).astype("datetime64[ns]"),
        }
    )
    return cut, skipped


def _day_numbers(values: pd.Series) -> np.ndarray:
    stamps = pd.to_datetime(values).dt.normalize().to_numpy(dtype="datetime64[ns]")
    return np.floor_divide(stamps.view("int64"), _NS_PER_DAY)

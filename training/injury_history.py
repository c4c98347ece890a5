"""Injury-history features of scored athlete-days: prior injuries per kind, days since the last onset and return,
and which injuries are ongoing. An injury history is stated by the athlete, so it does not depend on ``log_start``."""

from __future__ import annotations

import numpy as np
import pandas as pd

from training.day_windows import day_numbers
from training.domain.schema import INJURIES

_SENTINEL_DAYS = 3650.0


def _last_at_or_before(event_code: np.ndarray, event_day: np.ndarray, code: np.ndarray, day: np.ndarray) -> np.ndarray:
    """Per row, the position of the athlete's last event on or before the row's day (events sorted), or -1."""
    # Athlete code in the high bits, day in the low bits: one sorted key, so one binary search finds the event.
    shift, bias = np.int64(1) << 32, np.int64(1) << 31
    events = event_code * shift + (event_day + bias)
    position = np.searchsorted(events, code * shift + (day + bias), side="right") - 1
    found = position >= 0
    found[found] = event_code[position[found]] == code[found]
    return np.where(found, position, -1)


def history(
    code: np.ndarray, day: np.ndarray, injuries: pd.DataFrame, injury_code: np.ndarray
) -> dict[str, np.ndarray]:
    """Prior injuries per kind (count, days since the last onset), ongoing injuries and days since the last return.

    ``code`` and ``day`` name the scored rows (athlete code, days since 1970-01-01); ``injury_code`` is the athlete
    code of each injury (-1 for athletes not scored).
    """
    onset = injuries["onset"].to_numpy(dtype="datetime64[ns]")
    resolved = injuries["resolved"].to_numpy(dtype="datetime64[ns]")
    kinds = injuries["kind"].astype(object).to_numpy()
    usable = (injury_code >= 0) & ~np.isnat(onset)
    history: dict[str, np.ndarray] = {}
    total = np.zeros(len(code))
    for kind in INJURIES:
        chosen = np.flatnonzero(usable & (kinds == kind))
        order = chosen[np.lexsort((day_numbers(onset[chosen]), injury_code[chosen]))]
        event_code, event_day = injury_code[order], day_numbers(onset[order])
        event_resolved = resolved[order]
        # 1-based count of onsets per athlete, in onset order.
        first_of_athlete = np.searchsorted(event_code, event_code, side="left")
        count_at = (np.arange(len(order)) - first_of_athlete + 1).astype("float64")
        last = _last_at_or_before(event_code, event_day, code, day)
        found = last >= 0
        at = np.maximum(last, 0)
        count = np.where(found, count_at[at] if len(order) else 0.0, 0.0)
        since = np.where(found, (day - (event_day[at] if len(order) else 0)).astype("float64"), np.nan)
        ends = event_resolved[at] if len(order) else np.full(len(code), np.datetime64("NaT"), dtype="datetime64[ns]")
        ongoing = found & (np.isnat(ends) | (day_numbers(ends) > day))
        history[f"prior_{kind}"] = count
        history[f"days_since_{kind}"] = np.minimum(since, _SENTINEL_DAYS)
        history[f"injured_{kind}"] = ongoing
        total += count
    history["prior_injuries"] = total
    returned = np.flatnonzero((injury_code >= 0) & ~np.isnat(resolved))
    order = returned[np.lexsort((day_numbers(resolved[returned]), injury_code[returned]))]
    return_day = day_numbers(resolved[order])
    last = _last_at_or_before(injury_code[order], return_day, code, day)
    since_return = np.where(last >= 0, (day - (return_day[np.maximum(last, 0)] if len(order) else 0)), np.nan)
    history["days_since_return"] = np.minimum(since_return.astype("float64"), _SENTINEL_DAYS)
    return history

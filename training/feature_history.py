"""Injury-history and profile features from arrays: one definition for the cohort frames and a single athlete's log.

Rows are (athlete code, day) pairs; injuries and profiles carry the athlete code of their row owner (-1: none).
"""

from __future__ import annotations

import numpy as np

from training.domain.schema import INJURIES

_SENTINEL_DAYS = 3650.0
PROFILE_NAMES = ["age", "female", "years_running", "novice", "body_mass_kg", "bmi"]


def _last_at_or_before(event_code: np.ndarray, event_day: np.ndarray, code: np.ndarray, day: np.ndarray) -> np.ndarray:
    """Per row, the position of the athlete's last event on or before the row's day (events sorted), or -1."""
    # Athlete code in the high bits, day in the low bits: one sorted key, so one binary search finds the event.
    shift, bias = np.int64(1) << 32, np.int64(1) << 31
    events = event_code * shift + (event_day + bias)
    position = np.searchsorted(events, code * shift + (day + bias), side="right") - 1
    found = position >= 0
    found[found] = event_code[position[found]] == code[found]
    return np.where(found, position, -1)


def history_features(
    code: np.ndarray,
    day: np.ndarray,
    injury_code: np.ndarray,
    kinds: np.ndarray,
    onset: np.ndarray,
    onset_known: np.ndarray,
    resolved: np.ndarray,
    resolved_known: np.ndarray,
) -> dict[str, np.ndarray]:
    """Prior injuries per kind (count, days since the last onset), ongoing injuries and days since the last return.

    ``onset`` and ``resolved`` are day numbers, meaningful where the matching ``*_known`` is true.
    """
    usable = (injury_code >= 0) & onset_known
    history: dict[str, np.ndarray] = {}
    total = np.zeros(len(code))
    for kind in INJURIES:
        chosen = np.flatnonzero(usable & (kinds == kind))
        order = chosen[np.lexsort((onset[chosen], injury_code[chosen]))]
        event_code, event_day = injury_code[order], onset[order]
        event_resolved, event_known = resolved[order], resolved_known[order]
        # 1-based count of onsets per athlete, in onset order.
        first_of_athlete = np.searchsorted(event_code, event_code, side="left")
        count_at = (np.arange(len(order)) - first_of_athlete + 1).astype("float64")
        last = _last_at_or_before(event_code, event_day, code, day)
        found = last >= 0
        at = np.maximum(last, 0)
        any_event = len(order) > 0
        count = np.where(found, count_at[at] if any_event else 0.0, 0.0)
        since = np.where(found, (day - (event_day[at] if any_event else 0)).astype("float64"), np.nan)
        ended = event_known[at] if any_event else np.zeros(len(code), dtype=bool)
        ends = event_resolved[at] if any_event else np.zeros(len(code), dtype=np.int64)
        history[f"prior_{kind}"] = count
        history[f"days_since_{kind}"] = np.minimum(since, _SENTINEL_DAYS)
        history[f"injured_{kind}"] = found & (~ended | (ends > day))
        total += count
    history["prior_injuries"] = total
    returned = np.flatnonzero((injury_code >= 0) & resolved_known)
    order = returned[np.lexsort((resolved[returned], injury_code[returned]))]
    return_day = resolved[order]
    last = _last_at_or_before(injury_code[order], return_day, code, day)
    since_return = np.where(last >= 0, (day - (return_day[np.maximum(last, 0)] if len(order) else 0)), np.nan)
    history["days_since_return"] = np.minimum(since_return.astype("float64"), _SENTINEL_DAYS)
    return history


def profile_table(
    age: np.ndarray, sex: np.ndarray, years_running: np.ndarray, body_mass_kg: np.ndarray, height_cm: np.ndarray
) -> np.ndarray:
    """Per athlete (rows), the ``PROFILE_NAMES`` features; missing inputs give NaN, never a guess.

    ``sex`` is an object array of "F", "M" or None.
    """
    sex_known = np.array([s is not None for s in sex], dtype=bool)
    female = np.where(sex_known, (sex == "F").astype("float64"), np.nan)
    years = years_running.astype("float64")
    novice = np.where(np.isnan(years), np.nan, (years < 1.0).astype("float64"))
    height_m = height_cm.astype("float64") / 100.0
    bmi = body_mass_kg.astype("float64") / (height_m * height_m)
    return np.column_stack([age.astype("float64"), female, years, novice, body_mass_kg.astype("float64"), bmi])


def profile_features(row_of_code: np.ndarray, code: np.ndarray, table: np.ndarray) -> dict[str, np.ndarray]:
    """Profile features per row from ``profile_table`` rows; ``row_of_code[c]`` is athlete c's row, -1 for none."""
    row = row_of_code[code]
    present = row >= 0
    return {
        name: np.where(present, table[np.maximum(row, 0), i] if len(table) else np.nan, np.nan)
        for i, name in enumerate(PROFILE_NAMES)
    }

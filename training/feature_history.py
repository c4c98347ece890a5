"""Injury-history and profile features from arrays: one definition for the cohort frames and a single athlete's log.

Rows are (athlete code, day) pairs; injuries and profiles carry the athlete code of their row owner (-1: none).
"""

from __future__ import annotations

import numpy as np

from training.domain.schema import INJURIES

_SENTINEL_DAYS = 3650.0
PROFILE_NAMES = ["age", "female", "years_running", "novice", "body_mass_kg", "bmi"]


def _last_at_or_before(
    event_group: np.ndarray, event_day: np.ndarray, group: np.ndarray, day: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Per query (``group`` and ``day`` broadcast together), whether its group has an event on or before its day, and
    the position of the last such event (events sorted, at least one; 0 where there is none)."""
    # Group in the high bits, day in the low bits: one sorted key, so one binary search finds the event.
    shift, bias = np.int64(1) << 32, np.int64(1) << 31
    events = event_group * shift + (event_day + bias)
    position = np.maximum(np.searchsorted(events, group * shift + (day + bias), side="right") - 1, 0)
    # The event before the first of the group is another group's (or position 0 of a later group): not found.
    return (event_group[position] == group) & (event_day[position] <= day), position


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
    # Every kind's onsets and every return are one sorted list of events, grouped by (kind or return, athlete):
    # one sort and one binary search serve every kind, instead of one of each per kind.
    kind_of = np.full(len(kinds), -1, dtype=np.int64)
    for k, kind in enumerate(INJURIES):
        kind_of[kinds == kind] = k
    onsets = np.flatnonzero((injury_code >= 0) & onset_known & (kind_of >= 0))
    returns = np.flatnonzero((injury_code >= 0) & resolved_known)
    athletes = 1 + max(int(code.max(initial=-1)), int(injury_code.max(initial=-1)))
    groups = len(INJURIES) + 1  # the last group holds the returns
    if groups * athletes >= 1 << 31:
        raise ValueError(f"{athletes} athletes do not fit the event key")
    event_group = np.concatenate(
        [kind_of[onsets] * athletes + injury_code[onsets], len(INJURIES) * athletes + injury_code[returns]]
    )
    event_day = np.concatenate([onset[onsets], resolved[returns]])
    order = np.lexsort((event_day, event_group))
    event_group, event_day = event_group[order], event_day[order]
    event_resolved = np.concatenate([resolved[onsets], resolved[returns]])[order]
    event_known = np.concatenate([resolved_known[onsets], resolved_known[returns]])[order]
    # 1-based count of events per group, in day order.
    count_at = (np.arange(len(order)) - np.searchsorted(event_group, event_group, side="left") + 1).astype("float64")
    shape = (groups, len(code))
    if len(order):
        # Rows are groups, columns the rows asked for.
        found, at = _last_at_or_before(event_group, event_day, np.arange(groups)[:, None] * athletes + code, day)
        count = np.where(found, count_at[at], 0.0)
        since = np.where(found, (day - event_day[at]).astype("float64"), np.nan)
        injured = found & (~event_known[at] | (event_resolved[at] > day))
    else:
        count, since, injured = np.zeros(shape), np.full(shape, np.nan), np.zeros(shape, dtype=bool)
    since = np.minimum(since, _SENTINEL_DAYS)
    history: dict[str, np.ndarray] = {}
    for k, kind in enumerate(INJURIES):
        history[f"prior_{kind}"] = count[k]
        history[f"days_since_{kind}"] = since[k]
        history[f"injured_{kind}"] = injured[k]
    history["prior_injuries"] = count[: len(INJURIES)].sum(axis=0)
    history["days_since_return"] = since[len(INJURIES)]
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

"""Known and unknown days: a log may be complete only from its ``log_start``; a feature that needs earlier days is
missing (NaN), never computed from invented rest days.

Each running and strength feature reads a fixed trailing window (``FEATURE_WINDOW_DAYS``: days t-W+1 .. t). The
"days since" features read back until they find their event, so they are known once the event is seen after
``log_start`` or once the known days reach their cap.
"""

from __future__ import annotations

import numpy as np

# Days each windowed feature reads, the scored day included. EWMA features read their truncation; the spike compares
# each run of the last 7 days with the 30 days before it.
FEATURE_WINDOW_DAYS: dict[str, int] = {
    "km_7d": 7,
    "km_28d": 28,
    "km_prev_7d": 14,
    "acwr_rolling": 28,
    "acwr_ewma": 84,
    "week_change_pct": 14,
    "longest_run_7d_km": 7,
    "longest_run_spike_pct": 37,
    "monotony_7d": 7,
    "strain_7d": 7,
    "runs_7d": 7,
    "share_threshold_28d": 28,
    "share_interval_28d": 28,
    "share_sprint_28d": 28,
    "km_speed_7d": 7,
    "srpe_7d": 7,
    "strength_sessions_per_week": 28,
    "nordic_reps_per_week": 28,
    "calf_reps_per_week": 28,
    "protective_reps_per_week_pfps": 28,
    "protective_reps_per_week_mtss": 28,
    "protective_reps_per_week_hamstring": 28,
    "protective_reps_per_week_achilles": 28,
}
# Streak features (days since the last event, capped): unknown while the streak reaches back before the log starts.
STREAK_FEATURES: tuple[str, ...] = ("days_since_rest", "days_since_strength")
COMPLETE = np.iinfo(np.int64).max // 4  # known days of a complete log: more than any window


def known_days(day: np.ndarray, log_start_day: np.ndarray) -> np.ndarray:
    """Days of the log known on each day (``day`` - ``log_start_day`` + 1); ``COMPLETE`` where the log has no start.

    ``log_start_day`` holds whole days since 1970-01-01, or a negative sentinel below any day for a complete log.
    """
    complete = log_start_day == np.iinfo(np.int64).min
    return np.where(complete, COMPLETE, day - np.where(complete, 0, log_start_day) + 1)


def mask_unknown(columns: dict[str, np.ndarray], known: np.ndarray, streak_cap: int) -> dict[str, np.ndarray]:
    """``columns`` with NaN wherever a feature's window reaches before the log's start (``known`` days per row).

    A streak feature is unknown when its value reaches the known days (the streak may go on before the log starts)
    and the known days are fewer than its cap.
    """
    if not (known < COMPLETE).any():
        return columns
    masked = dict(columns)
    for name, window in FEATURE_WINDOW_DAYS.items():
        if name in masked:
            masked[name] = np.where(known < window, np.nan, masked[name])
    for name in STREAK_FEATURES:
        if name in masked:
            masked[name] = np.where((masked[name] >= known) & (known < streak_cap), np.nan, masked[name])
    return masked


def unknown_features(known: int, values: dict[str, float]) -> list[str]:
    """The windowed and streak features among ``values`` that are missing because the log starts too late."""
    windowed = [name for name, window in FEATURE_WINDOW_DAYS.items() if known < window and name in values]
    streaks = [name for name in STREAK_FEATURES if name in values and np.isnan(values[name])]
    return windowed + streaks

"""Features of one athlete's log (``AthleteLog`` arrays), for an answer computed while the caller waits.

The same feature functions as ``compute_features`` run on the same daily arrays, only laid out for one athlete
without the cohort frames: a day's features are the same floats on both paths (tests pin it). Planned weeks are
scored as copies of the athlete, as ``service.guidance.planning`` does with frames.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from training.domain.athlete_log import AthleteLog, RunArrays
from training.domain.catalogue import Catalogue
from training.feature_history import history_features, profile_features, profile_table
from training.features import (
    DAYS_CAP,
    FEATURES,
    INJURED_COLUMNS,
    LOOKBACK_DAYS,
    daily_running,
    daily_strength,
    running_features,
    strength_features,
)
from training.known_log import known_days, mask_unknown

_RUNNING_DAILY = ("km", "km_threshold", "km_interval", "km_sprint", "runs", "srpe")


def athlete_days(log: AthleteLog, first_day: int, last_day: int, catalogue: Catalogue) -> dict[str, np.ndarray]:
    """Daily running and strength totals on days ``first_day - LOOKBACK_DAYS`` .. ``last_day`` (position 0 first)."""
    start = first_day - LOOKBACK_DAYS
    n = last_day - start + 1
    # Activities before the log's start are not read, as on the frame path.
    earliest = start if log.log_start is None else max(start, log.log_start)
    run_idx = log.runs.day - start
    run_keep = np.flatnonzero((log.runs.day >= earliest) & (run_idx < n))
    set_idx = log.strength.day - start
    set_keep = np.flatnonzero((log.strength.day >= earliest) & (set_idx < n))
    return {
        **daily_running(run_idx[run_keep], n, log.runs.take(run_keep)),
        **daily_strength(set_idx[set_keep], n, log.strength.take(set_keep), catalogue),
    }


def athlete_features(log: AthleteLog, first_day: int, last_day: int, catalogue: Catalogue) -> dict[str, np.ndarray]:
    """Every name of ``FEATURES`` and ``INJURED_COLUMNS`` for days ``first_day`` .. ``last_day`` (arrays by day)."""
    return day_features(LogDays.of(log, first_day, last_day, catalogue), first_day, last_day)


@dataclass(frozen=True)
class LogDays:
    """One athlete's daily totals on days ``first_day - LOOKBACK_DAYS`` .. ``last_day``, and the features of days
    ``first_day`` .. ``last_day`` that no planned run changes (strength, injury history, profile).

    An answer reads them twice, for its own day and for the planned weeks after it; built once, both read the same
    arrays. Every window is at most ``LOOKBACK_DAYS`` long (streaks are capped below it), so a day's features read
    from these longer arrays are the floats a range starting at that day gives.
    """

    log: AthleteLog
    first_day: int
    last_day: int
    daily: dict[str, np.ndarray]
    settled: dict[str, np.ndarray]

    @classmethod
    def of(cls, log: AthleteLog, first_day: int, last_day: int, catalogue: Catalogue) -> LogDays:
        daily = athlete_days(log, first_day, last_day, catalogue)
        days = np.arange(first_day, last_day + 1, dtype=np.int64)
        settled = _mask(log, strength_features(daily, np.arange(LOOKBACK_DAYS, len(daily["km"]))), days)
        settled.update(_known(log, days))
        return cls(log, first_day, last_day, daily, settled)

    def window(self, first_day: int, last_day: int) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
        """The daily arrays of ``first_day - LOOKBACK_DAYS`` .. ``last_day`` and the settled features of
        ``first_day`` .. ``last_day``, as views of these."""
        if not self.first_day <= first_day <= last_day <= self.last_day:
            raise ValueError(f"days {first_day}..{last_day} are not within {self.first_day}..{self.last_day}")
        start, stop = first_day - self.first_day, last_day - self.first_day + 1
        daily = {name: values[start : stop + LOOKBACK_DAYS] for name, values in self.daily.items()}
        return daily, {name: values[start:stop] for name, values in self.settled.items()}


def day_features(days: LogDays, first_day: int, last_day: int) -> dict[str, np.ndarray]:
    """``athlete_features`` of days ``first_day`` .. ``last_day`` read from ``days``."""
    daily, settled = days.window(first_day, last_day)
    # Only the days asked for are computed; the LOOKBACK_DAYS before them only feed the windows.
    wanted = np.arange(LOOKBACK_DAYS, len(daily["km"]))
    columns = _mask(days.log, running_features(daily, wanted), np.arange(first_day, last_day + 1, dtype=np.int64))
    columns.update(settled)
    return {name: columns[name] for name in [*FEATURES, *INJURED_COLUMNS]}


def plan_features(
    days: LogDays, plans: int, planned: RunArrays, plan: np.ndarray, first_day: int, last_day: int
) -> dict[str, np.ndarray]:
    """``athlete_features`` of ``plans`` copies of the athlete of ``days``, copy p with the runs
    ``planned[plan == p]`` added; rows copy by copy, each the days ``first_day`` .. ``last_day``."""
    daily, settled = days.window(first_day, last_day)
    n = len(daily["km"])
    idx = plan.astype(np.int64) * n + (planned.day - (first_day - LOOKBACK_DAYS))
    added = daily_running(idx, plans * n, planned)
    # Copies by indexing (one index array each) rather than np.tile per column: the columns are short and many.
    copied = np.tile(np.arange(n), plans)
    # A day's total is the logged runs' sum, then each planned run added in turn, as the frame path adds rows.
    running = {name: daily[name][copied] + added[name] for name in _RUNNING_DAILY}
    running["longest"] = np.maximum(daily["longest"][copied], added["longest"])
    output = np.flatnonzero(copied >= LOOKBACK_DAYS)
    once_days = np.arange(first_day, last_day + 1, dtype=np.int64)
    each_copy = copied[output] - LOOKBACK_DAYS
    columns = _mask(days.log, running_features(running, output), once_days[each_copy])
    columns.update({name: values[each_copy] for name, values in settled.items()})
    assert all(len(values) == plans * (last_day - first_day + 1) for values in columns.values())
    return {name: columns[name] for name in [*FEATURES, *INJURED_COLUMNS]}


def _mask(log: AthleteLog, columns: dict[str, np.ndarray], day: np.ndarray) -> dict[str, np.ndarray]:
    """Features whose window reaches before the log's start are NaN, as ``compute_features`` makes them."""
    if log.log_start is None:
        return columns
    return mask_unknown(columns, known_days(day, np.full(len(day), log.log_start, dtype=np.int64)), DAYS_CAP)


def _known(log: AthleteLog, day: np.ndarray) -> dict[str, np.ndarray]:
    """History and profile features on ``day`` (one athlete, code 0)."""
    code = np.zeros(len(day), dtype=np.int64)
    injuries = log.injuries
    columns = history_features(
        code,
        day,
        np.zeros(len(injuries.kind), dtype=np.int64),
        injuries.kind,
        injuries.onset,
        np.ones(len(injuries.kind), dtype=bool),
        injuries.resolved,
        injuries.resolved_known,
    )
    p = log.profile
    table = profile_table(
        np.array([p.age]),
        np.array([p.sex], dtype=object),
        np.array([p.years_running]),
        np.array([p.body_mass_kg]),
        np.array([p.height_cm]),
    )
    columns.update(profile_features(np.zeros(1, dtype=np.int64), code, table))
    return columns

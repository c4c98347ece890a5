"""The simulator held against real runners: marginal training distributions of a simulated cohort next to the Lövdal
cohort's, with stated tolerances.

Both sides are measured on 7-day windows (the only unit the Lövdal file holds intact): each file row's window, and
each simulated athlete's consecutive weeks from the start date. Measures:

- ``weekly_km_p10``/``p50``/``p90``: quantiles of km per week (tolerance: within 25% of the real value, or 5 km);
- ``running_days_per_week`` and ``rest_days_per_week`` (a rest day has neither a run nor any other session; 1 day);
- ``sessions_per_week``: runs plus other sessions (the file's "nr. sessions"; the simulator's runs and strength
  sessions; 1 session);
- ``share_threshold_km`` (zones 3-4) and ``share_interval_km`` (zone 5 and above) of all km (0.05);
- ``long_run_spike_weeks``: share of weeks whose longest day is over 1.5 x the mean of the week's other running days
  (0.1);
- ``injuries_per_1000h``: onsets per 1000 running hours at an assumed 12 km/h (within a factor 2). The file's
  exposure is biased: healthy stretches were chosen around its rows, so this is a rough check only.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from training.lovdal.importer import WINDOW_DAYS, column, daily_log
from training.simulation.simulate import Simulation, SimulationConfig

KM_PER_HOUR = 12.0  # assumed average training pace of competitive runners (5:00 per km)
_SPIKE_FACTOR = 1.5


@dataclass(frozen=True)
class Tolerance:
    relative: float = 0.0
    absolute: float = 0.0
    factor: float = 0.0

    def holds(self, real: float, simulated: float) -> bool:
        if self.factor:
            return real > 0 and simulated > 0 and max(real, simulated) / min(real, simulated) <= self.factor
        return abs(simulated - real) <= max(self.relative * abs(real), self.absolute)


TOLERANCES: dict[str, Tolerance] = {
    "weekly_km_p10": Tolerance(relative=0.25, absolute=5.0),
    "weekly_km_p50": Tolerance(relative=0.25, absolute=5.0),
    "weekly_km_p90": Tolerance(relative=0.25, absolute=5.0),
    "running_days_per_week": Tolerance(absolute=1.0),
    "sessions_per_week": Tolerance(absolute=1.0),
    "rest_days_per_week": Tolerance(absolute=1.0),
    "share_threshold_km": Tolerance(absolute=0.05),
    "share_interval_km": Tolerance(absolute=0.05),
    "long_run_spike_weeks": Tolerance(absolute=0.1),
    "injuries_per_1000h": Tolerance(factor=2.0),
}
# Competitive middle- and long-distance runners as the Lövdal cohort holds them; each change from the default
# (recreational) profile is set from the file: no novices, the cohort's median weekly km.
COMPETITIVE = SimulationConfig(novice_share=0.0, weekly_km_median=45.0)


@dataclass(frozen=True)
class Weeks:
    """7-day windows of one side, one value per week, plus the totals the shares and the incidence are taken from."""

    km: np.ndarray  # km per week
    sessions: np.ndarray  # runs plus other sessions per week
    running_days: np.ndarray
    rest_days: np.ndarray  # days with no session at all
    spike: np.ndarray  # True where the week's longest day is over 1.5 x the mean of its other running days
    km_threshold: float
    km_interval: float
    km_total: float
    injuries: float = float("nan")  # onsets over the exposure below
    running_hours: float = float("nan")

    @property
    def injuries_per_1000h(self) -> float:
        return 1000.0 * self.injuries / self.running_hours if self.running_hours > 0 else float("nan")


def weeks_of(km: np.ndarray, sessions: np.ndarray, threshold: np.ndarray, interval: np.ndarray) -> Weeks:
    """The weeks of windows given as (weeks, 7) arrays of daily km, sessions and zone km."""
    weekly = km.sum(axis=1)
    running = km > 0
    longest = km.max(axis=1)
    others = running.sum(axis=1) - 1
    rest_of_week = np.where(others > 0, (weekly - longest) / np.maximum(others, 1), np.inf)
    return Weeks(
        km=weekly,
        sessions=sessions.sum(axis=1),
        running_days=running.sum(axis=1),
        rest_days=(sessions == 0).sum(axis=1),
        spike=(others > 0) & (longest > _SPIKE_FACTOR * rest_of_week),
        km_threshold=float(threshold.sum()),
        km_interval=float(interval.sum()),
        km_total=float(km.sum()),
    )


def measures_of(weeks: Weeks) -> dict[str, float]:
    """The measures of ``TOLERANCES`` (``injuries_per_1000h`` NaN where the weeks carry no exposure)."""
    total = weeks.km_total
    return {
        "weekly_km_p10": float(np.percentile(weeks.km, 10)),
        "weekly_km_p50": float(np.percentile(weeks.km, 50)),
        "weekly_km_p90": float(np.percentile(weeks.km, 90)),
        "running_days_per_week": float(weeks.running_days.mean()),
        "sessions_per_week": float(weeks.sessions.mean()),
        "rest_days_per_week": float(weeks.rest_days.mean()),
        "share_threshold_km": weeks.km_threshold / total if total > 0 else float("nan"),
        "share_interval_km": weeks.km_interval / total if total > 0 else float("nan"),
        "long_run_spike_weeks": float(weeks.spike.mean()),
        "injuries_per_1000h": weeks.injuries_per_1000h,
    }


def week_measures(
    km: np.ndarray, sessions: np.ndarray, threshold: np.ndarray, interval: np.ndarray
) -> dict[str, float]:
    """The weekly measures of windows given as (weeks, 7) arrays of daily km, sessions and zone km."""
    return measures_of(weeks_of(km, sessions, threshold, interval))


def lovdal_weeks(frame: pd.DataFrame) -> Weeks:
    """The weeks of a Lövdal day-approach file: every row's window is a week."""

    def block(metric: str) -> np.ndarray:
        return frame[[column(metric, d) for d in range(WINDOW_DAYS)]].to_numpy(dtype="float64")

    weeks = weeks_of(block("total km"), block("nr. sessions"), block("km Z3-4"), block("km Z5-T1-T2"))
    days = daily_log(frame)  # each day once, though it sits in up to 7 windows
    hours = float(days["km"].sum()) / KM_PER_HOUR
    return replace(weeks, injuries=float(frame["injury"].sum()), running_hours=hours)


def lovdal_marginals(frame: pd.DataFrame) -> dict[str, float]:
    """Measures of a Lövdal day-approach file."""
    return measures_of(lovdal_weeks(frame))


def simulated_weeks(simulation: Simulation) -> Weeks:
    """The weeks of a simulated cohort: consecutive weeks of each athlete from the start date."""
    cohort, config = simulation.cohort, simulation.config
    first = pd.Timestamp(config.start_date)
    weeks = config.days // WINDOW_DAYS
    ids = pd.Index(cohort.profiles["athlete_id"].astype(object))
    shape = (len(ids), weeks * WINDOW_DAYS)

    def daily(table: pd.DataFrame, values: np.ndarray) -> np.ndarray:
        day = (table["date"] - first).dt.days.to_numpy()
        row = ids.get_indexer(table["athlete_id"].astype(object))
        keep = (day >= 0) & (day < shape[1]) & (row >= 0)
        out = np.zeros(shape)
        np.add.at(out, (row[keep], day[keep]), values[keep])
        return out.reshape(len(ids) * weeks, WINDOW_DAYS)

    runs = cohort.runs
    sessions = cohort.strength.drop_duplicates(["athlete_id", "activity_id"])
    km = daily(runs, runs["km"].to_numpy(dtype="float64"))
    result = weeks_of(
        km,
        daily(runs, np.ones(len(runs))) + daily(sessions, np.ones(len(sessions))),
        daily(runs, runs["km_threshold"].to_numpy(dtype="float64")),
        daily(runs, (runs["km_interval"] + runs["km_sprint"]).to_numpy(dtype="float64")),
    )
    onsets = cohort.injuries["onset"]
    inside = (onsets >= first) & (onsets < first + pd.Timedelta(days=shape[1]))
    return replace(result, injuries=float(inside.sum()), running_hours=float(km.sum()) / KM_PER_HOUR)


def simulated_marginals(simulation: Simulation) -> dict[str, float]:
    """Measures of a simulated cohort over consecutive weeks of each athlete from the start date."""
    return measures_of(simulated_weeks(simulation))


def comparison(real: dict[str, float], simulated: dict[str, float]) -> pd.DataFrame:
    """One row per measure: real, simulated, the tolerance and whether the simulation is within it."""
    rows = []
    for name, tolerance in TOLERANCES.items():
        if tolerance.factor:
            stated = f"within x{tolerance.factor:g}"
        else:
            stated = " or ".join(
                part
                for part in (
                    f"{tolerance.relative:.0%}" if tolerance.relative else "",
                    f"{tolerance.absolute:g}" if tolerance.absolute else "",
                )
                if part
            )
        rows.append(
            {
                "measure": name,
                "real": real[name],
                "simulated": simulated[name],
                "tolerance": stated,
                "within": tolerance.holds(real[name], simulated[name]),
            }
        )
    return pd.DataFrame(rows)

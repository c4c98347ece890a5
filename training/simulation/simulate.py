"""Synthetic cohort of runners with known true risk: training logs, strength work, injuries and the daily hazard.

The simulator is vectorised over athletes and loops over days. Each day it plans every athlete's run (weekly plan
with build and recovery weeks, races with a taper, holidays, missed runs, unplanned long runs, speed work; where the
config sets them, doubles, off periods and uneven run days), their strength session (exercises from the catalogue),
then the hazard of each injury from that day's exposure and the effects in ``SimulationConfig``, and draws onsets.
The hazard it used is returned as the oracle, so models can be scored against the true risk rather than only
against noisy labels.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from training.domain.catalogue import Catalogue, default_catalogue
from training.domain.schema import INJURIES, Cohort
from training.simulation.config import SimulationConfig
from training.simulation.days import DailyLog, InjuryState, no_running_days, prehistory, run_days, spike_band
from training.simulation.population import draw_athletes, draw_plan, draw_strength

__all__ = [
    "ORACLE_COLUMNS",
    "Simulation",
    "SimulationConfig",
    "calibrate_base_hazards",
    "no_running_days",
    "oracle_risk",
    "read_simulation",
    "simulate",
    "spike_band",
    "write_simulation",
    "yearly_incidence",
]

ORACLE_COLUMNS = ["athlete_id", "date", *(f"hazard_{k}" for k in INJURIES)]


@dataclass(frozen=True)
class Simulation:
    """A simulated cohort, the true daily hazard of every athlete-day (``oracle``) and the config that made it.

    ``cohort`` also logs ``config.warmup_days`` of runs and strength before start_date (and injuries from the year
    before); ``oracle`` covers start_date onwards. An athlete is injured with ``k`` on the days strictly between
    onset and resolved; the hazard of ``k`` is 0 on those days and positive on the onset day itself.
    """

    cohort: Cohort
    oracle: pd.DataFrame
    config: SimulationConfig


# --- Assembly -----------------------------------------------------------------------------------------------------


def simulate(config: SimulationConfig | None = None, catalogue: Catalogue | None = None) -> Simulation:
    """Simulate ``config.athletes`` runners over ``config.days`` days (plus the logged warm-up before start_date)."""
    cfg = config or SimulationConfig()
    catalogue = catalogue or default_catalogue()
    rng = np.random.default_rng(cfg.seed)
    start = pd.Timestamp(cfg.start_date)
    calendar = pd.date_range(start - pd.Timedelta(days=cfg.warmup_days), periods=cfg.warmup_days + cfg.days, freq="D")
    athletes = draw_athletes(rng, cfg)
    plan = draw_plan(rng, cfg, athletes, len(calendar))
    habits = draw_strength(rng, cfg, athletes, plan, catalogue)
    state = prehistory(rng, cfg, athletes)
    log = run_days(rng, cfg, athletes, plan, habits, state, calendar)
    cohort = Cohort(
        profiles=pd.DataFrame(
            {
                "athlete_id": athletes.ids,
                "age": athletes.age,
                "sex": np.where(athletes.female, "F", "M"),
                "years_running": athletes.years_running,
                "body_mass_kg": athletes.mass_kg,
                "height_cm": athletes.height_cm,
            }
        ),
        runs=_runs_frame(log, athletes.ids, calendar),
        strength=_strength_frame(log, athletes.ids, calendar, habits.exercise_ids),
        injuries=_injuries_frame(state, athletes.ids, start, cfg.days),
    ).normalised()
    return Simulation(
        cohort=cohort, oracle=_oracle_frame(log.hazard, athletes.ids, calendar[cfg.warmup_days :]), config=cfg
    )


def _activity_ids(
    prefix: str, ids: np.ndarray, who: np.ndarray, day: np.ndarray, calendar: pd.DatetimeIndex
) -> pd.Series:
    stamps = np.asarray(calendar.strftime("%Y%m%d"), dtype="U8")
    left = np.char.add(np.char.add(prefix, ids.astype("U")[who]), "-")
    return pd.Series(np.char.add(left, stamps[day]), dtype="string")


def _runs_frame(log: DailyLog, ids: np.ndarray, calendar: pd.DatetimeIndex) -> pd.DataFrame:
    who, day = np.nonzero(log.km.T > 0)  # athlete-major, then date order
    pick = (day, who)
    first = pd.DataFrame(
        {
            "athlete_id": pd.Series(ids[who], dtype="string"),
            "activity_id": _activity_ids("R-", ids, who, day, calendar),
            "date": calendar[day],
            # The log is float32 to halve memory; round back so values read as logged (2 decimals km, 0.1 min).
            **{
                name: np.round(getattr(log, name)[pick].astype(np.float64), digits)
                for name, digits in (
                    ("km", 2),
                    ("km_threshold", 2),
                    ("km_interval", 2),
                    ("km_sprint", 2),
                    ("duration_min", 1),
                    ("rpe", 0),
                )
            },
        }
    )
    if not log.doubles:
        return first
    # A double is a run of its own, logged after the day's first run with the same id and "-2".
    who2, day2, km, minutes, rpe = (np.concatenate(parts) for parts in zip(*log.doubles, strict=True))
    zero = np.zeros(len(who2))
    second = pd.DataFrame(
        {
            "athlete_id": pd.Series(ids[who2], dtype="string"),
            "activity_id": _activity_ids("R-", ids, who2, day2, calendar) + "-2",
            "date": calendar[day2],
            "km": km,
            "km_threshold": zero,  # a double is easy running
            "km_interval": zero,
            "km_sprint": zero,
            "duration_min": minutes,
            "rpe": rpe,
        }
    )
    order = np.lexsort((np.repeat([0, 1], [len(who), len(who2)]), np.r_[day, day2], np.r_[who, who2]))
    return pd.concat([first, second], ignore_index=True).iloc[order].reset_index(drop=True)


def _strength_frame(
    log: DailyLog, ids: np.ndarray, calendar: pd.DatetimeIndex, exercise_ids: np.ndarray
) -> pd.DataFrame:
    if not log.strength_rows:
        return Cohort.empty_tables().strength
    who, day, ex, sets, reps, load = (np.concatenate(parts) for parts in zip(*log.strength_rows, strict=True))
    order = np.lexsort((day, who))  # athlete, then date; exercise order within a session kept
    who, day, ex, sets, reps, load = (x[order] for x in (who, day, ex, sets, reps, load))
    return pd.DataFrame(
        {
            "athlete_id": pd.Series(ids[who], dtype="string"),
            "activity_id": _activity_ids("S-", ids, who, day, calendar),
            "date": calendar[day],
            "exercise_id": pd.Series(exercise_ids[ex], dtype="string"),
            "sets": sets.astype(float),
            "reps": reps.astype(float),
            "load_kg": load.astype(float),
        }
    )


def _injuries_frame(state: InjuryState, ids: np.ndarray, start: pd.Timestamp, days: int) -> pd.DataFrame:
    who, kind, onset, resolved = (
        (np.concatenate(parts) for parts in zip(*state.records, strict=True))
        if state.records
        else (np.array([], dtype=np.int64),) * 4
    )
    order = np.lexsort((kind, onset, who))
    who, kind, onset, resolved = (x[order] for x in (who, kind, onset, resolved))
    day = np.timedelta64(1, "D")
    start64 = np.datetime64(start, "ns")
    resolved_dates = np.where(resolved < days, start64 + resolved * day, np.datetime64("NaT"))
    return pd.DataFrame(
        {
            "athlete_id": pd.Series(ids[who], dtype="string"),
            "kind": pd.Series(np.asarray(INJURIES, dtype=object)[kind], dtype="string"),
            "onset": (start64 + onset * day).astype("datetime64[ns]"),
            "resolved": resolved_dates.astype("datetime64[ns]"),
        }
    )


def _oracle_frame(hazard: np.ndarray, ids: np.ndarray, dates: pd.DatetimeIndex) -> pd.DataFrame:
    days, n, _ = hazard.shape
    by_athlete = hazard.transpose(1, 0, 2).reshape(n * days, len(INJURIES))
    frame = pd.DataFrame(
        {
            "athlete_id": pd.Series(np.repeat(ids, days), dtype="string"),
            "date": np.tile(dates.to_numpy(dtype="datetime64[ns]"), n),
        }
    )
    for k, name in enumerate(INJURIES):
        frame[f"hazard_{name}"] = by_athlete[:, k]
    return frame


# --- Truth, calibration and files ---------------------------------------------------------------------------------


def oracle_risk(oracle: pd.DataFrame, horizon_days: int) -> pd.DataFrame:
    """True probability of onset in days t+1..t+H per athlete-day: 1 - exp(-sum of hazards over t+1..t+H).

    It uses the realised future training of the simulation, so it is an upper bound on what any model that sees only
    the log up to day t can know. NaN where the window passes the athlete's last oracle day (or a gap in the days).
    Injured days carry the hazard of the onset day, so a window holding an onset is not cut short by it.
    Columns: ``athlete_id``, ``date``, ``risk_<kind>`` for each injury.
    """
    o = oracle.sort_values(["athlete_id", "date"], kind="stable").reset_index(drop=True)
    codes, _ = pd.factorize(o["athlete_id"])
    dates = o["date"].to_numpy(dtype="datetime64[ns]")
    n = len(o)
    here = np.arange(n)
    ahead = here + horizon_days
    valid = ahead < n
    ahead_c = np.minimum(ahead, n - 1)
    valid &= (codes[ahead_c] == codes) & (dates[ahead_c] - dates == np.timedelta64(horizon_days, "D"))
    out = o[["athlete_id", "date"]].copy()
    for kind in INJURIES:
        # The recorded hazard is 0 after an onset (the athlete is injured); an onset inside the window would then cut
        # its own window short and make the days before an onset look safest. Carry the onset day's hazard forward.
        hazard = o[f"hazard_{kind}"].mask(o[f"hazard_{kind}"] == 0.0)
        hazard = hazard.groupby(codes).ffill().fillna(0.0)
        cumulative = np.cumsum(hazard.to_numpy(dtype=np.float64))
        window = cumulative[ahead_c] - cumulative
        out[f"risk_{kind}"] = np.where(valid, -np.expm1(-np.maximum(window, 0.0)), np.nan)
    return out


def yearly_incidence(sim: Simulation) -> pd.DataFrame:
    """Onsets per runner-year in the simulated days, per injury: all runners, novices, experienced, and their ratio."""
    profiles = sim.cohort.profiles.set_index("athlete_id")
    novice = profiles["years_running"] < 1.0
    start = pd.Timestamp(sim.config.start_date)
    inj = sim.cohort.injuries[sim.cohort.injuries["onset"] >= start]
    years = sim.config.days / 365.0
    rows = {}
    for kind in INJURIES:
        onsets = inj.loc[inj["kind"] == kind, "athlete_id"]
        on_novice = onsets.map(novice).fillna(False).astype(bool)
        all_rate = len(onsets) / (len(profiles) * years)
        nov_rate = on_novice.sum() / max(novice.sum() * years, 1e-9)
        exp_rate = (~on_novice).sum() / max((~novice).sum() * years, 1e-9)
        rows[kind] = {
            "all": all_rate,
            "novice": nov_rate,
            "experienced": exp_rate,
            "novice_ratio": nov_rate / exp_rate if exp_rate > 0 else np.nan,
        }
    return pd.DataFrame.from_dict(rows, orient="index")


def calibrate_base_hazards(config: SimulationConfig, athletes: int = 3000, iterations: int = 3) -> SimulationConfig:
    """A copy of ``config`` whose base hazards make a pilot cohort hit the incidence targets (onsets per runner-year).

    Run it after changing an effect size to keep incidences on target; each iteration is one pilot simulation.
    """
    pilot = config.model_copy(update={"athletes": athletes})
    for _ in range(iterations):
        measured = yearly_incidence(simulate(pilot))["all"]
        pilot = pilot.with_base_hazards(
            {k: pilot.base_hazard(k) * pilot.incidence_target(k) / max(float(measured[k]), 1e-6) for k in INJURIES}
        )
    return config.with_base_hazards({k: pilot.base_hazard(k) for k in INJURIES})


_FILES = {
    "profiles": "profiles.parquet",
    "runs": "runs.parquet",
    "strength": "strength.parquet",
    "injuries": "injuries.parquet",
}


def write_simulation(sim: Simulation, out_dir: Path) -> None:
    """Write the four cohort tables, the oracle (parquet) and config.json into ``out_dir``."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    for name, file in _FILES.items():
        getattr(sim.cohort, name).to_parquet(out_dir / file, index=False)
    sim.oracle.to_parquet(out_dir / "oracle.parquet", index=False)
    (out_dir / "config.json").write_text(sim.config.model_dump_json(indent=2), encoding="utf-8")


def read_simulation(out_dir: Path) -> Simulation:
    """Read a simulation written by ``write_simulation``."""
    out_dir = Path(out_dir)
    tables = {name: pd.read_parquet(out_dir / file) for name, file in _FILES.items()}
    oracle = pd.read_parquet(out_dir / "oracle.parquet")
    oracle["athlete_id"] = oracle["athlete_id"].astype("string")
    oracle["date"] = oracle["date"].astype("datetime64[ns]")
    config = SimulationConfig.model_validate_json((out_dir / "config.json").read_text(encoding="utf-8"))
    return Simulation(cohort=Cohort(**tables).normalised(), oracle=oracle[ORACLE_COLUMNS], config=config)

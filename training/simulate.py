"""Synthetic cohort of runners with known true risk: training logs, strength work, injuries and the daily hazard.

The simulator is vectorised over athletes and loops over days. Each day it plans every athlete's run (weekly plan
with build and recovery weeks, races with a taper, holidays, missed runs, unplanned long runs, speed work), their
strength session (exercises from the catalogue), then the hazard of each injury from that day's exposure and the
effects in ``SimulationConfig``, and draws onsets. The hazard it used is returned as the oracle, so models can be
scored against the true risk rather than only against noisy labels.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from training.catalogue import Catalogue, default_catalogue
from training.schema import INJURIES, Cohort
from training.simulation_config import SimulationConfig

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
_PFPS, _MTSS, _HAMSTRING, _ACHILLES = (INJURIES.index(k) for k in ("pfps", "mtss", "hamstring", "achilles"))
_NEVER = -(10**6)  # onset day of an injury that never happened: long before any window
_SPIKE_REFERENCE_DAYS = 30  # BJSM 2025: longest run of the previous 30 days
_EASY, _THRESHOLD, _INTERVAL, _SPRINT = 1.0, 0.90, 0.82, 0.70  # pace multipliers: faster zones take less time per km


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


def no_running_days(duration_days: np.ndarray, config: SimulationConfig) -> np.ndarray:
    """Days without running after onset: days onset+1 .. onset+this (at least 1, fewer than the duration)."""
    duration = np.asarray(duration_days, dtype=np.int64)
    days = np.clip(np.rint(config.no_run_fraction * duration).astype(np.int64), 1, np.maximum(duration - 1, 1))
    return np.asarray(days, dtype=np.int64)


def spike_band(km: np.ndarray, reference_km: np.ndarray) -> np.ndarray:
    """Spike band of a run vs the longest run of the previous 30 days: 0 none, 1 10-30%, 2 30-100%, 3 >100%.

    A run with no run in the previous 30 days counts as band 3, as in ``training.features``.
    """
    km = np.asarray(km, dtype=np.float64)
    ref = np.asarray(reference_km, dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        excess = np.where(ref > 0, km / np.where(ref > 0, ref, 1.0) - 1.0, np.inf)
    band = np.select([excess > 1.0, excess > 0.3, excess > 0.1], [3, 2, 1], 0)
    return np.where(km > 0, band, 0).astype(np.int8)


# --- Profiles and habits ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Athletes:
    """Per-athlete draws that stay fixed over the simulation (arrays of length n)."""

    ids: np.ndarray
    age: np.ndarray
    female: np.ndarray
    years_running: np.ndarray
    novice: np.ndarray
    mass_kg: np.ndarray
    height_cm: np.ndarray
    first_run_day: np.ndarray  # relative to start_date; novices began running inside the last year


def _draw_athletes(rng: np.random.Generator, cfg: SimulationConfig) -> _Athletes:
    n = cfg.athletes
    novice = rng.random(n) < cfg.novice_share
    female = rng.random(n) < cfg.female_share
    age = np.clip(np.where(novice, rng.normal(35, 11, n), rng.normal(40, 11, n)), 18, 65).round(0)
    experienced_years = 1.0 + rng.lognormal(np.log(4.0), 0.8, n)
    years = np.where(novice, rng.uniform(0.05, 0.95, n), np.minimum(experienced_years, age - 12)).round(2)
    height = np.where(female, rng.normal(165, 6.5, n), rng.normal(178, 7.0, n)).round(0)
    bmi = np.exp(rng.normal(np.log(np.where(novice, cfg.bmi_median_novice, cfg.bmi_median)), cfg.bmi_sigma))
    mass = (bmi * (height / 100.0) ** 2).round(1)
    first_run = np.where(novice, -np.rint(years * 365.0), _NEVER).astype(np.int64)
    ids = np.array([f"A{i + 1:05d}" for i in range(n)], dtype=object)
    return _Athletes(ids, age, female, years, novice, mass, height, first_run)


@dataclass(frozen=True)
class _Plan:
    """Per-athlete training habits: run days, volumes, paces, speed work, races, holidays."""

    run_days: np.ndarray  # (n, 7) bool, weekday 0 = Monday
    long_day: np.ndarray
    speed_days: np.ndarray  # (n, 7) bool
    sprinter: np.ndarray
    long_share: np.ndarray
    other_share: np.ndarray
    cap_km: np.ndarray
    start_km: np.ndarray
    growth: np.ndarray
    cycle_len: np.ndarray
    cycle_offset: np.ndarray
    recovery_factor: np.ndarray
    pace: np.ndarray  # easy pace, min/km
    miss_probability: np.ndarray
    spike_probability: np.ndarray
    race_day: np.ndarray  # relative day, _NEVER without a race
    race_km: np.ndarray
    holiday: np.ndarray  # (T, n) bool


def _draw_plan(rng: np.random.Generator, cfg: SimulationConfig, a: _Athletes, total_days: int) -> _Plan:
    n = cfg.athletes
    nov = a.novice
    runs = np.where(nov, rng.choice([3, 4], n, p=[0.7, 0.3]), rng.choice([3, 4, 5, 6], n, p=[0.25, 0.35, 0.25, 0.15]))
    weekend = rng.integers(5, 7, n)
    long_day = np.where(rng.random(n) < 0.85, weekend, rng.integers(0, 7, n))
    keys = rng.random((n, 7))
    keys[np.arange(n), long_day] = -1.0  # the long-run day is always a run day
    rank = keys.argsort(axis=1).argsort(axis=1)
    run_days = rank < runs[:, None]

    speed_n = np.where(nov, rng.choice([0, 1], n, p=[0.8, 0.2]), rng.choice([0, 1, 2], n, p=cfg.speed_sessions_shares))
    speed_keys = np.where(run_days, rng.random((n, 7)), 2.0)
    speed_keys[np.arange(n), long_day] = 2.0
    speed_days = (speed_keys.argsort(axis=1).argsort(axis=1) < speed_n[:, None]) & (speed_keys < 2.0)
    sprinter = (speed_n > 0) & (rng.random(n) < cfg.sprinter_share)

    long_share = np.clip(rng.uniform(0.25, 0.33, n) + 0.04 * (4 - runs), 0.2, 0.45)
    other_share = (1.0 - long_share) / (runs - 1)

    median = np.where(nov, cfg.weekly_km_median_novice, cfg.weekly_km_median)
    cap = np.clip(median * rng.lognormal(0.0, 0.35, n), np.where(nov, 6.0, 12.0), np.where(nov, 45.0, 90.0))
    start = cap * np.where(nov, rng.uniform(0.3, 0.6, n), rng.uniform(0.75, 1.0, n))
    fast = nov & (rng.random(n) < cfg.novice_fast_ramp_share)
    # Nielsen 2014: novices adding over 30% a week; the rest build 3-10% a week.
    growth = np.where(fast, rng.uniform(0.15, 0.45, n), rng.uniform(0.03, 0.10, n))
    cycle_len = rng.choice([3, 4], n)
    cycle_offset = rng.integers(0, 4, n)
    recovery_factor = rng.uniform(0.65, 0.85, n)
    pace = np.where(nov, 6.8, 5.6) * rng.lognormal(0.0, 0.08, n)
    miss = rng.uniform(0.02, max(cfg.missed_run_probability_max, 0.02), n)
    spike_p = cfg.spike_run_probability * rng.gamma(2.0, 0.5, n)

    has_race = (rng.random(n) < cfg.race_share) & (cfg.days >= 30)
    race_day = np.where(has_race, rng.integers(14, max(cfg.days - 7, 15), n), _NEVER)
    marathon = (cap >= 45) & (rng.random(n) < 0.6)
    half = ~marathon & (cap >= 25) & (rng.random(n) < 0.6)
    race_km = np.where(marathon, 42.2, np.where(half, 21.1, 10.0))

    warmup = cfg.warmup_days
    holiday = np.zeros((total_days, n), dtype=bool)
    for second in (False, True):
        takes = rng.random(n) < cfg.holiday_share * (0.5 if second else 1.0)
        begin = rng.integers(0, total_days, n)
        length = rng.integers(7, 15, n)
        for offset in range(15):
            day = begin + offset
            hit = takes & (offset < length) & (day < total_days) & (day - warmup != race_day)
            holiday[day[hit], np.nonzero(hit)[0]] = True
    return _Plan(
        run_days, long_day, speed_days, sprinter, long_share, other_share, cap, start, growth, cycle_len,
        cycle_offset, recovery_factor, pace, miss, spike_p, race_day, race_km, holiday,
    )


@dataclass(frozen=True)
class _StrengthHabits:
    """Per-athlete strength habits: weekdays, adherence, exercise preferences and personal dosing."""

    days: np.ndarray  # (n, 7) bool
    adherence: np.ndarray
    log_preference: np.ndarray  # (n, E), -inf for exercises the athlete never does
    sets: np.ndarray  # (n, E)
    reps: np.ndarray  # (n, E), NaN for isometric holds
    load_kg: np.ndarray  # (n, E), NaN for bodyweight and band work
    contraindicated: np.ndarray  # (E, 4) bool
    eccentric: np.ndarray  # (E,) bool
    calf: np.ndarray
    hip_quad: np.ndarray
    exercise_ids: np.ndarray


def _load_fraction(load: str) -> float:
    """Rough external load as a fraction of body mass, read from the catalogue's load text; NaN when unloaded."""
    text = load.lower()
    if text.startswith("bodyweight") or "band" in text or "box" in text:
        return float("nan")
    for word, fraction in (("moderate-heavy", 0.7), ("heavy", 0.9), ("barbell", 0.8), ("moderate", 0.5),
                           ("light", 0.25), ("dumbbell", 0.2), ("weight", 0.15), ("plate", 0.15)):
        if word in text:
            return fraction
    return float("nan")


def _draw_strength(
    rng: np.random.Generator, cfg: SimulationConfig, a: _Athletes, plan: _Plan, catalogue: Catalogue
) -> _StrengthHabits:
    n = cfg.athletes
    exercises = list(catalogue.exercises)
    e = len(exercises)
    u = rng.random(n)
    sessions = np.where(u < cfg.strength_twice_weekly_share, 2,
                        np.where(u < cfg.strength_twice_weekly_share + cfg.strength_weekly_share, 1, 0))
    keys = rng.random((n, 7)) + np.where(plan.run_days, 0.5, 0.0)  # prefer days without a run
    keys[np.arange(n), plan.long_day] = 2.0
    days = keys.argsort(axis=1).argsort(axis=1) < sessions[:, None]
    adherence = rng.uniform(0.7, 0.97, n)

    eccentric = np.array([x.eccentric_hamstring for x in exercises])
    calf = np.array([x.calf_loading for x in exercises])
    hip_quad = np.array(["pfps" in [p.value for p in x.protects] for x in exercises])
    advanced = np.array([len(x.prerequisites) > 0 for x in exercises])
    does_eccentric = rng.random(n) < cfg.eccentric_hamstring_share
    does_calf = rng.random(n) < cfg.calf_work_share
    log_pref = rng.normal(0.0, 1.0, (n, e))
    # A few personal favourites make sessions repeat, as real programmes do.
    log_pref += np.where(rng.random((n, e)) < 0.2, 2.0, 0.0)
    log_pref[:, eccentric] += np.where(does_eccentric, 4.0, -np.inf)[:, None]
    favourite_calf = rng.integers(0, max(int(calf.sum()), 1), n)
    calf_bonus = np.where(np.arange(int(calf.sum()))[None, :] == favourite_calf[:, None], 3.0, 0.5)
    log_pref[:, calf] += np.where(does_calf[:, None], calf_bonus, -np.inf)
    # Plyometrics and Olympic lifts need a strength base: only experienced twice-a-week lifters do them.
    log_pref[:, advanced] += np.where(~a.novice & (sessions >= 2), 0.0, -np.inf)[:, None]

    base_sets = np.array([x.dosing.sets for x in exercises], dtype=float)
    base_reps = np.array([np.nan if x.dosing.reps is None else x.dosing.reps for x in exercises], dtype=float)
    fraction = np.array([_load_fraction(x.dosing.load) for x in exercises])
    sets = np.maximum(base_sets[None, :] + rng.integers(-1, 2, (n, e)), 1).astype(float)
    reps = np.maximum(np.rint(base_reps[None, :] * rng.uniform(0.75, 1.25, (n, e))), 1.0)
    strength = rng.uniform(0.7, 1.3, n) * np.where(a.female, 0.75, 1.0) * np.where(a.novice, 0.8, 1.0)
    load = fraction[None, :] * (a.mass_kg * strength)[:, None]
    load = np.maximum(np.round(load / 2.5) * 2.5, 2.5)
    contra = np.array([[k in [c.value for c in x.contraindications] for k in INJURIES] for x in exercises])
    ids = np.array([x.id for x in exercises], dtype=object)
    return _StrengthHabits(days, adherence, log_pref, sets, reps, load, contra, eccentric, calf, hip_quad, ids)


# --- Injuries -----------------------------------------------------------------------------------------------------


@dataclass
class _InjuryState:
    """The latest injury of each kind per athlete, as relative days (n, 4), plus every onset for the table."""

    onset: np.ndarray
    resolved: np.ndarray
    no_run_end: np.ndarray
    records: list[tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]]

    def start(
        self, rng: np.random.Generator, cfg: SimulationConfig, who: np.ndarray, kind: int, day: np.ndarray
    ) -> None:
        """Start injuries of ``kind`` for athletes ``who`` on ``day`` with a lognormal duration."""
        kind_name = INJURIES[kind]
        median = getattr(cfg, f"median_days_{kind_name}")
        sigma = getattr(cfg, f"duration_sigma_{kind_name}")
        duration = np.maximum(np.rint(median * rng.lognormal(0.0, sigma, len(who))), 3).astype(np.int64)
        self.onset[who, kind] = day
        self.resolved[who, kind] = day + duration
        self.no_run_end[who, kind] = day + no_running_days(duration, cfg)
        self.records.append((who, np.full(len(who), kind), np.broadcast_to(day, who.shape).copy(), day + duration))


    def status(self, day: int, return_start_fraction: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """On ``day``: injured per kind (n, 4), in a no-running part (n,), and the return-to-run km factor (n,)."""
        injured = (self.onset < day) & (day < self.resolved)
        no_run = np.asarray(((self.onset < day) & (day <= self.no_run_end)).any(axis=1))
        in_ramp = (self.no_run_end < day) & (day < self.resolved)
        progress = (day - self.no_run_end) / np.maximum(self.resolved - self.no_run_end, 1)
        ramp = np.where(in_ramp, return_start_fraction + (1 - return_start_fraction) * progress, 1.0)
        return injured, no_run, np.asarray(ramp.min(axis=1))


def _prehistory(rng: np.random.Generator, cfg: SimulationConfig, a: _Athletes) -> _InjuryState:
    """Injuries with onset in the year before start_date (after the athlete began running)."""
    n = cfg.athletes
    shape = (n, len(INJURIES))
    state = _InjuryState(np.full(shape, _NEVER), np.full(shape, _NEVER), np.full(shape, _NEVER), [])
    exposure_years = np.clip(a.years_running, 0.0, 1.0)
    earliest = np.maximum(a.first_run_day, -365)
    for kind, name in enumerate(INJURIES):
        p = np.clip(cfg.incidence_target(name) * cfg.prehistory_scale * exposure_years, 0.0, 0.9)
        who = np.nonzero(rng.random(n) < p)[0]
        day = rng.integers(earliest[who], 0)
        state.start(rng, cfg, who, kind, day)
    return state


# --- The day loop -------------------------------------------------------------------------------------------------


@dataclass
class _Log:
    """Daily arrays (T, n) of the simulated training and the (D, n, 4) hazard."""

    km: np.ndarray
    km_threshold: np.ndarray
    km_interval: np.ndarray
    km_sprint: np.ndarray
    duration_min: np.ndarray
    rpe: np.ndarray
    hazard: np.ndarray
    strength_rows: list[tuple[np.ndarray, ...]]  # (athlete, day, exercise, sets, reps, load_kg) per session day


def _log_hr(cfg: SimulationConfig) -> dict[str, float]:
    return {name: float(np.log(getattr(cfg, name))) for name in type(cfg).model_fields
            if name.endswith(("_hr", "_rr", "_hr_per_decade"))}


@dataclass(frozen=True)
class _Today:
    """Time-varying risk factors of one day, per athlete (arrays of length n; ``dose`` is (n, 3))."""

    previous: np.ndarray  # any onset before today
    happened: np.ndarray  # (n, 4): an onset of that kind before today
    spike_log_hr: np.ndarray  # strongest spike band of the last spike_window_days, as log HR
    too_fast: np.ndarray  # weekly km up more than the threshold
    speed_7d: np.ndarray  # interval or sprint km in the last 7 days
    sprint_7d: np.ndarray
    dose: np.ndarray  # strength dose fraction: eccentric hamstring, calf loading, hip/quad


def _log_effects(
    cfg: SimulationConfig, lhr: dict[str, float], a: _Athletes, d: int, state: _InjuryState, t: _Today
) -> np.ndarray:
    """Sum of log hazard ratios per athlete and injury (n, 4) on relative day ``d``."""
    n = len(a.ids)
    bmi_effect = (a.mass_kg / (a.height_cm / 100.0) ** 2 > 30.0) * lhr["bmi_over_30_hr"]
    fast_effect = t.too_fast * (lhr["weekly_increase_hr"] + a.novice * lhr["weekly_increase_novice_extra_hr"])
    age_effect = lhr["achilles_age_hr_per_decade"] * np.maximum(a.age - cfg.achilles_age_from, 0.0) / 10.0
    out = np.empty((n, len(INJURIES)))
    out[:, _PFPS] = (t.previous * lhr["previous_injury_hr"] + a.female * lhr["pfps_female_hr"]
                     + a.novice * lhr["novice_hr"] + fast_effect + t.spike_log_hr + bmi_effect
                     + t.dose[:, 2] * lhr["pfps_hip_quad_rr"])
    out[:, _MTSS] = (t.previous * lhr["mtss_previous_injury_hr"] + a.female * lhr["mtss_female_hr"]
                     + a.novice * lhr["novice_hr"] + fast_effect + t.spike_log_hr + bmi_effect
                     + t.dose[:, 1] * lhr["mtss_calf_rr"])
    recent_hamstring = (d - state.onset[:, _HAMSTRING]) <= cfg.hamstring_recent_days
    hamstring_history = np.where(recent_hamstring, lhr["hamstring_recent_hr"],
                                 np.where(t.happened[:, _HAMSTRING], lhr["hamstring_prior_hr"], 0.0))
    out[:, _HAMSTRING] = (t.previous * lhr["previous_injury_hr"] + a.novice * lhr["novice_other_hr"]
                          + hamstring_history + t.speed_7d * lhr["hamstring_speed_hr"]
                          + t.sprint_7d * lhr["hamstring_sprint_hr"] + t.dose[:, 0] * lhr["hamstring_eccentric_rr"])
    recent_achilles = (d - state.onset[:, _ACHILLES]) <= cfg.achilles_recent_days
    out[:, _ACHILLES] = (t.previous * lhr["previous_injury_hr"] + a.novice * lhr["novice_other_hr"]
                         + recent_achilles * lhr["achilles_recent_hr"] + t.spike_log_hr
                         + t.speed_7d * lhr["achilles_speed_hr"] + age_effect
                         + t.dose[:, 1] * lhr["achilles_calf_rr"])
    return out


def _strength_session(
    rng: np.random.Generator, habits: _StrengthHabits, lifts: np.ndarray, injured: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """A session of 3-5 exercises, by preference, per athlete in ``lifts``: rows of (athlete, exercise, sets, reps)."""
    keys = habits.log_preference[lifts] + rng.gumbel(size=(len(lifts), habits.log_preference.shape[1]))
    # Skip exercises contraindicated by an injury the athlete has now (e.g. heavy squats with acute PFPS).
    keys[(injured.astype(float) @ habits.contraindicated.T.astype(float)) > 0] = -np.inf
    order = np.argsort(-keys, axis=1)[:, :5]  # Gumbel top-k: sampling without replacement by preference
    count = rng.integers(3, 6, len(lifts))
    keep = (np.arange(5)[None, :] < count[:, None]) & np.isfinite(np.take_along_axis(keys, order, axis=1))
    who = np.repeat(lifts, keep.sum(axis=1))
    ex = order[keep]
    sets = np.maximum(habits.sets[who, ex] + rng.choice([-1, 0, 0, 0, 1], len(who)), 1)
    reps = habits.reps[who, ex] + rng.choice([-1, 0, 0, 1], len(who))
    return who, ex, sets, np.where(np.isnan(reps), np.nan, np.maximum(reps, 1))


def _run_days(
    rng: np.random.Generator, cfg: SimulationConfig, a: _Athletes, plan: _Plan, habits: _StrengthHabits,
    state: _InjuryState, calendar: pd.DatetimeIndex,
) -> _Log:
    n, total, warmup = cfg.athletes, len(calendar), cfg.warmup_days
    lhr = _log_hr(cfg)
    spike_log_hr = np.array([0.0, lhr["spike_10_30_hr"], lhr["spike_30_100_hr"], lhr["spike_over_100_hr"]])
    base = np.array([cfg.base_hazard(k) for k in INJURIES])
    weekday = calendar.weekday.to_numpy()
    rows = np.arange(n)

    f32 = np.float32
    km_log = np.zeros((total, n), f32)
    thr_log, int_log, spr_log = (np.zeros((total, n), f32) for _ in range(3))
    dur_log, rpe_log = np.zeros((total, n), f32), np.zeros((total, n), f32)
    band_log = np.zeros((total, n), np.int8)
    # Daily strength reps per protective region: eccentric hamstring, calf loading, hip/quad (PFPS).
    volume_log = np.zeros((total, n, 3), f32)
    hazard = np.zeros((cfg.days, n, len(INJURIES)))
    strength_rows: list[tuple[np.ndarray, ...]] = []
    region_masks = np.stack([habits.eccentric, habits.calf, habits.hip_quad], axis=1).astype(float)  # (E, 3)
    targets = np.array([cfg.eccentric_hamstring_reps_per_week_target, cfg.calf_reps_per_week_target,
                        cfg.hip_quad_reps_per_week_target])

    volume = plan.start_km.copy()
    cap = plan.cap_km.copy()
    cap_limit = np.where(a.novice, 45.0, 90.0)
    # Novices raise their goal more often and by more than experienced runners, so their fast ramps recur.
    goal_rate = np.where(a.novice, 1.0 / 8.0, 1.0 / 12.0)
    goal_step = np.where(a.novice, 0.08, 0.03)
    week_plan = volume.copy()
    was_on_holiday = np.zeros(n, dtype=bool)

    for i in range(total):
        d = i - warmup
        wd = weekday[i]
        injured, no_run, ramp = state.status(d, cfg.return_start_fraction)
        limited = injured.any(axis=1)
        holiday = plan.holiday[i]

        if i % 7 == 0:
            # Weekly plan: grow toward the goal in build weeks, drop in every 3rd/4th (recovery) week.
            week = i // 7
            recovery = (week + plan.cycle_offset) % plan.cycle_len == plan.cycle_len - 1
            new_goal = rng.random(n) < goal_rate
            cap = np.where(new_goal, np.clip(cap * np.exp(rng.normal(goal_step, 0.2, n)), 6.0, cap_limit), cap)
            detrained = was_on_holiday & ~holiday
            volume = np.where(detrained, volume * rng.uniform(0.6, 0.8, n), volume)
            grow = ~recovery & ~limited
            volume = np.where(grow, volume * (1.0 + plan.growth * rng.lognormal(0.0, 0.3, n)), volume)
            volume = np.minimum(volume, cap)
            week_plan = volume * np.where(recovery, plan.recovery_factor, 1.0) * rng.lognormal(0.0, 0.08, n)
            was_on_holiday = holiday.copy()
        was_on_holiday |= holiday

        # --- Run of the day -----------------------------------------------------------------------------------
        days_to_race = plan.race_day - d
        race_today = days_to_race == 0
        taper = np.select([(days_to_race >= 8) & (days_to_race <= 14), (days_to_race >= 1) & (days_to_race <= 7),
                           (days_to_race >= -7) & (days_to_race <= -1)], [0.8, 0.6, 0.4], 1.0)
        started = d >= a.first_run_day
        planned = plan.run_days[:, wd] & started & ~holiday & (rng.random(n) >= plan.miss_probability) & ~no_run
        is_long = plan.long_day == wd
        share = np.where(is_long, plan.long_share, plan.other_share)
        km = week_plan * share * rng.lognormal(0.0, 0.12, n) * taper * ramp
        # Race builds: the long run climbs from half to three quarters of the race distance over 8 weeks.
        build = is_long & (days_to_race >= 15) & (days_to_race <= 70) & ~limited
        build_km = plan.race_km * (0.5 + 0.25 * (70 - days_to_race) / 55.0)
        km = np.where(build, np.maximum(km, build_km), km)
        reference = km_log[max(i - _SPIKE_REFERENCE_DAYS, 0):i].max(axis=0) if i else np.zeros(n, f32)
        spike = planned & ~race_today & ~limited & (reference > 0) & (rng.random(n) < plan.spike_probability)
        band_draw = rng.choice(3, n, p=cfg.spike_band_shares)
        factor = np.choose(band_draw, [rng.uniform(1.12, 1.28, n), rng.uniform(1.35, 1.9, n), rng.uniform(2.1, 2.8, n)])
        km = np.where(spike, np.maximum(km, reference * factor), km)
        runs_today = (planned | (race_today & ~limited)) & started
        km = np.where(race_today & ~limited, plan.race_km, km)
        km = np.where(runs_today, np.round(np.clip(km, 1.5, 45.0), 2), 0.0)

        speed = runs_today & plan.speed_days[:, wd] & ~limited & ~race_today & (days_to_race != 1)
        interval_session = speed & (rng.random(n) < 0.5)
        km_interval = np.where(interval_session, km * rng.uniform(0.2, 0.4, n), 0.0)
        km_threshold = np.where(speed & ~interval_session, km * rng.uniform(0.3, 0.6, n), 0.0)
        km_sprint = np.where(speed & plan.sprinter, np.minimum(rng.uniform(0.2, 0.6, n), 0.1 * km), 0.0)
        race_share = np.where(plan.race_km > 30, 0.4, np.where(plan.race_km > 15, 0.7, 0.9))
        km_threshold = np.where(race_today & runs_today, km * race_share, km_threshold)
        km_interval, km_threshold, km_sprint = (np.round(x, 2) for x in (km_interval, km_threshold, km_sprint))
        easy = km - km_interval - km_threshold - km_sprint
        minutes = plan.pace * (_EASY * easy + _THRESHOLD * km_threshold + _INTERVAL * km_interval + _SPRINT * km_sprint)
        minutes = np.where(runs_today, np.round(minutes * rng.lognormal(0.0, 0.03, n), 1), 0.0)
        hard = (km_threshold + km_interval + km_sprint) / np.maximum(km, 1e-9)
        usual = np.maximum(week_plan * plan.other_share, 1.0)
        effort = 3.0 + 4.0 * hard + 1.5 * (km > 1.25 * usual) + 0.7 * ~np.isclose(ramp, 1.0) + rng.normal(0, 0.7, n)
        rpe = np.where(race_today, 9.0 + rng.normal(0, 0.5, n), effort)
        rpe = np.where(runs_today, np.clip(np.rint(rpe), 1, 10), 0.0)

        km_log[i], thr_log[i], int_log[i], spr_log[i] = km, km_threshold, km_interval, km_sprint
        dur_log[i], rpe_log[i] = minutes, rpe
        band_log[i] = spike_band(km, reference)

        # --- Strength session of the day ----------------------------------------------------------------------
        lifts = np.nonzero(habits.days[:, wd] & started & ~holiday & (rng.random(n) < habits.adherence))[0]
        if len(lifts):
            who, ex, sets, reps = _strength_session(rng, habits, lifts, injured[lifts])
            strength_rows.append((who, np.full(len(who), i), ex, sets, reps, habits.load_kg[who, ex]))
            np.add.at(volume_log[i], who, (sets * np.nan_to_num(reps))[:, None] * region_masks[ex])

        if d < 0:
            continue

        # --- Hazard of the day ---------------------------------------------------------------------------------
        exposure = np.maximum(minutes / 60.0, cfg.rest_day_exposure_hours)
        happened = (state.onset > _NEVER) & (state.onset < d)  # (n, 4): an onset of that kind before today
        previous = np.asarray(happened.any(axis=1))
        spike_effect = spike_log_hr[band_log[max(i - cfg.spike_window_days, 0):i]].max(axis=0)
        km_7d = km_log[i - 6:i + 1].sum(axis=0, dtype=np.float64)
        km_prev_7d = km_log[i - 13:i - 6].sum(axis=0, dtype=np.float64)
        too_fast = (km_prev_7d > 0) & (km_7d > (1.0 + cfg.weekly_increase_threshold) * km_prev_7d)
        speed_7d = (int_log[i - 6:i + 1] + spr_log[i - 6:i + 1]).sum(axis=0) > 0
        sprint_7d = spr_log[i - 6:i + 1].sum(axis=0) > 0
        window = cfg.strength_window_days
        weekly_reps = volume_log[max(i - window + 1, 0):i + 1].sum(axis=0, dtype=np.float64) / (window / 7.0)
        dose = np.minimum(weekly_reps / targets, 1.0)  # (n, 3): eccentric hamstring, calf, hip/quad
        today = _Today(previous, happened, spike_effect, too_fast, speed_7d, sprint_7d, dose)
        log_effect = _log_effects(cfg, lhr, a, d, state, today)
        h = base[None, :] * exposure[:, None] * np.exp(log_effect)
        h[injured] = 0.0
        hazard[d] = h
        onsets = rng.random(h.shape) < -np.expm1(-h)
        for kind in range(len(INJURIES)):
            who = rows[onsets[:, kind]]
            if len(who):
                state.start(rng, cfg, who, kind, np.full(len(who), d))
    return _Log(km_log, thr_log, int_log, spr_log, dur_log, rpe_log, hazard, strength_rows)


# --- Assembly -----------------------------------------------------------------------------------------------------


def simulate(config: SimulationConfig | None = None, catalogue: Catalogue | None = None) -> Simulation:
    """Simulate ``config.athletes`` runners over ``config.days`` days (plus the logged warm-up before start_date)."""
    cfg = config or SimulationConfig()
    catalogue = catalogue or default_catalogue()
    rng = np.random.default_rng(cfg.seed)
    start = pd.Timestamp(cfg.start_date)
    calendar = pd.date_range(start - pd.Timedelta(days=cfg.warmup_days), periods=cfg.warmup_days + cfg.days, freq="D")
    athletes = _draw_athletes(rng, cfg)
    plan = _draw_plan(rng, cfg, athletes, len(calendar))
    habits = _draw_strength(rng, cfg, athletes, plan, catalogue)
    state = _prehistory(rng, cfg, athletes)
    log = _run_days(rng, cfg, athletes, plan, habits, state, calendar)
    cohort = Cohort(
        profiles=pd.DataFrame({
            "athlete_id": athletes.ids, "age": athletes.age, "sex": np.where(athletes.female, "F", "M"),
            "years_running": athletes.years_running, "body_mass_kg": athletes.mass_kg, "height_cm": athletes.height_cm,
        }),
        runs=_runs_frame(log, athletes.ids, calendar),
        strength=_strength_frame(log, athletes.ids, calendar, habits.exercise_ids),
        injuries=_injuries_frame(state, athletes.ids, start, cfg.days),
    ).normalised()
    return Simulation(cohort=cohort, oracle=_oracle_frame(log.hazard, athletes.ids, calendar[cfg.warmup_days:]),
                      config=cfg)


def _activity_ids(
    prefix: str, ids: np.ndarray, who: np.ndarray, day: np.ndarray, calendar: pd.DatetimeIndex
) -> pd.Series:
    stamps = np.asarray(calendar.strftime("%Y%m%d"), dtype="U8")
    left = np.char.add(np.char.add(prefix, ids.astype("U")[who]), "-")
    return pd.Series(np.char.add(left, stamps[day]), dtype="string")


def _runs_frame(log: _Log, ids: np.ndarray, calendar: pd.DatetimeIndex) -> pd.DataFrame:
    who, day = np.nonzero(log.km.T > 0)  # athlete-major, then date order
    pick = (day, who)
    return pd.DataFrame({
        "athlete_id": pd.Series(ids[who], dtype="string"),
        "activity_id": _activity_ids("R-", ids, who, day, calendar),
        "date": calendar[day],
        # The log is float32 to halve memory; round back so values read as logged (2 decimals km, 0.1 min).
        **{name: np.round(getattr(log, name)[pick].astype(np.float64), digits)
           for name, digits in (("km", 2), ("km_threshold", 2), ("km_interval", 2), ("km_sprint", 2),
                                ("duration_min", 1), ("rpe", 0))},
    })


def _strength_frame(log: _Log, ids: np.ndarray, calendar: pd.DatetimeIndex, exercise_ids: np.ndarray) -> pd.DataFrame:
    if not log.strength_rows:
        return Cohort.empty_tables().strength
    who, day, ex, sets, reps, load = (np.concatenate(parts) for parts in zip(*log.strength_rows))
    order = np.lexsort((day, who))  # athlete, then date; exercise order within a session kept
    who, day, ex, sets, reps, load = (x[order] for x in (who, day, ex, sets, reps, load))
    return pd.DataFrame({
        "athlete_id": pd.Series(ids[who], dtype="string"),
        "activity_id": _activity_ids("S-", ids, who, day, calendar),
        "date": calendar[day],
        "exercise_id": pd.Series(exercise_ids[ex], dtype="string"),
        "sets": sets.astype(float), "reps": reps.astype(float), "load_kg": load.astype(float),
    })


def _injuries_frame(state: _InjuryState, ids: np.ndarray, start: pd.Timestamp, days: int) -> pd.DataFrame:
    who, kind, onset, resolved = (np.concatenate(parts) for parts in zip(*state.records)) if state.records else (
        np.array([], dtype=np.int64),) * 4
    order = np.lexsort((kind, onset, who))
    who, kind, onset, resolved = (x[order] for x in (who, kind, onset, resolved))
    day = np.timedelta64(1, "D")
    start64 = np.datetime64(start, "ns")
    resolved_dates = np.where(resolved < days, start64 + resolved * day, np.datetime64("NaT"))
    return pd.DataFrame({
        "athlete_id": pd.Series(ids[who], dtype="string"),
        "kind": pd.Series(np.asarray(INJURIES, dtype=object)[kind], dtype="string"),
        "onset": (start64 + onset * day).astype("datetime64[ns]"),
        "resolved": resolved_dates.astype("datetime64[ns]"),
    })


def _oracle_frame(hazard: np.ndarray, ids: np.ndarray, dates: pd.DatetimeIndex) -> pd.DataFrame:
    days, n, _ = hazard.shape
    by_athlete = hazard.transpose(1, 0, 2).reshape(n * days, len(INJURIES))
    frame = pd.DataFrame({
        "athlete_id": pd.Series(np.repeat(ids, days), dtype="string"),
        "date": np.tile(dates.to_numpy(dtype="datetime64[ns]"), n),
    })
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
        rows[kind] = {"all": all_rate, "novice": nov_rate, "experienced": exp_rate,
                      "novice_ratio": nov_rate / exp_rate if exp_rate > 0 else np.nan}
    return pd.DataFrame.from_dict(rows, orient="index")


def calibrate_base_hazards(config: SimulationConfig, athletes: int = 3000, iterations: int = 3) -> SimulationConfig:
    """A copy of ``config`` whose base hazards make a pilot cohort hit the incidence targets (onsets per runner-year).

    Run it after changing an effect size to keep incidences on target; each iteration is one pilot simulation.
    """
    pilot = config.model_copy(update={"athletes": athletes})
    for _ in range(iterations):
        measured = yearly_incidence(simulate(pilot))["all"]
        pilot = pilot.with_base_hazards({
            k: pilot.base_hazard(k) * pilot.incidence_target(k) / max(float(measured[k]), 1e-6) for k in INJURIES
        })
    return config.with_base_hazards({k: pilot.base_hazard(k) for k in INJURIES})


_FILES = {"profiles": "profiles.parquet", "runs": "runs.parquet", "strength": "strength.parquet",
          "injuries": "injuries.parquet"}


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

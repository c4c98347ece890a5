"""The simulated population: who each runner is, their weekly plan, and their strength habits."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from training.domain.catalogue import Catalogue
from training.domain.schema import INJURIES
from training.simulation.config import SimulationConfig

# --- Profiles and habits ------------------------------------------------------------------------------------------

NEVER = -(10**6)  # onset day of an injury that never happened: long before any window


@dataclass(frozen=True)
class Athletes:
    """Per-athlete draws that stay fixed over the simulation (arrays of length n)."""

    ids: np.ndarray
    age: np.ndarray
    female: np.ndarray
    years_running: np.ndarray
    novice: np.ndarray
    mass_kg: np.ndarray
    height_cm: np.ndarray
    first_run_day: np.ndarray  # relative to start_date; novices began running inside the last year


def draw_athletes(rng: np.random.Generator, cfg: SimulationConfig) -> Athletes:
    n = cfg.athletes
    novice = rng.random(n) < cfg.novice_share
    female = rng.random(n) < cfg.female_share
    age = np.clip(np.where(novice, rng.normal(35, 11, n), rng.normal(40, 11, n)), 18, 65).round(0)
    experienced_years = 1.0 + rng.lognormal(np.log(4.0), 0.8, n)
    years = np.where(novice, rng.uniform(0.05, 0.95, n), np.minimum(experienced_years, age - 12)).round(2)
    height = np.where(female, rng.normal(165, 6.5, n), rng.normal(178, 7.0, n)).round(0)
    bmi = np.exp(rng.normal(np.log(np.where(novice, cfg.bmi_median_novice, cfg.bmi_median)), cfg.bmi_sigma))
    mass = (bmi * (height / 100.0) ** 2).round(1)
    first_run = np.where(novice, -np.rint(years * 365.0), NEVER).astype(np.int64)
    ids = np.array([f"A{cfg.first_athlete + i:05d}" for i in range(n)], dtype=object)
    return Athletes(ids, age, female, years, novice, mass, height, first_run)


@dataclass(frozen=True)
class Plan:
    """Per-athlete training habits: run days, volumes, paces, speed work, doubles, races, holidays, off periods."""

    run_days: np.ndarray  # (n, 7) bool, weekday 0 = Monday
    long_day: np.ndarray
    speed_days: np.ndarray  # (n, 7) bool
    sprinter: np.ndarray
    long_share: np.ndarray
    other_share: np.ndarray
    cap_km: np.ndarray
    cap_limit_km: np.ndarray  # most weekly km the goal may grow to
    start_km: np.ndarray
    growth: np.ndarray
    cycle_len: np.ndarray
    cycle_offset: np.ndarray
    recovery_factor: np.ndarray
    pace: np.ndarray  # easy pace, min/km
    miss_probability: np.ndarray
    spike_probability: np.ndarray
    double_probability: np.ndarray  # chance of a second run on a run day other than the long-run day
    race_day: np.ndarray  # relative day, NEVER without a race
    race_km: np.ndarray
    holiday: np.ndarray  # (T, n) bool
    off: np.ndarray  # (T, n) bool: an off period, no running (strength goes on)


def draw_plan(rng: np.random.Generator, cfg: SimulationConfig, a: Athletes, total_days: int) -> Plan:
    n = cfg.athletes
    nov = a.novice
    runs = np.where(nov, rng.choice([3, 4], n, p=[0.7, 0.3]), rng.choice([3, 4, 5, 6, 7], n, p=cfg.run_days_shares))
    weekend = rng.integers(5, 7, n)
    long_day = np.where(rng.random(n) < 0.85, weekend, rng.integers(0, 7, n))
    keys = rng.random((n, 7))
    keys[np.arange(n), long_day] = -1.0  # the long-run day is always a run day
    rank = keys.argsort(axis=1).argsort(axis=1)
    run_days = rank < runs[:, None]

    speed_n = np.where(
        nov,
        rng.choice([0, 1], n, p=[0.8, 0.2]),
        rng.choice(len(cfg.speed_sessions_shares), n, p=cfg.speed_sessions_shares),
    )
    speed_keys = np.where(run_days, rng.random((n, 7)), 2.0)
    speed_keys[np.arange(n), long_day] = 2.0
    speed_days = (speed_keys.argsort(axis=1).argsort(axis=1) < speed_n[:, None]) & (speed_keys < 2.0)
    sprinter = (speed_n > 0) & (rng.random(n) < cfg.sprinter_share)

    long_share = np.clip(rng.uniform(0.25, 0.33, n) + 0.04 * (4 - runs), 0.2, 0.45)
    other_share = (1.0 - long_share) / (runs - 1)

    median = np.where(nov, cfg.weekly_km_median_novice, cfg.weekly_km_median)
    cap_limit = np.where(nov, 45.0, cfg.weekly_km_max)
    cap = np.clip(median * rng.lognormal(0.0, cfg.weekly_km_sigma, n), np.where(nov, 6.0, 12.0), cap_limit)
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
    race_day = np.where(has_race, rng.integers(14, max(cfg.days - 7, 15), n), NEVER)
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
    # Drawn only when set, so that a profile without them draws every other number as before.
    off = _off_periods(rng, cfg, total_days, race_day) if cfg.breaks_per_year > 0 else np.zeros_like(holiday)
    double_p = np.zeros(n)
    if cfg.double_run_probability > 0:
        double_p = np.minimum(cfg.double_run_probability * rng.gamma(2.0, 0.5, n), 1.0)
    return Plan(
        run_days,
        long_day,
        speed_days,
        sprinter,
        long_share,
        other_share,
        cap,
        cap_limit,
        start,
        growth,
        cycle_len,
        cycle_offset,
        recovery_factor,
        pace,
        miss,
        spike_p,
        double_p,
        race_day,
        race_km,
        holiday,
        off,
    )


def _off_periods(rng: np.random.Generator, cfg: SimulationConfig, total_days: int, race_day: np.ndarray) -> np.ndarray:
    """(T, n) bool: days of off periods, Poisson many per runner-year, each 7 days plus a lognormal tail; a race
    day is kept (the runner races)."""
    n = cfg.athletes
    count = rng.poisson(cfg.breaks_per_year * total_days / 365.0, n)
    who = np.repeat(np.arange(n), count)
    begin = rng.integers(0, total_days, len(who))
    extra = rng.lognormal(np.log(cfg.break_extra_days_median), cfg.break_extra_days_sigma, len(who))
    end = np.minimum(begin + 7 + np.rint(np.minimum(extra, total_days)).astype(np.int64), total_days)
    # Each period adds 1 from its first day and takes it back after its last: a day is off where the sum is positive.
    edges = np.zeros((total_days + 1, n), dtype=np.int32)
    np.add.at(edges, (begin, who), 1)
    np.add.at(edges, (end, who), -1)
    off = np.cumsum(edges[:-1], axis=0) > 0
    racing = np.nonzero(race_day != NEVER)[0]
    race_index = race_day[racing] + cfg.warmup_days
    inside = (race_index >= 0) & (race_index < total_days)
    off[race_index[inside], racing[inside]] = False
    return off


@dataclass(frozen=True)
class StrengthHabits:
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


def load_fraction(load: str) -> float:
    """Rough external load as a fraction of body mass, read from the catalogue's load text; NaN when unloaded."""
    text = load.lower()
    if text.startswith("bodyweight") or "band" in text or "box" in text:
        return float("nan")
    for word, fraction in (
        ("moderate-heavy", 0.7),
        ("heavy", 0.9),
        ("barbell", 0.8),
        ("moderate", 0.5),
        ("light", 0.25),
        ("dumbbell", 0.2),
        ("weight", 0.15),
        ("plate", 0.15),
    ):
        if word in text:
            return fraction
    return float("nan")


def draw_strength(
    rng: np.random.Generator, cfg: SimulationConfig, a: Athletes, plan: Plan, catalogue: Catalogue
) -> StrengthHabits:
    n = cfg.athletes
    exercises = list(catalogue.exercises)
    e = len(exercises)
    u = rng.random(n)
    sessions = np.where(
        u < cfg.strength_twice_weekly_share,
        2,
        np.where(u < cfg.strength_twice_weekly_share + cfg.strength_weekly_share, 1, 0),
    )
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
    fraction = np.array([load_fraction(x.dosing.load) for x in exercises])
    sets = np.maximum(base_sets[None, :] + rng.integers(-1, 2, (n, e)), 1).astype(float)
    reps = np.maximum(np.rint(base_reps[None, :] * rng.uniform(0.75, 1.25, (n, e))), 1.0)
    strength = rng.uniform(0.7, 1.3, n) * np.where(a.female, 0.75, 1.0) * np.where(a.novice, 0.8, 1.0)
    load = fraction[None, :] * (a.mass_kg * strength)[:, None]
    load = np.maximum(np.round(load / 2.5) * 2.5, 2.5)
    contra = np.array([[k in [c.value for c in x.contraindications] for k in INJURIES] for x in exercises])
    ids = np.array([x.id for x in exercises], dtype=object)
    return StrengthHabits(days, adherence, log_pref, sets, reps, load, contra, eccentric, calf, hip_quad, ids)

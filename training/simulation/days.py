"""The simulator's day loop: each day's run and strength session, the hazard of each injury, onsets and recovery."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from training.domain.schema import INJURIES
from training.simulation.config import SimulationConfig
from training.simulation.population import NEVER, Athletes, Plan, StrengthHabits

_PFPS, _MTSS, _HAMSTRING, _ACHILLES = (INJURIES.index(k) for k in ("pfps", "mtss", "hamstring", "achilles"))
_SPIKE_REFERENCE_DAYS = 30  # BJSM 2025: longest run of the previous 30 days
_EASY, _THRESHOLD, _INTERVAL, _SPRINT = 1.0, 0.90, 0.82, 0.70  # pace multipliers: faster zones take less time per km


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


# --- Injuries -----------------------------------------------------------------------------------------------------


@dataclass
class InjuryState:
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


def prehistory(rng: np.random.Generator, cfg: SimulationConfig, a: Athletes) -> InjuryState:
    """Injuries with onset in the year before start_date (after the athlete began running)."""
    n = cfg.athletes
    shape = (n, len(INJURIES))
    state = InjuryState(np.full(shape, NEVER), np.full(shape, NEVER), np.full(shape, NEVER), [])
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
class DailyLog:
    """Daily arrays (T, n) of the simulated training and the (D, n, 4) hazard."""

    km: np.ndarray
    km_threshold: np.ndarray
    km_interval: np.ndarray
    km_sprint: np.ndarray
    duration_min: np.ndarray
    rpe: np.ndarray
    hazard: np.ndarray
    strength_rows: list[tuple[np.ndarray, ...]]  # (athlete, day, exercise, sets, reps, load_kg) per session day
    doubles: list[tuple[np.ndarray, ...]]  # (athlete, day, km, duration_min, rpe) of second runs, per day with any


def _log_hr(cfg: SimulationConfig) -> dict[str, float]:
    return {
        name: float(np.log(getattr(cfg, name)))
        for name in type(cfg).model_fields
        if name.endswith(("_hr", "_rr", "_hr_per_decade"))
    }


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
    cfg: SimulationConfig, lhr: dict[str, float], a: Athletes, d: int, state: InjuryState, t: _Today
) -> np.ndarray:
    """Sum of log hazard ratios per athlete and injury (n, 4) on relative day ``d``."""
    n = len(a.ids)
    bmi_effect = (a.mass_kg / (a.height_cm / 100.0) ** 2 > 30.0) * lhr["bmi_over_30_hr"]
    fast_effect = t.too_fast * (lhr["weekly_increase_hr"] + a.novice * lhr["weekly_increase_novice_extra_hr"])
    age_effect = lhr["achilles_age_hr_per_decade"] * np.maximum(a.age - cfg.achilles_age_from, 0.0) / 10.0
    out = np.empty((n, len(INJURIES)))
    out[:, _PFPS] = (
        t.previous * lhr["previous_injury_hr"]
        + a.female * lhr["pfps_female_hr"]
        + a.novice * lhr["novice_hr"]
        + fast_effect
        + t.spike_log_hr
        + bmi_effect
        + t.dose[:, 2] * lhr["pfps_hip_quad_rr"]
    )
    out[:, _MTSS] = (
        t.previous * lhr["mtss_previous_injury_hr"]
        + a.female * lhr["mtss_female_hr"]
        + a.novice * lhr["novice_hr"]
        + fast_effect
        + t.spike_log_hr
        + bmi_effect
        + t.dose[:, 1] * lhr["mtss_calf_rr"]
    )
    recent_hamstring = (d - state.onset[:, _HAMSTRING]) <= cfg.hamstring_recent_days
    hamstring_history = np.where(
        recent_hamstring,
        lhr["hamstring_recent_hr"],
        np.where(t.happened[:, _HAMSTRING], lhr["hamstring_prior_hr"], 0.0),
    )
    out[:, _HAMSTRING] = (
        t.previous * lhr["previous_injury_hr"]
        + a.novice * lhr["novice_other_hr"]
        + hamstring_history
        + t.speed_7d * lhr["hamstring_speed_hr"]
        + t.sprint_7d * lhr["hamstring_sprint_hr"]
        + t.dose[:, 0] * lhr["hamstring_eccentric_rr"]
    )
    recent_achilles = (d - state.onset[:, _ACHILLES]) <= cfg.achilles_recent_days
    out[:, _ACHILLES] = (
        t.previous * lhr["previous_injury_hr"]
        + a.novice * lhr["novice_other_hr"]
        + recent_achilles * lhr["achilles_recent_hr"]
        + t.spike_log_hr
        + t.speed_7d * lhr["achilles_speed_hr"]
        + age_effect
        + t.dose[:, 1] * lhr["achilles_calf_rr"]
    )
    return out


def _strength_session(
    rng: np.random.Generator, habits: StrengthHabits, lifts: np.ndarray, injured: np.ndarray
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


def run_days(
    rng: np.random.Generator,
    cfg: SimulationConfig,
    a: Athletes,
    plan: Plan,
    habits: StrengthHabits,
    state: InjuryState,
    calendar: pd.DatetimeIndex,
) -> DailyLog:
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
    double_km_log = np.zeros((total, n), f32)  # km of second runs; the spike bands read the first run of a day
    doubles: list[tuple[np.ndarray, ...]] = []
    band_log = np.zeros((total, n), np.int8)
    # Daily strength reps per protective region: eccentric hamstring, calf loading, hip/quad (PFPS).
    volume_log = np.zeros((total, n, 3), f32)
    hazard = np.zeros((cfg.days, n, len(INJURIES)))
    strength_rows: list[tuple[np.ndarray, ...]] = []
    region_masks = np.stack([habits.eccentric, habits.calf, habits.hip_quad], axis=1).astype(float)  # (E, 3)
    targets = np.array(
        [cfg.eccentric_hamstring_reps_per_week_target, cfg.calf_reps_per_week_target, cfg.hip_quad_reps_per_week_target]
    )

    volume = plan.start_km.copy()
    cap = plan.cap_km.copy()
    # Novices raise their goal more often and by more than experienced runners, so their fast ramps recur.
    goal_rate = np.where(a.novice, 1.0 / 8.0, 1.0 / 12.0)
    goal_step = np.where(a.novice, 0.08, 0.03)
    week_plan = volume.copy()
    day_factor = np.ones((n, 7))  # each run day's km relative to the week's other non-long run days
    was_away = np.zeros(n, dtype=bool)

    for i in range(total):
        d = i - warmup
        wd = weekday[i]
        injured, no_run, ramp = state.status(d, cfg.return_start_fraction)
        limited = injured.any(axis=1)
        holiday, off = plan.holiday[i], plan.off[i]

        if i % 7 == 0:
            # Weekly plan: grow toward the goal in build weeks, drop in every 3rd/4th (recovery) week.
            week = i // 7
            recovery = (week + plan.cycle_offset) % plan.cycle_len == plan.cycle_len - 1
            new_goal = rng.random(n) < goal_rate
            cap = np.where(new_goal, np.clip(cap * np.exp(rng.normal(goal_step, 0.2, n)), 6.0, plan.cap_limit_km), cap)
            detrained = was_away & ~holiday & ~off
            volume = np.where(detrained, volume * rng.uniform(0.6, 0.8, n), volume)
            grow = ~recovery & ~limited
            volume = np.where(grow, volume * (1.0 + plan.growth * rng.lognormal(0.0, 0.3, n)), volume)
            volume = np.minimum(volume, cap)
            week_plan = volume * np.where(recovery, plan.recovery_factor, 1.0) * rng.lognormal(0.0, 0.08, n)
            if cfg.run_day_km_sigma > 0:  # drawn only when set, so other profiles draw every number as before
                day_factor = _uneven_days(rng, plan, cfg.run_day_km_sigma)
            was_away = holiday | off
        was_away |= holiday | off

        # --- Run of the day -----------------------------------------------------------------------------------
        days_to_race = plan.race_day - d
        race_today = days_to_race == 0
        taper = np.select(
            [
                (days_to_race >= 8) & (days_to_race <= 14),
                (days_to_race >= 1) & (days_to_race <= 7),
                (days_to_race >= -7) & (days_to_race <= -1),
            ],
            [0.8, 0.6, 0.4],
            1.0,
        )
        started = d >= a.first_run_day
        planned = plan.run_days[:, wd] & started & ~holiday & ~off & (rng.random(n) >= plan.miss_probability) & ~no_run
        is_long = plan.long_day == wd
        share = np.where(is_long, plan.long_share, plan.other_share * day_factor[:, wd])
        km = week_plan * share * rng.lognormal(0.0, 0.12, n) * taper * ramp
        # Race builds: the long run climbs from half to three quarters of the race distance over 8 weeks.
        build = is_long & (days_to_race >= 15) & (days_to_race <= 70) & ~limited
        build_km = plan.race_km * (0.5 + 0.25 * (70 - days_to_race) / 55.0)
        km = np.where(build, np.maximum(km, build_km), km)
        reference = km_log[max(i - _SPIKE_REFERENCE_DAYS, 0) : i].max(axis=0) if i else np.zeros(n, f32)
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
        run_minutes = minutes  # today's exposure: both runs of a day where there are two
        if cfg.double_run_probability > 0:  # drawn only when set, so other profiles draw every number as before
            second = _double_runs(rng, cfg, plan, km, runs_today & ~is_long & ~race_today & ~limited)
            double_km_log[i, second.who] = second.km
            run_minutes = minutes.copy()
            run_minutes[second.who] += second.minutes
            doubles.append((second.who, np.full(len(second.who), i), second.km, second.minutes, second.rpe))

        # --- Strength session of the day ----------------------------------------------------------------------
        lifts = np.nonzero(habits.days[:, wd] & started & ~holiday & (rng.random(n) < habits.adherence))[0]
        if len(lifts):
            who, ex, sets, reps = _strength_session(rng, habits, lifts, injured[lifts])
            strength_rows.append((who, np.full(len(who), i), ex, sets, reps, habits.load_kg[who, ex]))
            np.add.at(volume_log[i], who, (sets * np.nan_to_num(reps))[:, None] * region_masks[ex])

        if d < 0:
            continue

        # --- Hazard of the day ---------------------------------------------------------------------------------
        exposure = np.maximum(run_minutes / 60.0, cfg.rest_day_exposure_hours)
        happened = (state.onset > NEVER) & (state.onset < d)  # (n, 4): an onset of that kind before today
        previous = np.asarray(happened.any(axis=1))
        spike_effect = spike_log_hr[band_log[max(i - cfg.spike_window_days, 0) : i]].max(axis=0)
        km_7d = _km(km_log, double_km_log, i - 6, i + 1)
        km_prev_7d = _km(km_log, double_km_log, i - 13, i - 6)
        too_fast = (km_prev_7d > 0) & (km_7d > (1.0 + cfg.weekly_increase_threshold) * km_prev_7d)
        speed_7d = (int_log[i - 6 : i + 1] + spr_log[i - 6 : i + 1]).sum(axis=0) > 0
        sprint_7d = spr_log[i - 6 : i + 1].sum(axis=0) > 0
        window = cfg.strength_window_days
        weekly_reps = volume_log[max(i - window + 1, 0) : i + 1].sum(axis=0, dtype=np.float64) / (window / 7.0)
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
    return DailyLog(km_log, thr_log, int_log, spr_log, dur_log, rpe_log, hazard, strength_rows, doubles)


@dataclass(frozen=True)
class _SecondRuns:
    """The day's doubles: athletes, and each second run's km, minutes and RPE."""

    who: np.ndarray
    km: np.ndarray
    minutes: np.ndarray
    rpe: np.ndarray


def _double_runs(
    rng: np.random.Generator, cfg: SimulationConfig, plan: Plan, km: np.ndarray, eligible: np.ndarray
) -> _SecondRuns:
    """Easy second runs of the day, each ``double_run_km_fraction`` of the athlete's first run (with the day-to-day
    noise of any run, and never longer than the first, which stays the day's longest run), at the easy pace."""
    who = np.nonzero(eligible & (rng.random(len(km)) < plan.double_probability))[0]
    noise = rng.lognormal(0.0, 0.12, len(who))
    second_km = np.round(np.clip(km[who] * cfg.double_run_km_fraction * noise, 1.5, km[who]), 2)
    minutes = np.round(plan.pace[who] * _EASY * second_km * rng.lognormal(0.0, 0.03, len(who)), 1)
    rpe = np.clip(np.rint(3.0 + rng.normal(0, 0.7, len(who))), 1, 10)
    return _SecondRuns(who, second_km, minutes, rpe)


def _km(first_runs: np.ndarray, second_runs: np.ndarray, begin: int, end: int) -> np.ndarray:
    """Km per athlete over days begin .. end - 1, both runs of a day."""
    km = first_runs[begin:end].sum(axis=0, dtype=np.float64)
    return km + second_runs[begin:end].sum(axis=0, dtype=np.float64)


def _uneven_days(rng: np.random.Generator, plan: Plan, sigma: float) -> np.ndarray:
    """(n, 7) factors of one week's run days other than the long run: lognormal, scaled to a mean of 1 over those
    days, so the week's km stay as planned."""
    n = len(plan.long_day)
    others = plan.run_days.copy()
    others[np.arange(n), plan.long_day] = False
    factor = rng.lognormal(0.0, sigma, (n, 7))
    mean = (factor * others).sum(axis=1, keepdims=True) / np.maximum(others.sum(axis=1, keepdims=True), 1)
    return np.where(others, factor / np.maximum(mean, 1e-9), 1.0)

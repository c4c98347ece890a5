"""Settings of the synthetic runner cohort: cohort shape, training habits, injury hazards and their effect sizes.

Hazard units: the daily hazard of injury ``k`` is

    h_k(t) = base_hazard_k_per_hour * exposure_hours(t) * exp(sum of log effect sizes active on day t)

where ``exposure_hours`` is that day's running time in hours, or ``rest_day_exposure_hours`` on a day without a run
(or with a shorter one), since daily life still loads tissue. ``base_hazard_*`` is therefore an injury rate per
exposure hour of a reference runner: experienced, male, no injury history, no strength work, no recent spike. Effect
sizes are hazard ratios (HR); odds and risk ratios from the literature are used as hazard ratios, which is close for
rare events. Sources are those of ``shared/DOMAIN.md``; where a number is our assumption its docstring says so.
Each field's docstring is its description in ``SimulationConfig.model_json_schema()``.
"""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, ConfigDict, Field, model_validator

from training.domain.schema import INJURIES


class SimulationConfig(BaseModel):
    """Everything the simulator draws from; change an effect size here and re-run to see its footprint."""

    model_config = ConfigDict(extra="forbid", frozen=True, use_attribute_docstrings=True)

    # --- Cohort ------------------------------------------------------------------------------------------------
    athletes: int = Field(default=2000, ge=1)
    """Number of simulated runners."""
    first_athlete: int = Field(default=1, ge=1)
    """Number of the first runner's id (A00001 by default): cohorts simulated in chunks get ids of their own."""
    days: int = Field(default=365, ge=1)
    """Simulated days from start_date; the oracle covers exactly these days."""
    seed: int = 7
    """Seed of numpy.random.default_rng; the same seed and config give identical output."""
    start_date: dt.date = dt.date(2024, 1, 1)
    """First day of the oracle and of new onsets."""
    warmup_days: int = Field(default=56, ge=35)
    """Days of training logged before start_date without new onsets, so that the 30-day spike reference,
    week-over-week change and 28-day strength volume are defined from the first oracle day."""
    novice_share: float = Field(default=0.30, ge=0.0, le=1.0)
    """Share of runners with under 1 year of running at start_date (novices; novice status is fixed per runner)."""
    female_share: float = Field(default=0.45, ge=0.0, le=1.0)
    """Share of women."""
    bmi_median: float = Field(default=23.5, gt=15.0)
    """Median BMI of experienced runners (kg/m^2)."""
    bmi_median_novice: float = Field(default=25.5, gt=15.0)
    """Median BMI of novices, who are heavier on average."""
    bmi_sigma: float = Field(default=0.13, gt=0.0)
    """Log-scale SD of BMI; gives a tail above 30 (about 5% of runners with the defaults)."""

    # --- Training habits ---------------------------------------------------------------------------------------
    weekly_km_median: float = Field(default=35.0, gt=0.0)
    """Median weekly km that experienced runners build to."""
    weekly_km_median_novice: float = Field(default=15.0, gt=0.0)
    """Median weekly km that novices build to."""
    weekly_km_sigma: float = Field(default=0.35, gt=0.0)
    """Log-scale SD across runners of the weekly km they build to, around their group's median (novice or not)."""
    weekly_km_max: float = Field(default=90.0, gt=0.0)
    """Most weekly km an experienced runner builds to, however their goal grows (novices: 45)."""
    run_days_shares: tuple[float, float, float, float, float] = (0.25, 0.35, 0.25, 0.15, 0.0)
    """Shares of experienced runners with 3, 4, 5, 6 and 7 run days a week (novices: 70% three, 30% four)."""
    run_day_km_sigma: float = Field(default=0.0, ge=0.0)
    """Log-scale SD of how each week's run days other than the long run differ in length from one another
    (medium-long days, workouts, short recovery runs), drawn anew each week; the week's km stay as planned.
    0: those days are equal but for the day-to-day noise."""
    double_run_probability: float = Field(default=0.0, ge=0.0, le=1.0)
    """Chance that a run day other than the long-run day also holds a second, easy run (a double), the runner's
    mean: runners differ (gamma, shape 2). 0: one run a day."""
    double_run_km_fraction: float = Field(default=0.8, gt=0.0)
    """Km of a double as a fraction of the day's first run."""
    breaks_per_year: float = Field(default=0.0, ge=0.0)
    """Mean number (Poisson) of off periods a year: a week or more without running (season breaks, illness, injuries
    other than the four modelled); strength habits go on. 0: none beyond holidays and injuries."""
    break_extra_days_median: float = Field(default=4.5, gt=0.0)
    """Median days an off period lasts beyond its first 7 (lognormal)."""
    break_extra_days_sigma: float = Field(default=1.7, gt=0.0)
    """Log-scale SD of the days an off period lasts beyond its first 7 (a long tail of months-long breaks)."""
    novice_fast_ramp_share: float = Field(default=0.5, ge=0.0, le=1.0)
    """Share of novices who add 15-45% a week in build weeks (many above 30%, Nielsen 2014 JOSPT)."""
    race_share: float = Field(default=0.4, ge=0.0, le=1.0)
    """Share of runners with a race (10 km, half or marathon, with a taper) in the simulated period."""
    holiday_share: float = Field(default=0.6, ge=0.0, le=1.0)
    """Share of runners with a 1-2 week break (half of them take a second one)."""
    missed_run_probability_max: float = Field(default=0.15, ge=0.0, lt=1.0)
    """Each runner skips a planned run with a chance drawn uniformly from [0.02, this]."""
    spike_run_probability: float = Field(default=0.02, ge=0.0, le=1.0)
    """Mean chance that a run becomes an unplanned long run above the longest run of the previous 30 days."""
    spike_band_shares: tuple[float, float, float] = (0.35, 0.35, 0.30)
    """Shares of unplanned long runs aimed at the 10-30%, 30-100% and >100% spike bands."""
    speed_sessions_shares: tuple[float, ...] = (0.35, 0.45, 0.20)
    """Shares of experienced runners with 0, 1, 2 (and so on) speed sessions a week, never on the long-run day
    (novices: 80% none, 20% one)."""
    sprinter_share: float = Field(default=0.3, ge=0.0, le=1.0)
    """Share of runners with speed sessions who also sprint in them (km_sprint > 0)."""

    # --- Strength habits ---------------------------------------------------------------------------------------
    strength_weekly_share: float = Field(default=0.35, ge=0.0, le=1.0)
    """Share of runners doing about one strength session a week."""
    strength_twice_weekly_share: float = Field(default=0.20, ge=0.0, le=1.0)
    """Share doing about two strength sessions a week; the rest do none."""
    eccentric_hamstring_share: float = Field(default=0.4, ge=0.0, le=1.0)
    """Share of strength-training runners who include Nordic (eccentric hamstring) curls."""
    calf_work_share: float = Field(default=0.55, ge=0.0, le=1.0)
    """Share of strength-training runners who include calf and Achilles loading."""

    # --- Incidence and exposure --------------------------------------------------------------------------------
    incidence_pfps: float = Field(default=0.035, gt=0.0)
    """Target onsets per runner-year, PFPS: 6-8% of incident injuries x about 40% injured a year, knee complaints
    the most frequent (Kakouris 2021 J Sport Health Sci; Mulvad 2018 PLoS One). Used by calibrate_base_hazards."""
    incidence_mtss: float = Field(default=0.045, gt=0.0)
    """Target onsets per runner-year, MTSS: 9-16% of incident injuries x about 40% (Kakouris 2021; Mulvad 2018)."""
    incidence_hamstring: float = Field(default=0.02, gt=0.0)
    """Target onsets per runner-year, hamstring strain: an ASSUMPTION (1-3%); no runner-specific rate was found."""
    incidence_achilles: float = Field(default=0.04, gt=0.0)
    """Target onsets per runner-year, Achilles tendinopathy: about 10% of incident injuries x 40% (Kakouris 2021);
    5-7% of marathon entrants around the race (Lagas 2020)."""
    base_hazard_pfps_per_hour: float = Field(default=7.30e-5, gt=0.0)
    """PFPS onsets per exposure hour of the reference runner (calibrated to incidence_pfps)."""
    base_hazard_mtss_per_hour: float = Field(default=7.43e-5, gt=0.0)
    """MTSS onsets per exposure hour of the reference runner (calibrated to incidence_mtss)."""
    base_hazard_hamstring_per_hour: float = Field(default=4.87e-5, gt=0.0)
    """Hamstring onsets per exposure hour of the reference runner (calibrated to incidence_hamstring)."""
    base_hazard_achilles_per_hour: float = Field(default=9.49e-5, gt=0.0)
    """Achilles onsets per exposure hour of the reference runner (calibrated to incidence_achilles)."""
    rest_day_exposure_hours: float = Field(default=0.15, ge=0.0)
    """Exposure floor in hours, on rest days and under shorter runs: daily-life loading."""

    # --- Risk factors (hazard ratios) --------------------------------------------------------------------------
    previous_injury_hr: float = Field(default=1.9, gt=0.0)
    """Any previous injury (any kind, onset before the day) for PFPS, hamstring and Achilles: HR 1.9 (1.2-3.2),
    Desai 2021 JOSPT; OR about 1.7-1.9, Hespanhol 2013 J Physiother."""
    mtss_previous_injury_hr: float = Field(default=2.2, gt=0.0)
    """MTSS after any previous running injury: OR 2.2, Reinking 2017 Sports Health (replaces previous_injury_hr)."""
    mtss_female_hr: float = Field(default=2.35, gt=0.0)
    """MTSS in women: OR 2.35, Reinking 2017 Sports Health."""
    pfps_female_hr: float = Field(default=1.5, gt=0.0)
    """PFPS in women: more frequent in women (DOMAIN.md); the size is an ASSUMPTION."""
    achilles_recent_hr: float = Field(default=4.0, gt=0.0)
    """Achilles tendinopathy with an onset in the past achilles_recent_days: OR 6.3 (3.9-10.0), Lagas 2020 J Sci Med
    Sport; taken as HR 4 on top of previous_injury_hr, as odds ratios overstate hazard ratios."""
    achilles_recent_days: int = Field(default=365, ge=1)
    """Window of achilles_recent_hr in days (12 months, Lagas 2020)."""
    hamstring_prior_hr: float = Field(default=2.7, gt=0.0)
    """Any prior hamstring strain: RR 2.7, Green 2020 BJSM (mostly field sports)."""
    hamstring_recent_hr: float = Field(default=4.8, gt=0.0)
    """Hamstring strain with an onset in the past hamstring_recent_days: RR 4.8, Green 2020 (replaces the prior HR)."""
    hamstring_recent_days: int = Field(default=90, ge=1)
    """Window of hamstring_recent_hr in days ('recent', Green 2020)."""
    weekly_increase_threshold: float = Field(default=0.30, gt=0.0)
    """Increase of km over the last 7 days (today included) vs the 7 days before that counts as too fast, Nielsen
    2014 JOSPT; only when the previous 7 days had some running."""
    weekly_increase_hr: float = Field(default=1.59, gt=0.0)
    """PFPS and MTSS while weekly km is up more than the threshold: HR 1.59 for distance-related injuries, Nielsen
    2014 JOSPT (no effect on injuries overall, so none on hamstring and Achilles here)."""
    weekly_increase_novice_extra_hr: float = Field(default=1.25, gt=0.0)
    """Extra factor for novices on top of weekly_increase_hr (the effect is stronger in novices): ASSUMPTION."""
    spike_window_days: int = Field(default=7, ge=1)
    """A spike run raises the hazard on the following this-many days: tissue damage shows over days, and the
    product predicts onsets in the next 7 days. The strongest band in the window applies."""
    spike_10_30_hr: float = Field(default=1.64, gt=0.0)
    """PFPS, MTSS and Achilles after a run 10-30% longer than the longest of the previous 30 days: HR 1.64,
    BJSM 2025 doi:10.1136/bjsports-2024-109380 (5,205 runners)."""
    spike_30_100_hr: float = Field(default=1.52, gt=0.0)
    """Same, after a run 30-100% longer: HR 1.52, BJSM 2025 doi:10.1136/bjsports-2024-109380."""
    spike_over_100_hr: float = Field(default=2.28, gt=0.0)
    """Same, after a run more than 100% longer (or the first run after 30 days without one): HR 2.28, BJSM 2025."""
    novice_hr: float = Field(default=2.3, gt=0.0)
    """Novices (under 1 year of running) per exposure hour, PFPS and MTSS: about 2.3x, Videbaek 2015 Sports Med."""
    novice_other_hr: float = Field(default=1.8, gt=0.0)
    """Novices, hamstring and Achilles: milder than novice_hr, ASSUMPTION."""
    hamstring_speed_hr: float = Field(default=2.5, gt=0.0)
    """Hamstring with interval or sprint km in the last 7 days: strains follow high-speed running (DOMAIN.md).
    ASSUMPTION: speed training has OR 1.46 over all injuries (Hespanhol 2013); most of it goes to the hamstring."""
    hamstring_sprint_hr: float = Field(default=1.5, gt=0.0)
    """Extra hamstring factor with sprint km in the last 7 days: ASSUMPTION."""
    achilles_speed_hr: float = Field(default=1.3, gt=0.0)
    """Achilles with interval or sprint km in the last 7 days: modest, from speed training OR 1.46 (Hespanhol
    2013); the split across injuries is an ASSUMPTION."""
    bmi_over_30_hr: float = Field(default=1.5, gt=0.0)
    """PFPS and MTSS with BMI over 30: +14-16% absolute risk over 3 weeks with a fast start, Nielsen 2014 IJSPT; the
    hazard ratio is an ASSUMPTION."""
    achilles_age_hr_per_decade: float = Field(default=1.3, gt=0.0)
    """Achilles, per 10 years of age above achilles_age_from (age loads the tendon, DOMAIN.md): ASSUMPTION."""
    achilles_age_from: float = 35.0
    """Age in years above which the Achilles hazard rises."""

    # --- Strength protection: modest, runner evidence is weak (Toresdahl 2020 RR 0.97) ---------------------------
    strength_window_days: int = Field(default=28, ge=7)
    """Strength volume is the weekly mean of sets x reps over this many days (today included)."""
    hamstring_eccentric_rr: float = Field(default=0.6, gt=0.0, le=1.0)
    """Hamstring RR at full eccentric (Nordic) dose: Nordic programmes RR 0.49 (0.32-0.74) in team sports, van Dyk
    2019 BJSM; kept modest for runners. The log-effect scales with the dose fraction min(volume / target, 1)."""
    eccentric_hamstring_reps_per_week_target: float = Field(default=24.0, gt=0.0)
    """Full dose of eccentric hamstring reps a week: maintenance 3 sets of 12/10/8, van der Horst 2015; as few as
    about 8 a week may help."""
    achilles_calf_rr: float = Field(default=0.8, gt=0.0, le=1.0)
    """Achilles RR at full calf-loading dose: ASSUMPTION, modest (overuse injuries RR 0.53 across sports, Lauersen
    2014 BJSM)."""
    mtss_calf_rr: float = Field(default=0.85, gt=0.0, le=1.0)
    """MTSS RR at full calf-loading dose: ASSUMPTION (weak calves load the tibia, DOMAIN.md)."""
    calf_reps_per_week_target: float = Field(default=72.0, gt=0.0)
    """Full dose of calf and Achilles loading reps a week (e.g. 3 x 12 of two exercises, twice a week)."""
    pfps_hip_quad_rr: float = Field(default=0.85, gt=0.0, le=1.0)
    """PFPS RR at full hip and quad dose: RR 0.97 (0.57-1.63) in first-time marathoners, Toresdahl 2020 Sports
    Health; 0.85 is a modest ASSUMPTION."""
    hip_quad_reps_per_week_target: float = Field(default=72.0, gt=0.0)
    """Full dose a week of reps of exercises that protect against PFPS (hip and quad work)."""

    # --- Injury course -----------------------------------------------------------------------------------------
    median_days_pfps: float = Field(default=49.0, gt=0.0)
    """Median time lost to PFPS: about 7 weeks, Mulvad 2018."""
    median_days_mtss: float = Field(default=70.0, gt=0.0)
    """Median time lost to MTSS: about 10 weeks, Mulvad 2018."""
    median_days_hamstring: float = Field(default=17.0, gt=0.0)
    """Median time lost to a hamstring strain: 1-4 weeks (DOMAIN.md)."""
    median_days_achilles: float = Field(default=56.0, gt=0.0)
    """Median time lost to Achilles tendinopathy: about 8 weeks, Mulvad 2018."""
    duration_sigma_pfps: float = Field(default=0.45, gt=0.0)
    """Log-scale SD of the lognormal PFPS duration."""
    duration_sigma_mtss: float = Field(default=0.45, gt=0.0)
    """Log-scale SD of the lognormal MTSS duration."""
    duration_sigma_hamstring: float = Field(default=0.4, gt=0.0)
    """Log-scale SD of the lognormal hamstring duration."""
    duration_sigma_achilles: float = Field(default=0.7, gt=0.0)
    """Log-scale SD of the lognormal Achilles duration (a long tail)."""
    no_run_fraction: float = Field(default=0.4, gt=0.0, lt=1.0)
    """First part of an injury without any running (see simulate.no_running_days)."""
    return_start_fraction: float = Field(default=0.3, gt=0.0, le=1.0)
    """Share of planned km run on the first day of the return-to-run ramp; it rises linearly to 1 at resolution."""
    prehistory_scale: float = Field(default=2.0, ge=0.0)
    """Chance of an injury of each kind in the year before start_date, as a multiple of its incidence target; above
    1 because the logged year stands in for all earlier history (scaled down for novices' shorter running life)."""

    @model_validator(mode="after")
    def _shares(self) -> SimulationConfig:
        if self.strength_weekly_share + self.strength_twice_weekly_share > 1.0:
            raise ValueError("strength_weekly_share + strength_twice_weekly_share must be at most 1")
        for name in ("spike_band_shares", "speed_sessions_shares", "run_days_shares"):
            shares = getattr(self, name)
            if min(shares) < 0 or abs(sum(shares) - 1.0) > 1e-6:
                raise ValueError(f"{name} must be non-negative and sum to 1")
        return self

    def base_hazard(self, kind: str) -> float:
        """Base hazard per exposure hour of injury ``kind``."""
        return float(getattr(self, f"base_hazard_{kind}_per_hour"))

    def incidence_target(self, kind: str) -> float:
        """Target onsets per runner-year of injury ``kind``."""
        return float(getattr(self, f"incidence_{kind}"))

    def with_base_hazards(self, hazards: dict[str, float]) -> SimulationConfig:
        """A copy with new base hazards (per exposure hour), e.g. from calibration."""
        unknown = set(hazards) - set(INJURIES)
        if unknown:
            raise ValueError(f"unknown injuries: {sorted(unknown)}")
        update = {f"base_hazard_{k}_per_hour": float(v) for k, v in hazards.items()}
        return self.model_validate({**self.model_dump(), **update})

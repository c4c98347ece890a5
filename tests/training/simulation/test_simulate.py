"""Behaviour of the synthetic cohort: deterministic, in the data contract, realistic, and faithful to its hazards."""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from training.domain.catalogue import default_catalogue
from training.domain.schema import INJURIES, INJURY_COLUMNS, PROFILE_COLUMNS, RUN_COLUMNS, STRENGTH_COLUMNS, Cohort
from training.features import compute_features
from training.simulation.config import SimulationConfig
from training.simulation.population import draw_athletes, draw_plan
from training.simulation.simulate import (
    ORACLE_COLUMNS,
    Simulation,
    calibrate_base_hazards,
    no_running_days,
    oracle_risk,
    read_simulation,
    simulate,
    spike_band,
    write_simulation,
    yearly_incidence,
)

# Log-hazard tolerance for effects recovered by Poisson regression (about 3 standard errors at 12,000 runner-years).
TOLERANCE = 0.35


def _small(seed: int = 3, athletes: int = 150, days: int = 120) -> Simulation:
    return simulate(SimulationConfig(athletes=athletes, days=days, seed=seed))


@pytest.fixture(scope="module")
def small() -> Simulation:
    return _small()


@pytest.fixture(scope="module")
def year() -> Simulation:
    return simulate(SimulationConfig(athletes=3000, days=365, seed=11))


# --- Determinism and the data contract ----------------------------------------------------------------------------


def _frames(sim: Simulation) -> list[pd.DataFrame]:
    return [*sim.cohort.tables(), sim.oracle]


def test_same_seed_gives_identical_frames() -> None:
    first, second = _small(seed=5, athletes=60, days=60), _small(seed=5, athletes=60, days=60)
    for a, b in zip(_frames(first), _frames(second), strict=True):
        pd.testing.assert_frame_equal(a, b)


def test_different_seed_gives_different_frames() -> None:
    first, second = _small(seed=5, athletes=60, days=60), _small(seed=6, athletes=60, days=60)
    assert not first.cohort.runs.equals(second.cohort.runs)
    assert not first.oracle.equals(second.oracle)


def test_tables_have_the_schema_columns_and_dtypes(small: Simulation) -> None:
    expected = Cohort.empty_tables()
    for table, empty, columns in zip(
        small.cohort.tables(),
        expected.tables(),
        (PROFILE_COLUMNS, RUN_COLUMNS, STRENGTH_COLUMNS, INJURY_COLUMNS),
        strict=True,
    ):
        assert list(table.columns) == columns
        assert table.dtypes.to_dict() == empty.dtypes.to_dict()
        assert len(table) > 0


def test_oracle_covers_every_athlete_day_with_the_hazard_columns(small: Simulation) -> None:
    oracle = small.oracle
    assert list(oracle.columns) == ORACLE_COLUMNS
    assert oracle["athlete_id"].dtype == "string" and oracle["date"].dtype == "datetime64[ns]"
    assert len(oracle) == small.config.athletes * small.config.days
    assert not oracle.duplicated(["athlete_id", "date"]).any()
    assert oracle["date"].min() == pd.Timestamp(small.config.start_date)
    hazards = oracle[[f"hazard_{k}" for k in INJURIES]].to_numpy()
    assert np.isfinite(hazards).all() and (hazards >= 0).all()


def test_config_has_a_json_schema_with_described_effects() -> None:
    schema = SimulationConfig.model_json_schema()
    for name in ("spike_over_100_hr", "previous_injury_hr", "mtss_female_hr", "hamstring_eccentric_rr"):
        assert schema["properties"][name]["description"]
    assert "Desai 2021" in schema["properties"]["previous_injury_hr"]["description"]


def test_write_and_read_give_the_same_simulation(small: Simulation, tmp_path: Path) -> None:
    write_simulation(small, tmp_path / "sim")
    names = {p.name for p in (tmp_path / "sim").iterdir()}
    assert names == {
        "profiles.parquet",
        "runs.parquet",
        "strength.parquet",
        "injuries.parquet",
        "oracle.parquet",
        "config.json",
    }
    back = read_simulation(tmp_path / "sim")
    for a, b in zip(_frames(small), _frames(back), strict=True):
        pd.testing.assert_frame_equal(a, b)
    assert back.config == small.config


# --- Profiles, running and strength -------------------------------------------------------------------------------


def test_profiles_span_ages_novices_and_a_bmi_tail(year: Simulation) -> None:
    p = year.cohort.profiles
    assert p["athlete_id"].iloc[0] == "A00001" and p["athlete_id"].is_unique
    assert p["age"].between(18, 65).all() and set(p["sex"]) == {"F", "M"}
    assert 0.25 < (p["years_running"] < 1).mean() < 0.35
    bmi = p["body_mass_kg"] / (p["height_cm"] / 100) ** 2
    assert 0.01 < (bmi > 30).mean() < 0.15


def test_runs_are_non_negative_with_zones_inside_km(small: Simulation) -> None:
    runs = small.cohort.runs
    assert (runs["km"] > 0).all()
    zones = runs[["km_threshold", "km_interval", "km_sprint"]]
    assert (zones >= 0).all().all()
    assert (zones.sum(axis=1) <= runs["km"] + 1e-9).all()
    assert runs["rpe"].between(1, 10).all() and (runs["duration_min"] > 0).all()
    assert not runs.duplicated(["athlete_id", "date"]).any()
    assert runs["activity_id"].is_unique
    assert runs["activity_id"].iloc[0] == f"R-{runs['athlete_id'].iloc[0]}-{runs['date'].iloc[0]:%Y%m%d}"


def test_training_has_three_to_six_runs_a_week_and_speed_work(year: Simulation) -> None:
    runs = year.cohort.runs
    per_week = runs.groupby("athlete_id").size() / ((year.config.days + year.config.warmup_days) / 7)
    assert 2.0 < per_week.median() < 5.0
    assert (runs["km_interval"] > 0).any() and (runs["km_sprint"] > 0).any() and (runs["km_threshold"] > 0).any()
    assert (runs["km"].round(1) == 42.2).any()  # some athletes race a marathon


def test_all_three_spike_bands_occur(year: Simulation) -> None:
    grid = _Grid.of(year)
    bands = spike_band(grid.km, grid.trailing_max(grid.km, 30))[:, grid.warmup :]
    counts = np.bincount(bands[grid.km[:, grid.warmup :] > 0], minlength=4)
    assert (counts[1:] > 100).all(), counts


def test_strength_sessions_use_three_to_five_catalogue_exercises(small: Simulation) -> None:
    strength = small.cohort.strength
    assert set(strength["exercise_id"]) <= default_catalogue().ids()
    per_session = strength.groupby("activity_id").size()
    assert per_session.between(3, 5).all()
    assert not strength.duplicated(["activity_id", "exercise_id"]).any()
    nordic = strength.loc[strength["exercise_id"] == "nordic_curl", "athlete_id"].unique()
    lifters = strength["athlete_id"].unique()
    assert 0 < len(nordic) < len(lifters)
    assert strength["activity_id"].str.startswith("S-").all()
    assert (strength["sets"] >= 1).all() and strength["load_kg"].notna().any() and strength["load_kg"].isna().any()


# --- Habits of competitive runners, off by default ---------------------------------------------------------------


def _experienced(**settings: object) -> Simulation:
    return simulate(
        SimulationConfig.model_validate({"athletes": 60, "days": 84, "seed": 5, "novice_share": 0.0, **settings})
    )


def test_plans_follow_the_run_day_and_speed_session_shares_under_the_weekly_km_ceiling() -> None:
    config = SimulationConfig(
        athletes=200,
        novice_share=0.0,
        run_days_shares=(0, 0, 0, 0, 1),
        speed_sessions_shares=(0, 0, 0, 1),
        weekly_km_max=40.0,
    )
    rng = np.random.default_rng(1)
    plan = draw_plan(rng, config, draw_athletes(rng, config), total_days=100)
    assert (plan.run_days.sum(axis=1) == 7).all()
    assert (plan.speed_days.sum(axis=1) == 3).all()
    assert (plan.cap_km <= 40.0).all() and (plan.cap_limit_km == 40.0).all()


def test_a_double_is_a_second_easy_run_no_longer_than_the_days_first() -> None:
    sim = _experienced(double_run_probability=0.5)
    runs = sim.cohort.runs
    second = runs["activity_id"].str.endswith("-2")
    assert second.any() and runs["activity_id"].is_unique
    assert runs.groupby(["athlete_id", "date"]).size().max() == 2
    first = runs[~second].set_index(["athlete_id", "date"])["km"]
    doubles = runs[second].set_index(["athlete_id", "date"])
    assert (doubles["km"] <= first.loc[doubles.index]).all()
    assert (doubles[["km_threshold", "km_interval", "km_sprint"]] == 0).all().all()
    # The features read a double as a run of its own.
    day = doubles.index[0]
    spans = pd.DataFrame({"athlete_id": [day[0]], "start": [day[1]], "end": [day[1]]})
    features = compute_features(sim.cohort, spans)
    ran = runs[(runs["athlete_id"] == day[0]) & runs["date"].between(day[1] - pd.Timedelta(days=6), day[1])]
    assert features["runs_7d"].iloc[0] == len(ran)


def _weeks_without_running(sim: Simulation) -> tuple[float, float]:
    """Share of the athletes' weeks (from the first simulated day) without a run, and their strength sessions per
    week."""
    start = pd.Timestamp(sim.config.start_date)

    def weeks(table: pd.DataFrame) -> pd.Series:
        later = table[table["date"] >= start]
        return later["athlete_id"].astype(str) + ":" + ((later["date"] - start).dt.days // 7).astype(str)

    every = pd.Index([f"{a}:{w}" for a in sim.cohort.profiles["athlete_id"] for w in range(sim.config.days // 7)])
    empty = every.difference(pd.Index(weeks(sim.cohort.runs).unique()))
    strength = sim.cohort.strength.drop_duplicates("activity_id")
    return len(empty) / len(every), float(weeks(strength).isin(empty).sum() / max(len(empty), 1))


def test_off_periods_stop_running_for_weeks_while_strength_goes_on() -> None:
    lifting = {"holiday_share": 0.0, "strength_weekly_share": 0.0, "strength_twice_weekly_share": 1.0}
    without, _ = _weeks_without_running(_experienced(**lifting))
    empty, strength_per_week = _weeks_without_running(_experienced(breaks_per_year=8.0, **lifting))
    assert empty > without + 0.1
    assert strength_per_week > 1.0


def test_uneven_run_days_keep_the_weeks_km_and_spread_the_days() -> None:
    even, uneven = _experienced().cohort.runs, _experienced(run_day_km_sigma=0.4).cohort.runs
    assert uneven["km"].sum() == pytest.approx(even["km"].sum(), rel=0.1)

    def spread(runs: pd.DataFrame) -> float:
        return float(runs.groupby("athlete_id")["km"].agg(lambda km: km.std() / km.mean()).median())

    assert spread(uneven) > spread(even) + 0.05


# --- Injuries -----------------------------------------------------------------------------------------------------


def test_some_injuries_start_before_the_first_simulated_day(small: Simulation) -> None:
    injuries = small.cohort.injuries
    start = pd.Timestamp(small.config.start_date)
    assert (injuries["onset"] < start).any() and (injuries["onset"] >= start).any()
    assert (injuries["onset"] >= start - pd.Timedelta(days=365)).all()
    assert (injuries["resolved"].isna() | (injuries["resolved"] > injuries["onset"])).all()


def test_no_run_in_the_no_running_part_of_an_injury(year: Simulation) -> None:
    injuries = year.cohort.injuries.dropna(subset=["resolved"])
    duration = (injuries["resolved"] - injuries["onset"]).dt.days.to_numpy()
    rest = no_running_days(duration, year.config)
    run_days = set(zip(year.cohort.runs["athlete_id"], year.cohort.runs["date"], strict=True))
    day = pd.Timedelta(days=1)
    clashes = [
        (athlete, onset + k * day)
        for athlete, onset, days in zip(injuries["athlete_id"], injuries["onset"], rest, strict=True)
        for k in range(1, days + 1)
        if (athlete, onset + k * day) in run_days
    ]
    assert not clashes


def test_hazard_is_zero_while_injured_and_positive_otherwise(year: Simulation) -> None:
    grid = _Grid.of(year)
    for k, kind in enumerate(INJURIES):
        hazard = grid.oracle(kind)
        injured = grid.injured[k][:, grid.warmup :]
        assert (hazard[injured] == 0).all()
        assert (hazard[~injured] > 0).all()


def test_yearly_incidence_is_in_the_target_ranges_and_higher_in_novices(year: Simulation) -> None:
    incidence = yearly_incidence(year)
    for kind in ("pfps", "mtss", "achilles"):
        assert 0.02 <= incidence.loc[kind, "all"] <= 0.06, incidence
    assert 0.01 <= incidence.loc["hamstring", "all"] <= 0.03, incidence
    for kind in ("pfps", "mtss"):
        assert incidence.loc[kind, "novice_ratio"] > 1.3, incidence
    assert incidence["novice"].sum() > incidence["experienced"].sum()


def test_calibration_rescales_base_hazards_by_target_over_pilot_incidence() -> None:
    config = SimulationConfig(athletes=50, seed=4)
    measured = yearly_incidence(simulate(config.model_copy(update={"athletes": 400})))["all"]
    calibrated = calibrate_base_hazards(config, athletes=400, iterations=1)
    assert calibrated.athletes == 50
    for kind in INJURIES:
        expected = config.base_hazard(kind) * config.incidence_target(kind) / measured[kind]
        assert calibrated.base_hazard(kind) == pytest.approx(expected)


def test_oracle_risk_sums_the_next_days_hazard() -> None:
    oracle = pd.DataFrame(
        {
            "athlete_id": pd.array(["A1"] * 4 + ["A2"] * 4, dtype="string"),
            "date": list(pd.date_range("2024-01-01", periods=4)) * 2,
            **{f"hazard_{k}": [0.1, 0.2, 0.3, 0.4, 0.0, 0.0, 0.5, 0.0] for k in INJURIES},
        }
    )
    risk = oracle_risk(oracle, horizon_days=2)
    assert list(risk.columns) == ["athlete_id", "date", *(f"risk_{k}" for k in INJURIES)]
    np.testing.assert_allclose(risk["risk_pfps"].iloc[:2], 1 - np.exp(-np.array([0.5, 0.7])))
    assert risk["risk_pfps"].iloc[2:4].isna().all()
    np.testing.assert_allclose(risk["risk_mtss"].iloc[4], 1 - np.exp(-0.5))


def test_simulation_of_2000_runners_for_a_year_is_fast() -> None:
    began = time.perf_counter()
    simulate(SimulationConfig(athletes=2000, days=365, seed=1))
    assert time.perf_counter() - began < 20.0


# --- The hazards are recoverable from the tables ------------------------------------------------------------------


@dataclass
class _Grid:
    """Dense (athlete, day) arrays recomputed from the cohort tables alone, from the first warm-up day."""

    sim: Simulation
    ids: pd.Index
    warmup: int
    km: np.ndarray
    interval: np.ndarray
    sprint: np.ndarray
    minutes: np.ndarray
    injured: list[np.ndarray]
    onset: list[np.ndarray]  # onset markers per kind (events), incl. before the grid clipped to day 0
    last_onset: list[np.ndarray]  # latest onset strictly before each day, as a day index (-1e6 if none)

    @classmethod
    def of(cls, sim: Simulation) -> _Grid:
        cfg = sim.config
        ids = pd.Index(sim.cohort.profiles["athlete_id"])
        origin = pd.Timestamp(cfg.start_date) - pd.Timedelta(days=cfg.warmup_days)
        total = cfg.warmup_days + cfg.days
        runs = sim.cohort.runs
        a, d = ids.get_indexer(runs["athlete_id"]), (runs["date"] - origin).dt.days.to_numpy()

        def dense(values: pd.Series) -> np.ndarray:
            out = np.zeros((len(ids), total))
            out[a, d] = values.to_numpy()
            return out

        inj = sim.cohort.injuries
        ia = ids.get_indexer(inj["athlete_id"])
        on = (inj["onset"] - origin).dt.days.to_numpy()
        off = (inj["resolved"] - origin).dt.days.fillna(total + 1).to_numpy().astype(int)
        injured, onset, last = [], [], []
        for kind in INJURIES:
            m = (inj["kind"] == kind).to_numpy()
            diff = np.zeros((len(ids), total + 2))
            np.add.at(diff, (ia[m], np.clip(on[m] + 1, 0, total + 1)), 1)
            np.add.at(diff, (ia[m], np.clip(off[m], 0, total + 1)), -1)
            injured.append(np.cumsum(diff, axis=1)[:, :total] > 0)
            events = np.zeros((len(ids), total), dtype=bool)
            inside = on[m] >= 0
            events[ia[m][inside], on[m][inside]] = True
            onset.append(events)
            mark = np.full((len(ids), total + 1), -1e6)
            np.maximum.at(mark, (ia[m], np.clip(on[m] + 1, 0, total)), on[m].astype(float))
            last.append(np.maximum.accumulate(mark, axis=1)[:, :total])
        return cls(
            sim,
            ids,
            cfg.warmup_days,
            dense(runs["km"]),
            dense(runs["km_interval"]),
            dense(runs["km_sprint"]),
            dense(runs["duration_min"]),
            injured,
            onset,
            last,
        )

    @staticmethod
    def trailing_sum(x: np.ndarray, window: int, lag: int = 0) -> np.ndarray:
        out = np.zeros_like(x, dtype=float)
        for j in range(lag, lag + window):
            out[:, j:] += x[:, : x.shape[1] - j]
        return out

    @staticmethod
    def trailing_max(x: np.ndarray, window: int, lag: int = 1) -> np.ndarray:
        out = np.zeros_like(x, dtype=float)
        for j in range(lag, lag + window):
            np.maximum(out[:, j:], x[:, : x.shape[1] - j], out=out[:, j:])
        return out

    def oracle(self, kind: str) -> np.ndarray:
        o = self.sim.oracle
        out = np.zeros((len(self.ids), self.sim.config.days))
        day = (o["date"] - pd.Timestamp(self.sim.config.start_date)).dt.days.to_numpy()
        out[self.ids.get_indexer(o["athlete_id"]), day] = o[f"hazard_{kind}"].to_numpy()
        return out


def _strength_dose(sim: Simulation, ids: pd.Index, total: int) -> dict[str, np.ndarray]:
    cfg, catalogue = sim.config, default_catalogue()
    s = sim.cohort.strength
    origin = pd.Timestamp(cfg.start_date) - pd.Timedelta(days=cfg.warmup_days)
    a, d = ids.get_indexer(s["athlete_id"]), (s["date"] - origin).dt.days.to_numpy()
    reps = (s["sets"] * s["reps"].fillna(0)).to_numpy()
    groups = {
        "eccentric": (
            {e.id for e in catalogue.exercises if e.eccentric_hamstring},
            cfg.eccentric_hamstring_reps_per_week_target,
        ),
        "calf": ({e.id for e in catalogue.exercises if e.calf_loading}, cfg.calf_reps_per_week_target),
        "hip_quad": ({e.id for e in catalogue.protecting("pfps")}, cfg.hip_quad_reps_per_week_target),
    }
    dose = {}
    for name, (chosen, target) in groups.items():
        daily = np.zeros((len(ids), total))
        m = s["exercise_id"].isin(chosen).to_numpy()
        np.add.at(daily, (a[m], d[m]), reps[m])
        weekly = _Grid.trailing_sum(daily, cfg.strength_window_days) / (cfg.strength_window_days / 7)
        dose[name] = np.minimum(weekly / target, 1.0)
    return dose


def _poisson_fit(x: np.ndarray, y: np.ndarray, offset: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Poisson regression by Newton-Raphson: coefficients and standard errors (x includes an intercept column)."""
    beta = np.zeros(x.shape[1])
    beta[0] = np.log(y.sum() / np.exp(offset).sum())
    for _ in range(30):
        mu = np.exp(offset + x @ beta)
        info = x.T @ (x * mu[:, None])
        step = np.linalg.solve(info, x.T @ (y - mu))
        beta += step
        if np.abs(step).max() < 1e-8:
            break
    return beta, np.sqrt(np.diag(np.linalg.inv(info)))


def _recovered_effects(sim: Simulation) -> dict[str, dict[str, tuple[float, float]]]:
    """Per injury, each covariate's fitted log-hazard ratio and standard error, covariates recomputed from tables."""
    cfg, grid = sim.config, _Grid.of(sim)
    w, total = grid.warmup, cfg.warmup_days + cfg.days
    p = sim.cohort.profiles.set_index("athlete_id").loc[grid.ids]
    n = len(grid.ids)

    def per_athlete(values: np.ndarray) -> np.ndarray:
        return np.repeat(values.astype(float)[:, None], total, axis=1)

    female = per_athlete((p["sex"] == "F").to_numpy())
    novice = per_athlete((p["years_running"] < 1).to_numpy())
    bmi30 = per_athlete((p["body_mass_kg"] / (p["height_cm"] / 100) ** 2 > 30).to_numpy())
    age = per_athlete(np.maximum(p["age"].to_numpy() - cfg.achilles_age_from, 0) / 10)
    exposure = np.maximum(grid.minutes / 60, cfg.rest_day_exposure_hours)
    band = spike_band(grid.km, grid.trailing_max(grid.km, 30))
    band_hr = np.log([1.0, cfg.spike_10_30_hr, cfg.spike_30_100_hr, cfg.spike_over_100_hr])
    present = [grid.trailing_max((band == b).astype(float), cfg.spike_window_days) > 0 for b in range(4)]
    # The simulator applies the strongest band seen in the window.
    best = np.argmax(
        np.stack([np.where(present[b], band_hr[b], -np.inf) if b else np.zeros((n, total)) for b in range(4)]), axis=0
    )
    spikes = [(best == b).astype(float) for b in (1, 2, 3)]
    km_7d, km_prev = grid.trailing_sum(grid.km, 7), grid.trailing_sum(grid.km, 7, lag=7)
    too_fast = ((km_prev > 0) & (km_7d > (1 + cfg.weekly_increase_threshold) * km_prev)).astype(float)
    speed = (grid.trailing_sum(grid.interval + grid.sprint, 7) > 0).astype(float)
    sprint = (grid.trailing_sum(grid.sprint, 7) > 0).astype(float)
    day = np.arange(total)[None, :]
    previous = (np.stack(grid.last_onset) > -1e5).any(axis=0).astype(float)
    k_ham, k_ach = INJURIES.index("hamstring"), INJURIES.index("achilles")
    ham_recent = ((day - grid.last_onset[k_ham]) <= cfg.hamstring_recent_days).astype(float)
    ham_prior = (grid.last_onset[k_ham] > -1e5).astype(float) * (1 - ham_recent)
    ach_recent = ((day - grid.last_onset[k_ach]) <= cfg.achilles_recent_days).astype(float)
    dose = _strength_dose(sim, grid.ids, total)

    common = {"previous": previous, "novice": novice}
    distance = {
        "female": female,
        "too_fast": too_fast,
        "too_fast_novice": too_fast * novice,
        "spike_10_30": spikes[0],
        "spike_30_100": spikes[1],
        "spike_over_100": spikes[2],
        "bmi30": bmi30,
    }
    designs = {
        "pfps": {**common, **distance, "dose": dose["hip_quad"]},
        "mtss": {**common, **distance, "dose": dose["calf"]},
        "hamstring": {
            **common,
            "prior": ham_prior,
            "recent": ham_recent,
            "speed": speed,
            "sprint": sprint,
            "dose": dose["eccentric"],
        },
        "achilles": {
            **common,
            "recent": ach_recent,
            "spike_10_30": spikes[0],
            "spike_30_100": spikes[1],
            "spike_over_100": spikes[2],
            "speed": speed,
            "age": age,
            "dose": dose["calf"],
        },
    }
    out = {}
    for k, kind in enumerate(INJURIES):
        at_risk = ~grid.injured[k][:, w:]
        columns = list(designs[kind])
        x = np.column_stack([np.ones(at_risk.sum())] + [designs[kind][c][:, w:][at_risk] for c in columns])
        y = grid.onset[k][:, w:][at_risk].astype(float)
        beta, se = _poisson_fit(x, y, np.log(exposure[:, w:][at_risk]))
        out[kind] = {c: (beta[i + 1], se[i + 1]) for i, c in enumerate(columns)}
    return out


def _pooled(estimates: list[tuple[float, float]]) -> tuple[float, float]:
    weights = np.array([1 / se**2 for _, se in estimates])
    values = np.array([b for b, _ in estimates])
    return float((weights * values).sum() / weights.sum()), float(np.sqrt(1 / weights.sum()))


@pytest.mark.slow
def test_poisson_regression_recovers_spike_previous_injury_and_female_mtss_effects() -> None:
    sim = simulate(SimulationConfig(athletes=12000, days=365, seed=21))
    cfg, fit = sim.config, _recovered_effects(sim)
    spike, spike_se = _pooled([fit[k]["spike_over_100"] for k in ("pfps", "mtss", "achilles")])
    previous, previous_se = _pooled([fit[k]["previous"] for k in ("pfps", "hamstring", "achilles")])
    female_mtss, female_se = fit["mtss"]["female"]
    assert abs(spike - np.log(cfg.spike_over_100_hr)) < TOLERANCE, (spike, spike_se)
    assert abs(previous - np.log(cfg.previous_injury_hr)) < TOLERANCE, (previous, previous_se)
    assert abs(female_mtss - np.log(cfg.mtss_female_hr)) < TOLERANCE, (female_mtss, female_se)
    # The tolerance must be meaningful: each estimate is precise enough to tell the effect from no effect.
    assert max(spike_se, previous_se, female_se) < TOLERANCE / 2

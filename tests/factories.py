"""Small builders of training logs for tests."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from training.domain.cohort_io import write_cohort
from training.domain.schema import RUN_COLUMNS, Cohort
from training.lovdal.importer import synthetic_day_file

if TYPE_CHECKING:
    from tests.conftest import Trained


def cohort(
    runs: list[tuple[str, float]] | None = None,
    strength: list[tuple[str, str, int, int]] | None = None,
    injuries: list[tuple[str, str, str | None]] | None = None,
    athlete_id: str = "A1",
    sex: str = "F",
    years_running: float = 3.0,
    log_start: str | None = None,
) -> Cohort:
    """One athlete: runs as (date, km), strength as (date, exercise_id, sets, reps), injuries as (kind, onset,
    resolved); ``log_start``: the day the log is complete from (None: complete)."""
    runs = runs or []
    strength = strength or []
    injuries = injuries or []
    return Cohort(
        profiles=pd.DataFrame(
            [
                {
                    "athlete_id": athlete_id,
                    "age": 35,
                    "sex": sex,
                    "years_running": years_running,
                    "body_mass_kg": 60.0,
                    "height_cm": 165.0,
                    "log_start": pd.Timestamp(log_start) if log_start else pd.NaT,
                }
            ]
        ),
        runs=pd.DataFrame(
            [
                {
                    "athlete_id": athlete_id,
                    "activity_id": f"r{i}",
                    "date": d,
                    "km": km,
                    "km_threshold": 0.0,
                    "km_interval": 0.0,
                    "km_sprint": 0.0,
                    "duration_min": None,
                    "rpe": None,
                }
                for i, (d, km) in enumerate(runs)
            ],
            columns=RUN_COLUMNS,
        ),
        strength=pd.DataFrame(
            [
                {
                    "athlete_id": athlete_id,
                    "activity_id": f"s{d}",
                    "date": d,
                    "exercise_id": e,
                    "sets": s,
                    "reps": r,
                    "load_kg": None,
                }
                for d, e, s, r in strength
            ],
            columns=["athlete_id", "activity_id", "date", "exercise_id", "sets", "reps", "load_kg"],
        ),
        injuries=pd.DataFrame(
            [{"athlete_id": athlete_id, "kind": k, "onset": o, "resolved": r} for k, o, r in injuries],
            columns=["athlete_id", "kind", "onset", "resolved"],
        ),
    ).normalised()


def one_day(athlete_id: str, day: str) -> pd.DataFrame:
    return pd.DataFrame({"athlete_id": [athlete_id], "start": [pd.Timestamp(day)], "end": [pd.Timestamp(day)]})


def request_for(cohort: Cohort, athlete_id: str, as_of: pd.Timestamp) -> dict:
    """The POST /v1/risk body holding one athlete's log for the 366 days up to as_of."""
    earliest = as_of - pd.Timedelta(days=365)
    profile = cohort.profiles.set_index("athlete_id").loc[athlete_id]
    runs = cohort.runs[(cohort.runs["athlete_id"] == athlete_id) & cohort.runs["date"].between(earliest, as_of)]
    sets = cohort.strength[
        (cohort.strength["athlete_id"] == athlete_id) & cohort.strength["date"].between(earliest, as_of)
    ]
    injuries = cohort.injuries[(cohort.injuries["athlete_id"] == athlete_id) & (cohort.injuries["onset"] <= as_of)]

    def day(value: pd.Timestamp) -> str | None:
        return None if pd.isna(value) else str(value.date())

    def number(value: float) -> float | None:
        return None if pd.isna(value) else float(value)

    started = {} if pd.isna(profile.get("log_start", pd.NaT)) else {"log_start": day(profile["log_start"])}
    return {
        **started,
        "athlete": {
            "age": int(profile["age"]),
            "sex": profile["sex"],
            "years_running": float(profile["years_running"]),
            "body_mass_kg": number(profile["body_mass_kg"]),
            "height_cm": number(profile["height_cm"]),
        },
        "injuries": [
            {"kind": i.kind, "onset": day(i.onset), "resolved": day(i.resolved) if i.resolved <= as_of else None}
            for i in injuries.itertuples()
        ],
        "runs": [
            {
                "id": r.activity_id,
                "date": day(r.date),
                "km": r.km,
                "km_threshold": r.km_threshold,
                "km_interval": r.km_interval,
                "km_sprint": r.km_sprint,
                "duration_min": number(r.duration_min),
                "rpe": number(r.rpe),
            }
            for r in runs.itertuples()
        ],
        "strength_sessions": [
            {
                "id": activity,
                "date": day(group["date"].iloc[0]),
                "exercises": [
                    {
                        "exercise_id": s.exercise_id,
                        "sets": int(s.sets),
                        "reps": None if pd.isna(s.reps) else int(s.reps),
                        "load_kg": number(s.load_kg),
                    }
                    for s in group.itertuples()
                ],
            }
            for activity, group in sets.groupby("activity_id", sort=False)
        ],
        "as_of": str(as_of.date()),
    }


STEADY_LOG_AS_OF = dt.date(2026, 6, 30)


def steady_log(days: int = 60) -> dict[str, Any]:
    """A POST /v1/risk body: four runs a week with a weekly long run and a calf session, ending on STEADY_LOG_AS_OF."""
    runs = [
        {"id": f"r{i}", "date": str(STEADY_LOG_AS_OF - dt.timedelta(days=i)), "km": 8.0 if i % 7 else 14.0}
        for i in range(days)
        if i % 7 in (0, 2, 4, 5)
    ]
    strength = [
        {
            "id": f"s{i}",
            "date": str(STEADY_LOG_AS_OF - dt.timedelta(days=i)),
            "exercises": [{"exercise_id": "heavy_slow_calf_raise", "sets": 3, "reps": 12}],
        }
        for i in range(3, days, 7)
    ]
    return {
        "athlete": {"age": 41, "sex": "M", "years_running": 5, "body_mass_kg": 74, "height_cm": 180},
        "injuries": [],
        "runs": runs,
        "strength_sessions": strength,
        "as_of": str(STEADY_LOG_AS_OF),
    }


def small_input(trained: Trained, folder: Path, athletes: int = 6) -> tuple[Path, pd.Timestamp]:
    """The first ``athletes`` of the trained fixture's cohort written to ``folder``, and a day to score them on."""
    cohort = trained.simulation.cohort
    as_of = pd.Timestamp(trained.simulation.config.start_date) + pd.Timedelta(days=200)
    write_cohort(cohort.for_athletes(list(cohort.profiles["athlete_id"].iloc[:athletes])), folder)
    return folder, as_of


def gapped_day_file(athletes: int, days: int, injury_days: tuple[int, ...], seed: int = 5) -> pd.DataFrame:
    """A Lövdal day-approach file laid out as the real one around injuries: injury rows whose windows start on
    ``injury_days``, and no rows within 21 days of them."""
    frame = synthetic_day_file(athletes=athletes, days=days, seed=seed)
    frame = frame.assign(injury=frame["Date"].isin(injury_days).astype(int))
    near = np.zeros(len(frame), dtype=bool)
    for day in injury_days:
        near |= (frame["Date"] - day).abs().between(1, 21)
    return frame[~near].reset_index(drop=True)

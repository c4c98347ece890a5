"""Small builders of training logs for tests."""

from __future__ import annotations

import pandas as pd

from training.schema import Cohort


def cohort(
    runs: list[tuple[str, float]] | None = None,
    strength: list[tuple[str, str, int, int]] | None = None,
    injuries: list[tuple[str, str, str | None]] | None = None,
    athlete_id: str = "A1",
    sex: str = "F",
    years_running: float = 3.0,
) -> Cohort:
    """One athlete: runs as (date, km), strength as (date, exercise_id, sets, reps), injuries as (kind, onset, resolved)."""
    runs = runs or []
    strength = strength or []
    injuries = injuries or []
    return Cohort(
        profiles=pd.DataFrame(
            [{"athlete_id": athlete_id, "age": 35, "sex": sex, "years_running": years_running,
              "body_mass_kg": 60.0, "height_cm": 165.0}]
        ),
        runs=pd.DataFrame(
            [
                {"athlete_id": athlete_id, "activity_id": f"r{i}", "date": d, "km": km, "km_threshold": 0.0,
                 "km_interval": 0.0, "km_sprint": 0.0, "duration_min": None, "rpe": None}
                for i, (d, km) in enumerate(runs)
            ],
            columns=["athlete_id", "activity_id", "date", "km", "km_threshold", "km_interval", "km_sprint",
                     "duration_min", "rpe"],
        ),
        strength=pd.DataFrame(
            [
                {"athlete_id": athlete_id, "activity_id": f"s{d}", "date": d, "exercise_id": e, "sets": s, "reps": r,
                 "load_kg": None}
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

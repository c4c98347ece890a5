"""Activity files as batch input: ``activities/<athlete_id>/`` in the cohort folder holds each athlete's FIT, GPX,
TCX or CSV exports (archives too), read into runs and strength rows exactly as the upload endpoint reads them.

Profiles still come from the profiles table, which may add the athlete's reading fields of the API as columns
(``timezone``, ``max_hr_bpm``, ``threshold_hr_bpm``, ``threshold_pace_s_per_km``); without them the day is the file's
or UTC's and zones use a maximum heart rate estimated from age. A file that cannot be read is a rejected input row
(table ``activity_files``) with its reason, like any bad row; the same activity found in two files (a FIT and its
GPX export) is kept once.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from pydantic import ValidationError

from service.imports.detect import Limits
from service.imports.importer import read_upload
from service.imports.mapping import Reading
from service.imports.paths import activity_paths
from service.schemas.activities import RunActivity
from service.schemas.athletes import READING_FIELDS, AthleteReading
from training.domain.schema import RUN_COLUMNS, STRENGTH_COLUMNS

ACTIVITY_FOLDER = "activities"
READING_COLUMNS = list(READING_FIELDS)
REJECT_COLUMNS = ["table", "row", "athlete_id", "reason", "record"]


@dataclass(frozen=True)
class FileTables:
    runs: pd.DataFrame
    strength: pd.DataFrame
    refused: pd.DataFrame  # one row per file that stores nothing, in the rejects file's columns
    files_read: int


def read_activity_files(folder: Path, profiles: pd.DataFrame, limits: Limits, today: dt.date) -> FileTables:
    readings = _readings(profiles)
    runs: list[dict[str, object]] = []
    strength: list[dict[str, object]] = []
    refused: list[dict[str, object]] = []
    seen: set[tuple[str, str]] = set()
    files_read = 0
    for athlete_folder in sorted(p for p in (folder / ACTIVITY_FOLDER).iterdir() if p.is_dir()):
        athlete_id = athlete_folder.name
        reading = readings.get(athlete_id, Reading())
        for path in activity_paths([athlete_folder]):
            files_read += 1
            if isinstance(reading, str):
                refused.append(_refusal(len(refused), athlete_id, reading, str(path)))
                continue
            for read in read_upload(str(path), path.read_bytes()[: limits.file_bytes + 1], reading, limits, today):
                if read.refused is not None:
                    refused.append(_refusal(len(refused), athlete_id, read.refused.reason, read.name))
                    continue
                for mapped in read.mapped:
                    activity = mapped.activity
                    if activity is None or (athlete_id, mapped.id) in seen:
                        continue
                    seen.add((athlete_id, mapped.id))
                    key = {"athlete_id": athlete_id, "activity_id": mapped.id, "date": pd.Timestamp(activity.date)}
                    if isinstance(activity, RunActivity):
                        runs.append({**key, **activity.model_dump(include=set(RUN_COLUMNS))})
                    else:
                        strength += [{**key, **e.model_dump()} for e in activity.exercises]
    return FileTables(
        pd.DataFrame(runs, columns=RUN_COLUMNS),
        pd.DataFrame(strength, columns=STRENGTH_COLUMNS),
        pd.DataFrame(refused, columns=REJECT_COLUMNS),
        files_read,
    )


def _refusal(row: int, athlete_id: str, reason: str, path: str) -> dict[str, object]:
    return {"table": "activity_files", "row": row, "athlete_id": athlete_id, "reason": reason, "record": path}


def _readings(profiles: pd.DataFrame) -> dict[str, Reading | str]:
    """Per athlete, how their files are read, or why their reading columns cannot be used."""
    readings: dict[str, Reading | str] = {}
    for row in profiles.to_dict("records"):
        given = {c: row[c] for c in READING_COLUMNS if c in row and pd.notna(row[c]) and row[c] != ""}
        try:
            checked = AthleteReading.model_validate(given)
        except ValidationError as error:
            first = error.errors()[0]
            readings[str(row["athlete_id"])] = f"profile column {first['loc'][0]}: {first['msg']}"
            continue
        age = pd.to_numeric(pd.Series([row["age"]]), errors="coerce").iloc[0]
        readings[str(row["athlete_id"])] = Reading(
            checked.timezone,
            int(age) if pd.notna(age) else None,
            checked.max_hr_bpm,
            checked.threshold_hr_bpm,
            checked.threshold_pace_s_per_km,
        )
    return readings

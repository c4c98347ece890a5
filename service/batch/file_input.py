"""Activity files as batch input: ``activities/<athlete_id>/`` in the cohort folder holds each athlete's FIT, GPX,
TCX or CSV exports (archives too), read into runs and strength rows exactly as the upload endpoint reads them.

Profiles still come from the profiles table; zones use a maximum heart rate estimated from the profile's age. A file
that cannot be read is a rejected input row (table ``activity_files``) with its reason, like any bad row; the same
activity found in two files (a FIT and its GPX export) is kept once.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from service.imports.detect import Limits
from service.imports.importer import read_upload
from service.imports.mapping import Reading
from service.imports.paths import activity_paths
from service.schemas.activities import RunActivity
from training.domain.schema import RUN_COLUMNS, STRENGTH_COLUMNS

ACTIVITY_FOLDER = "activities"
REJECT_COLUMNS = ["table", "row", "athlete_id", "reason", "record"]


@dataclass(frozen=True)
class FileTables:
    runs: pd.DataFrame
    strength: pd.DataFrame
    refused: pd.DataFrame  # one row per file that stores nothing, in the rejects file's columns
    files_read: int


def read_activity_files(folder: Path, profiles: pd.DataFrame, limits: Limits, today: dt.date) -> FileTables:
    ages = dict(zip(profiles["athlete_id"].astype(str), pd.to_numeric(profiles["age"], errors="coerce"), strict=True))
    runs: list[dict[str, object]] = []
    strength: list[dict[str, object]] = []
    refused: list[dict[str, object]] = []
    seen: set[tuple[str, str]] = set()
    files_read = 0
    for athlete_folder in sorted(p for p in (folder / ACTIVITY_FOLDER).iterdir() if p.is_dir()):
        athlete_id = athlete_folder.name
        age = ages.get(athlete_id)
        reading = Reading(age=int(age) if age is not None and age == age else None)
        for path in activity_paths([athlete_folder]):
            files_read += 1
            for read in read_upload(str(path), path.read_bytes()[: limits.file_bytes + 1], reading, limits, today):
                if read.refused is not None:
                    row = {"row": len(refused), "athlete_id": athlete_id, "reason": read.refused.reason}
                    refused.append({"table": "activity_files", **row, "record": read.name})
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

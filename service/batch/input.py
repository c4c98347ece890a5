"""Reading the input of a batch run: a cohort folder whose rows are checked, not trusted.

The folder holds ``profiles`` and ``runs`` (required) and ``strength`` and ``injuries`` (optional; absent means none),
each as ``<table>.parquet``, ``<table>.csv`` or a ``<table>/`` folder of parquet or CSV parts (what Spark writes).
Runs and strength sessions may instead (or also) come from activity files under ``activities/<athlete_id>/``
(``batch.file_input``).
Columns are those of ``training/schema.py``. A value that is not a number or a date rejects its row instead of the
whole file, so one bad export line never stops a nightly run.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from service.batch.file_input import ACTIVITY_FOLDER, READING_COLUMNS, read_activity_files
from service.imports.detect import Limits
from training.domain.log_rules import reasons_for, rejected_rows, sound_cohort
from training.domain.schema import (
    INJURY_COLUMNS,
    OPTIONAL_COLUMNS,
    PROFILE_COLUMNS,
    RUN_COLUMNS,
    STRENGTH_COLUMNS,
    Cohort,
)

COLUMNS: dict[str, list[str]] = {
    "profiles": PROFILE_COLUMNS,
    "runs": RUN_COLUMNS,
    "strength": STRENGTH_COLUMNS,
    "injuries": INJURY_COLUMNS,
}
REQUIRED_TABLES = ("profiles", "runs")
_TEXT = {"athlete_id", "activity_id", "exercise_id", "kind", "sex"}
_REPEATED_TEXT = _TEXT - {"activity_id"}
_DATES = {"date", "onset", "resolved", "log_start"}


class BatchInputError(ValueError):
    """The input cannot be scored at all: missing folder, table or column, or nothing in it."""


@dataclass(frozen=True)
class CheckedInput:
    """The sound rows as a cohort, and every rejected row with its reason."""

    cohort: Cohort
    rejects: pd.DataFrame
    rows_read: int


@dataclass(frozen=True)
class ScorableInput:
    """The four tables as read, and the activity files that could not be read (rejects-file columns)."""

    tables: dict[str, pd.DataFrame]
    refused_files: pd.DataFrame | None = None
    files_read: int = 0


def read_checked(folder: Path, limits: Limits | None = None) -> CheckedInput:
    """Read, type and check the cohort folder; raise BatchInputError when nothing can be scored."""
    scorable = read_scorable(folder, limits)
    return checked_tables(scorable.tables, scorable.refused_files, scorable.files_read)


def read_scorable(folder: Path, limits: Limits | None = None) -> ScorableInput:
    """The folder's tables as read (``read_tables``), with the runs and strength sessions of its activity files (read
    within ``limits``); raise BatchInputError when they hold no athlete at all."""
    raw = read_tables(folder)
    if len(raw["profiles"]) == 0:
        raise BatchInputError(f"{folder}: the profiles table is empty, so there is no athlete to score")
    if not (folder / ACTIVITY_FOLDER).is_dir():
        return ScorableInput(raw)
    if limits is None:
        raise BatchInputError(f"{folder}: activity files need the import limits (settings) to be read")
    files = read_activity_files(folder, raw["profiles"], limits, dt.datetime.now(dt.UTC).date())
    for name, frame in (("runs", files.runs), ("strength", files.strength)):
        if len(frame):
            raw[name] = pd.concat([raw[name], frame], ignore_index=True) if len(raw[name]) else frame
    return ScorableInput(raw, files.refused, files.files_read)


def checked_tables(
    raw: dict[str, pd.DataFrame], refused_files: pd.DataFrame | None = None, files_read: int = 0
) -> CheckedInput:
    """Type and check the four tables (COLUMNS) by the API's rules, wherever they were read from."""
    rows_read = sum(len(frame) for frame in raw.values()) + files_read
    typed, parse_errors = {}, {}
    for name, frame in raw.items():
        typed[name], parse_errors[name] = _typed(frame, name)
    reasons = reasons_for(typed, parse_errors=parse_errors)
    rejects = rejected_rows(typed, reasons, raw)
    if refused_files is not None and len(refused_files):
        rejects = pd.concat([rejects, refused_files], ignore_index=True) if len(rejects) else refused_files
    return CheckedInput(sound_cohort(typed, reasons), rejects, rows_read)


def read_tables(folder: Path) -> dict[str, pd.DataFrame]:
    if not folder.is_dir():
        raise BatchInputError(f"{folder} is not a folder holding the tables {', '.join(COLUMNS)}")
    tables = {}
    for name, columns in COLUMNS.items():
        frame = _read_table(folder, name, columns + (READING_COLUMNS if name == "profiles" else []))
        if frame is None:
            if name in REQUIRED_TABLES and not (name == "runs" and (folder / ACTIVITY_FOLDER).is_dir()):
                raise BatchInputError(
                    f"{folder} has no {name}.parquet, {name}.csv or {name}/ folder"
                    + (f" (nor {ACTIVITY_FOLDER}/ of activity files)" if name == "runs" else "")
                )
            frame = pd.DataFrame(columns=columns)
        for optional in OPTIONAL_COLUMNS & set(columns) - set(frame.columns):
            frame = frame.assign(**{optional: pd.NaT})  # left out: the whole log is complete
        missing = [c for c in columns if c not in frame.columns]
        if missing:
            raise BatchInputError(f"{folder}: table {name} lacks the column(s) {', '.join(missing)}")
        # A frame just read is only reordered and renumbered when it needs to be: copying it costs a second per
        # million-row table.
        # Profiles keep the optional columns that say how the athlete's activity files are read.
        kept = columns + [c for c in READING_COLUMNS if c in frame.columns] if name == "profiles" else columns
        if list(frame.columns) != kept:
            frame = frame[kept]
        tables[name] = frame.set_axis(pd.RangeIndex(len(frame)), copy=False)
    return tables


def _read_table(folder: Path, name: str, columns: list[str]) -> pd.DataFrame | None:
    # CSV cells are read as text so that a malformed value rejects its row instead of failing the read.
    parquet, csv, parts = folder / f"{name}.parquet", folder / f"{name}.csv", folder / name
    if parquet.is_file():
        return _read_parquet(parquet, columns)
    if csv.is_file():
        return pd.read_csv(csv, dtype=str, keep_default_na=False, na_values=[""])
    if parts.is_dir():
        files = sorted(p for p in parts.rglob("*") if p.is_file() and not p.name.startswith(("_", ".")))
        if any(p.suffix == ".csv" for p in files):
            frames = [
                pd.read_csv(p, dtype=str, keep_default_na=False, na_values=[""]) for p in files if p.suffix == ".csv"
            ]
            return pd.concat(frames, ignore_index=True) if frames else None
        return _read_parquet(parts, columns) if files else None
    return None


def _read_parquet(path: Path, columns: list[str]) -> pd.DataFrame:
    """The table's ``columns`` that it has, in the dtypes ``pd.read_parquet`` gives them, text converted faster.

    ``pd.read_parquet`` looks for repeated texts in every text column and pandas then checks each string again. Ids
    repeat on every row of an athlete, so their columns keep that search; activity ids, nearly all distinct, skip it,
    as it would cost more than it saves; and the strings are handed to pandas without a second check.
    """
    table = pq.read_table(path)
    table = table.select([c for c in columns if c in table.column_names])
    # The dtypes pandas picks from the file's metadata (string or object for text), read off an empty table.
    dtypes = table.schema.empty_table().to_pandas().dtypes
    text = [f.name for f in table.schema if pa.types.is_string(f.type) or pa.types.is_large_string(f.type)]
    frame = table.drop_columns(text).to_pandas()
    for name in text:
        values = table.column(name).to_pandas(deduplicate_objects=name in _REPEATED_TEXT).to_numpy()
        frame.insert(table.column_names.index(name), name, pd.array(values, dtype=dtypes[name], copy=False))
    return frame


def _typed(frame: pd.DataFrame, name: str) -> tuple[pd.DataFrame, pd.Series]:
    """The table in schema dtypes, and per row the first value that could not be read ("" when none)."""
    typed = {}
    errors = pd.Series("", index=frame.index, dtype=object)
    readable = np.ones(len(frame), dtype=bool)  # no error yet: the first unreadable value of a row is reported
    for column in COLUMNS[name]:
        values = frame[column]
        if column in _TEXT:
            typed[column] = values.astype("string", copy=False)
            continue
        if column in _DATES:
            # Parquet dates are datetime64[ns] already: only their time of day is dropped, nothing can be unreadable.
            if values.dtype == "datetime64[ns]":
                typed[column] = values.dt.normalize()
                continue
            parsed = pd.to_datetime(values, errors="coerce", format="mixed").astype("datetime64[ns]")
            parsed = parsed.dt.normalize()
            what = "a date (YYYY-MM-DD)"
        else:
            if values.dtype == "float64":  # parquet numbers: nothing to parse
                typed[column] = values
                continue
            parsed = pd.to_numeric(values, errors="coerce").astype("float64")
            what = "a number"
        unreadable = values.notna().to_numpy() & parsed.isna().to_numpy() & readable
        if unreadable.any():
            readable &= ~unreadable
            errors[unreadable] = [f"{column} {v!r} is not {what}" for v in values[unreadable]]
        typed[column] = parsed
    # One frame built once; the checks only read it, so columns already in their dtype are not copied.
    return pd.DataFrame(typed, copy=False), errors

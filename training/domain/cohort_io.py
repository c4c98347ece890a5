"""Reading and writing a cohort folder: ``profiles``, ``runs``, ``strength`` and ``injuries`` as parquet or CSV."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from training.domain.schema import Cohort

TABLES = ("profiles", "runs", "strength", "injuries")


class CohortFormatError(ValueError):
    """A cohort folder is missing a table or a table is missing columns."""


def read_cohort(folder: Path) -> Cohort:
    """Read the four tables from ``folder`` (``<table>.parquet`` or ``<table>.csv``) in the schema's dtypes."""
    if not folder.is_dir():
        raise CohortFormatError(f"{folder} is not a folder holding {', '.join(TABLES)} tables")
    frames = {}
    for table in TABLES:
        parquet, csv = folder / f"{table}.parquet", folder / f"{table}.csv"
        if parquet.exists():
            frames[table] = pd.read_parquet(parquet)
        elif csv.exists():
            frames[table] = pd.read_csv(csv, dtype={"athlete_id": str, "activity_id": str})
        else:
            raise CohortFormatError(f"{folder} has no {table}.parquet or {table}.csv")
    try:
        return Cohort(**frames).normalised()
    except KeyError as error:
        raise CohortFormatError(f"{folder}: a table lacks the column(s) {error}") from error


def write_cohort(cohort: Cohort, folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for table, frame in zip(TABLES, cohort.tables(), strict=True):
        frame.to_parquet(folder / f"{table}.parquet", index=False)

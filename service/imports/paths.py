"""Activity files on disk (files and folders of exports) into one stored athlete's log, for the command line."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from pathlib import Path

from sqlalchemy.orm import Session

from service.imports.importer import import_files, limits_of
from service.imports.mapping import Reading
from service.repositories import athletes, keys
from service.schemas.imports import FileResult, ImportResult
from training.settings import Settings


class UnknownAthleteError(LookupError):
    """The tenant or the athlete named on the command line is not in the database."""


def activity_paths(paths: list[Path]) -> list[Path]:
    """The files named and every file under the folders named, hidden ones left out, in a stable order."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found += sorted(p for p in path.rglob("*") if p.is_file() and not p.name.startswith("."))
        else:
            found.append(path)
    return found


def import_paths(
    session: Session,
    tenant: str,
    athlete_external_id: str,
    files: list[Path],
    settings: Settings,
    done: Callable[[FileResult], None] | None = None,
) -> tuple[ImportResult, int]:
    """Import ``files`` for the athlete; the result and the HTTP status the API would have answered."""
    found = keys.find_tenant(session, tenant)
    if found is None:
        raise UnknownAthleteError(f"no tenant {tenant!r}")
    rows, _ = athletes.page(session, found.id, None, 1, athlete_external_id)
    if not rows:
        raise UnknownAthleteError(f"tenant {tenant!r} has no athlete with external id {athlete_external_id!r}")
    cap = limits_of(settings).file_bytes

    def contents() -> Iterator[tuple[str, bytes]]:
        for path in files:
            with path.open("rb") as stream:
                yield str(path), stream.read(cap + 1)  # one byte past the limit refuses the file

    today = dt.datetime.now(dt.UTC).date()
    return import_files(session, rows[0].id, Reading.of(rows[0]), contents(), settings, today, done)

"""CSV logs from spreadsheets and coach tools: one run per row, in the columns of the activity schema.

Required: ``date`` (YYYY-MM-DD) and ``km``; optional: ``id``, ``kind``, ``km_threshold``, ``km_interval``,
``km_sprint``, ``duration_min``, ``rpe``. Without an ``id`` a row is named by its date and its place among that
day's rows, so the same file uploaded again finds its rows. Rows of another kind are skipped; one bad row refuses
the file, naming the row.
"""

from __future__ import annotations

import csv
import io

from pydantic import ValidationError

from service.imports.mapping import Mapped
from service.imports.recording import RefusedFile
from service.schemas.activities import RunActivity

_NUMBERS = ("km", "km_threshold", "km_interval", "km_sprint", "duration_min", "rpe")
_KNOWN = {"id", "kind", "date", *_NUMBERS}
_SHOWN_ERRORS = 5


def read_csv(data: bytes) -> list[Mapped]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise RefusedFile(f"a CSV file that is not UTF-8 text: {error}") from None
    first = text.split("\n", 1)[0]
    reader = csv.DictReader(io.StringIO(text), delimiter=";" if first.count(";") > first.count(",") else ",")
    reader.fieldnames = [(name or "").strip().lower() for name in reader.fieldnames or []]
    unknown = [name for name in reader.fieldnames if name not in _KNOWN]
    if unknown:
        raise RefusedFile(f"CSV columns not in the activity schema: {', '.join(unknown)} (known: {', '.join(_KNOWN)})")
    mapped: list[Mapped] = []
    errors: list[str] = []
    per_day: dict[str, int] = {}
    for number, row in enumerate(reader, start=2):  # line 1 is the header
        cells = {key: (value or "").strip() for key, value in row.items() if key is not None}
        kind = cells.get("kind") or "run"
        date = cells.get("date", "")
        per_day[date] = per_day.get(date, 0) + 1
        activity_id = cells.get("id") or f"{kind}-{date}-{per_day[date]}"
        if kind != "run":
            mapped.append(Mapped(activity_id, kind, skipped=f"line {number}: a {kind} row; CSV rows are runs"))
            continue
        body = {"id": activity_id, "kind": "run", "date": date}
        body.update({name: cells[name] for name in _NUMBERS if cells.get(name)})
        try:
            mapped.append(Mapped(activity_id, "run", RunActivity.model_validate(body), notes=(f"line {number}",)))
        except ValidationError as error:
            first_error = error.errors()[0]
            where = ".".join(str(p) for p in first_error["loc"]) or "row"
            errors.append(f"line {number}: {where}: {first_error['msg']}")
    if errors:
        more = f" (and {len(errors) - _SHOWN_ERRORS} more)" if len(errors) > _SHOWN_ERRORS else ""
        raise RefusedFile("; ".join(errors[:_SHOWN_ERRORS]) + more)
    seen: set[str] = set()
    for item in mapped:
        if item.id in seen:
            raise RefusedFile(f"the id {item.id!r} appears on more than one row")
        seen.add(item.id)
    if not mapped:
        raise RefusedFile("a CSV file with a header and no rows")
    return mapped

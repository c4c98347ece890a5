"""/v1/athletes/{athlete_id}/activities:import: FIT, GPX, TCX and CSV files into the stored log."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Annotated, Any

from fastapi import APIRouter, File, UploadFile
from fastapi.responses import JSONResponse

from service.api.deps import AthleteDep, SessionDep, SettingsDep, Writer
from service.imports.importer import import_files, limits_of
from service.imports.mapping import Reading
from service.repositories import audit
from service.schemas.imports import IMPORT_RESPONSES, ImportResult

router = APIRouter(prefix="/v1/athletes/{athlete_id}", tags=["activities"])


@router.post(
    "/activities:import",
    response_model=ImportResult,
    responses=IMPORT_RESPONSES,
    summary="Store the runs and strength sessions of activity files (FIT, GPX, TCX, CSV; .gz and .zip opened); "
    "uploading a file again stores nothing new",
)
def import_activities(
    principal: Writer,
    athlete: AthleteDep,
    session: SessionDep,
    settings: SettingsDep,
    files: Annotated[
        list[UploadFile],
        File(description="One or more files; the format is told by content. Each file is stored whole or not at all."),
    ],
) -> Any:
    limits = limits_of(settings)
    if len(files) > limits.files:
        detail = [{"loc": ["body", "files"], "msg": f"{len(files)} files; at most {limits.files}", "type": "too_long"}]
        return JSONResponse({"detail": detail}, status_code=413)

    def uploads() -> Iterator[tuple[str, bytes]]:
        for upload in files:
            # One byte past the limit is enough to refuse the file; the rest is never read into memory.
            yield upload.filename or "upload", upload.file.read(limits.file_bytes + 1)

    today = dt.datetime.now(dt.UTC).date()
    result, status_code = import_files(session, athlete.id, Reading.of(athlete), uploads(), settings, today)
    if result.stored:
        audit.record(session, principal, "activity.import", athlete.id)
        session.commit()
    body = result.model_dump(mode="json")
    if status_code >= 400:
        body["detail"] = [
            {"loc": ["body", "files", i], "msg": f"{f.file}: {f.reason}", "type": "file_refused"}
            for i, f in enumerate(result.files)
            if f.status == "refused"
        ]
    return JSONResponse(body, status_code=status_code)

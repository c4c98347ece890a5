"""GET /v1/cohort/risk: the tenant's athletes by their latest assessed risk, for dashboards."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from service.api.deps import Reader, SessionDep
from service.api.paging import Cursor, Limit
from service.api.routes.athlete_risk import public as assessment_public
from service.pagination import encode_cursor, risk_cursor
from service.repositories import assessments, audit
from service.schemas.assessments import CohortEntry, CohortPublic
from training.domain.schema import Injury
from training.model.scoring import BAND_THRESHOLDS, Band

router = APIRouter(prefix="/v1/cohort", tags=["cohort"])

_BAND_START = dict(BAND_THRESHOLDS)


@router.get("/risk", response_model=CohortPublic, summary="Assessed athletes, highest relative risk first")
def list_cohort_risk(
    principal: Reader,
    session: SessionDep,
    injury: Annotated[Injury | None, Query(description="Sort by this injury; default the highest of the four.")] = None,
    min_band: Annotated[Band | None, Query(description="Only athletes at this band or above.")] = None,
    search: Annotated[
        str | None, Query(min_length=1, max_length=64, description="Only external ids containing this, in any case.")
    ] = None,
    limit: Limit = 100,
    cursor: Cursor = None,
) -> CohortPublic:
    assert principal.tenant_id is not None
    kind = injury.value if injury else None
    # A cursor belongs to one filter: the list it continues must be the same list.
    scope = f"cohort:{kind}:{min_band}" + (f":{search}" if search else "")
    after = None
    if cursor:
        after = risk_cursor(scope, cursor)
    threshold = _BAND_START[min_band] if min_band else None
    rows, total = assessments.cohort(session, principal.tenant_id, kind, threshold, after, limit, search)
    audit.record_read(session, principal, "cohort.read")
    next_cursor = None
    if len(rows) == limit:
        athlete, last = rows[-1]
        value = getattr(last, f"rr_{kind}" if kind else "rr_max")
        next_cursor = encode_cursor(scope, [-1.0 if value is None else value, athlete.id])
    data = [CohortEntry(athlete_id=a.id, external_id=a.external_id, assessment=assessment_public(r)) for a, r in rows]
    return CohortPublic(data=data, count=total, next_cursor=next_cursor)

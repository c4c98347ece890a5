"""Activities on SQLite and PostgreSQL: idempotent upserts, all-or-nothing bulks, the stateless API's rules."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from service.db.models import Activity
from service.repositories import activities
from service.schemas.activities import RunActivity
from tests.tenants import add_athlete, new_tenant

RUN = {"kind": "run", "date": "2026-10-20", "km": 8.0}
NORDICS = [{"exercise_id": "nordic_curl", "sets": 3, "reps": 6}]
STRENGTH = {"kind": "strength", "date": "2026-10-21", "exercises": NORDICS}


def stored_count(client: TestClient, athlete_id: str) -> int:
    with client.app.state.db.session() as session:  # type: ignore[attr-defined]  # app is typed as a bare ASGI app
        return session.scalar(select(func.count()).where(Activity.athlete_id == athlete_id)) or 0


def runs(count: int, start: dt.date = dt.date(2026, 1, 1)) -> list[dict[str, Any]]:
    return [
        {"id": f"r{i}", "kind": "run", "date": str(start + dt.timedelta(days=i % 300)), "km": 5.0} for i in range(count)
    ]


def test_putting_the_same_activity_twice_stores_one_row(service: TestClient):
    tenant = new_tenant(service)
    athlete_id = add_athlete(service, tenant)
    first = service.put(f"/v1/athletes/{athlete_id}/activities/r1", json=RUN, headers=tenant.platform)
    again = service.put(f"/v1/athletes/{athlete_id}/activities/r1", json=RUN, headers=tenant.platform)
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json() == again.json()  # same row, not even updated_at moved
    assert stored_count(service, athlete_id) == 1


def test_putting_a_changed_activity_updates_the_row_in_place(service: TestClient):
    tenant = new_tenant(service)
    athlete_id = add_athlete(service, tenant)
    service.put(f"/v1/athletes/{athlete_id}/activities/r1", json=RUN, headers=tenant.platform)
    changed = service.put(f"/v1/athletes/{athlete_id}/activities/r1", json={**RUN, "km": 9.5}, headers=tenant.platform)
    assert changed.status_code == 200 and changed.json()["km"] == 9.5
    assert stored_count(service, athlete_id) == 1


def test_strength_session_keeps_its_exercise_sets(service: TestClient):
    tenant = new_tenant(service)
    athlete_id = add_athlete(service, tenant)
    service.put(f"/v1/athletes/{athlete_id}/activities/s1", json=STRENGTH, headers=tenant.platform)
    listed = service.get(f"/v1/athletes/{athlete_id}/activities", headers=tenant.platform).json()["data"]
    assert listed[0]["kind"] == "strength"
    assert listed[0]["exercises"] == [{"exercise_id": "nordic_curl", "sets": 3, "reps": 6, "load_kg": None}]


@pytest.mark.parametrize(
    ("body", "field", "reason"),
    [
        ({**RUN, "km": 250}, ["body", "run", "km"], "less than or equal to 200"),
        ({**RUN, "km_sprint": 9}, ["body", "run"], "exceed km"),
        (
            {**STRENGTH, "exercises": [{"exercise_id": "bench_press", "sets": 3, "reps": 5}]},
            ["body", "strength", "exercises", 0, "exercise_id"],
            "unknown exercise id",
        ),
        ({**RUN, "kind": "swim"}, ["body"], "does not match any of the expected tags"),
        ({**RUN, "date": "2099-01-01"}, ["body", "date"], "in the future"),
        ({**RUN, "id": "other"}, ["body", "id"], "differs from the path"),
    ],
)
def test_bad_activity_is_422_naming_field_and_reason(service: TestClient, body, field, reason):
    tenant = new_tenant(service)
    athlete_id = add_athlete(service, tenant)
    response = service.put(f"/v1/athletes/{athlete_id}/activities/r1", json=body, headers=tenant.platform)
    assert response.status_code == 422, response.text
    assert any(d["loc"] == field and reason in d["msg"] for d in response.json()["detail"]), response.json()


def test_bulk_stores_all_and_resending_it_changes_nothing(service: TestClient):
    tenant = new_tenant(service)
    athlete_id = add_athlete(service, tenant)
    body = {"activities": runs(300) + [{"id": "s1", **STRENGTH}]}
    first = service.post(f"/v1/athletes/{athlete_id}/activities:bulk", json=body, headers=tenant.platform)
    assert first.json() == {"created": 301, "updated": 0, "unchanged": 0}
    again = service.post(f"/v1/athletes/{athlete_id}/activities:bulk", json=body, headers=tenant.platform)
    assert again.json() == {"created": 0, "updated": 0, "unchanged": 301}
    assert stored_count(service, athlete_id) == 301


def test_bulk_with_a_bad_row_stores_nothing_and_names_the_row(service: TestClient):
    tenant = new_tenant(service)
    athlete_id = add_athlete(service, tenant)
    rows = runs(1000)
    rows[637]["km"] = -1
    response = service.post(
        f"/v1/athletes/{athlete_id}/activities:bulk", json={"activities": rows}, headers=tenant.platform
    )
    assert response.status_code == 422
    assert [d["loc"] for d in response.json()["detail"]] == [["body", "activities", 637, "run", "km"]]
    assert stored_count(service, athlete_id) == 0


def test_bulk_with_a_repeated_id_names_both_rows(service: TestClient):
    tenant = new_tenant(service)
    athlete_id = add_athlete(service, tenant)
    rows = runs(10)
    rows[7]["id"] = "r2"
    response = service.post(
        f"/v1/athletes/{athlete_id}/activities:bulk", json={"activities": rows}, headers=tenant.platform
    )
    detail = response.json()["detail"]
    assert response.status_code == 422 and detail[0]["loc"] == ["body", "activities", 7, "id"]
    assert "row 2" in detail[0]["msg"]
    assert stored_count(service, athlete_id) == 0


def test_bulk_over_ten_thousand_is_refused(service: TestClient):
    tenant = new_tenant(service)
    athlete_id = add_athlete(service, tenant)
    rows = [{"id": f"r{i}", "kind": "run", "date": "2026-01-01", "km": 1.0} for i in range(10_001)]
    response = service.post(
        f"/v1/athletes/{athlete_id}/activities:bulk", json={"activities": rows}, headers=tenant.platform
    )
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "activities"]


def test_bulk_that_dies_halfway_in_the_database_leaves_no_row(service: TestClient):
    """The database itself refuses row 500 (a run of 0 km, built past validation): rows 0-499 must not remain."""
    tenant = new_tenant(service)
    athlete_id = add_athlete(service, tenant)
    items = [RunActivity(id=f"r{i}", kind="run", date=dt.date(2026, 1, 1), km=5.0) for i in range(1000)]
    items[500] = RunActivity.model_construct(
        id="bad",
        kind="run",
        date=dt.date(2026, 1, 1),
        km=0.0,
        km_threshold=0.0,
        km_interval=0.0,
        km_sprint=0.0,
        duration_min=None,
        rpe=None,
    )
    with service.app.state.db.session() as session:  # type: ignore[attr-defined]  # app is typed as a bare ASGI app
        from sqlalchemy.exc import IntegrityError

        with pytest.raises(IntegrityError):
            activities.bulk_upsert(session, athlete_id, items)
            session.commit()
    assert stored_count(service, athlete_id) == 0


def test_activities_list_by_date_range_and_cursor(service: TestClient):
    tenant = new_tenant(service)
    athlete_id = add_athlete(service, tenant)
    service.post(f"/v1/athletes/{athlete_id}/activities:bulk", json={"activities": runs(30)}, headers=tenant.platform)
    params: dict[str, Any] = {"from": "2026-01-05", "to": "2026-01-24", "limit": 7}
    dates: list[str] = []
    while True:
        page = service.get(f"/v1/athletes/{athlete_id}/activities", params=params, headers=tenant.platform).json()
        assert page["count"] == 20
        dates += [a["date"] for a in page["data"]]
        if page["next_cursor"] is None:
            break
        params["cursor"] = page["next_cursor"]
    assert dates == sorted(dates) and len(dates) == 20
    assert dates[0] == "2026-01-05" and dates[-1] == "2026-01-24"

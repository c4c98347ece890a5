"""POST /v1/athletes/{id}/activities:import on SQLite and PostgreSQL: stored once, refused whole, same risk as JSON."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.service.api.test_activities import stored_count
from tests.service.imports.activity_files import Segment, fit_file, gpx_file, plan, strength_set, tcx_file
from tests.service.imports.test_reading import BAD_FILES, START, WORKOUT, zipped
from tests.tenants import PROFILE, TenantKeys, add_athlete, new_tenant

# Past the service's default 25 MB per file once inflated, in a few kilobytes.
ZIP_BOMB = zipped({"run.fit": bytes(26_000_000)})


def athlete_with(client: TestClient, tenant: TenantKeys, external_id: str, **reading: Any) -> str:
    body = {"external_id": external_id, "profile": PROFILE, **reading}
    response = client.post("/v1/athletes", json=body, headers=tenant.platform)
    assert response.status_code == 201, response.text
    return response.json()["id"]


def upload(client: TestClient, tenant: TenantKeys, athlete_id: str, files: list[tuple[str, bytes]]) -> Any:
    parts = [("files", (name, data, "application/octet-stream")) for name, data in files]
    return client.post(f"/v1/athletes/{athlete_id}/activities:import", files=parts, headers=tenant.platform)


def test_uploading_a_file_stores_its_run_and_uploading_it_again_stores_nothing_new(service: TestClient):
    tenant = new_tenant(service)
    athlete_id = athlete_with(service, tenant, "a1", max_hr_bpm=190)
    fit = fit_file(plan(START, WORKOUT, laps=3), rpe=60)
    first = upload(service, tenant, athlete_id, [("monday.fit", fit)])
    assert first.status_code == 200, first.text
    answer = first.json()
    assert (answer["stored"], answer["files"][0]["status"]) == (1, "stored")
    run = answer["files"][0]["activities"][0]
    assert (run["outcome"], run["kind"], run["date"], run["duration_min"]) == ("created", "run", "2026-03-01", 40.0)
    again = upload(service, tenant, athlete_id, [("monday.fit", fit)]).json()
    assert again["already_stored"] == 1 and again["files"][0]["activities"][0]["outcome"] == "unchanged"
    # The same run exported as GPX and TCX is the same activity: found, not stored a second time.
    points = plan(START, WORKOUT)
    exports = upload(service, tenant, athlete_id, [("a.gpx", gpx_file(points)), ("a.tcx", tcx_file(points))])
    # Neither carries the RPE the FIT file stored, and neither blanks it.
    assert [f["status"] for f in exports.json()["files"]] == ["already_stored", "already_stored"]
    assert exports.json()["files"][0]["activities"][0]["rpe"] == 6.0
    assert stored_count(service, athlete_id) == 1
    listed = service.get(f"/v1/athletes/{athlete_id}/activities", headers=tenant.platform).json()["data"]
    assert listed[0]["km"] == run["km"] and listed[0]["km_threshold"] == run["km_threshold"] > 3.5


API_BAD_FILES = {
    **{
        case: BAD_FILES[case]
        for case in ("empty", "truncated FIT", "cycling FIT", "GPX without times", "unknown binary")
    },
    "zip bomb": (ZIP_BOMB, 413, "decompresses to more than the 25 MB limit"),
}


@pytest.mark.parametrize("case", list(API_BAD_FILES))
def test_bad_file_answers_4xx_with_its_reason_and_leaves_the_log_unchanged(service: TestClient, case: str):
    tenant = new_tenant(service)
    athlete_id = add_athlete(service, tenant)
    data, status, reason = API_BAD_FILES[case]
    response = upload(service, tenant, athlete_id, [("bad", data)])
    assert response.status_code == status, response.text
    detail = response.json()["detail"]
    assert detail[0]["loc"] == ["body", "files", 0] and reason in detail[0]["msg"], detail
    assert response.json()["files"][0]["status"] == "refused"
    assert stored_count(service, athlete_id) == 0


def test_multi_file_upload_stores_the_good_files_and_names_the_refused_one(service: TestClient):
    tenant = new_tenant(service)
    athlete_id = add_athlete(service, tenant)
    later = START + dt.timedelta(days=1)
    files = [
        ("a.fit", fit_file(plan(START, WORKOUT))),
        ("broken.fit", BAD_FILES["truncated FIT"][0]),
        ("b.gpx", gpx_file(plan(later, WORKOUT))),
    ]
    response = upload(service, tenant, athlete_id, files)
    assert response.status_code == 207, response.text
    answer = response.json()
    assert [f["status"] for f in answer["files"]] == ["stored", "refused", "stored"]
    assert "truncated" in answer["files"][1]["reason"]
    assert stored_count(service, athlete_id) == 2


def test_csv_with_one_bad_row_stores_none_of_its_rows(service: TestClient):
    tenant = new_tenant(service)
    athlete_id = add_athlete(service, tenant)
    response = upload(service, tenant, athlete_id, [("log.csv", b"date,km\n2026-03-01,10\n2026-03-02,250\n")])
    assert response.status_code == 422 and "line 3" in response.json()["detail"][0]["msg"]
    assert stored_count(service, athlete_id) == 0


def test_athlete_time_zone_decides_the_day_of_an_evening_run(service: TestClient):
    tenant = new_tenant(service)
    athlete_id = add_athlete(service, tenant, "tz")
    patched = service.patch(f"/v1/athletes/{athlete_id}", json={"timezone": "Asia/Tokyo"}, headers=tenant.platform)
    assert patched.status_code == 200 and patched.json()["timezone"] == "Asia/Tokyo"
    evening = plan(dt.datetime(2026, 3, 1, 20, 0, tzinfo=dt.UTC), [Segment(1800)])
    answer = upload(service, tenant, athlete_id, [("late.gpx", gpx_file(evening))]).json()
    assert answer["files"][0]["activities"][0]["date"] == "2026-03-02"
    bad = service.patch(f"/v1/athletes/{athlete_id}", json={"timezone": "Mars/Olympus"}, headers=tenant.platform)
    assert bad.status_code == 422 and bad.json()["detail"][0]["loc"] == ["body", "timezone"]


def year_of_runs(first: dt.date) -> list[tuple[list, float, float]]:
    """Every other day for a year: easy running with a block at threshold heart rate, longer at weekends."""
    runs = []
    for day in range(0, 365, 2):
        start = dt.datetime.combine(first + dt.timedelta(days=day), dt.time(6, 30), dt.UTC)
        easy_s = 1500 + 60 * (day % 14) + (1800 if (first + dt.timedelta(days=day)).weekday() >= 5 else 0)
        block_s = 600 if day % 6 == 0 else 0
        segments = [Segment(easy_s, 2.9, 138)] + ([Segment(block_s, 3.8, 172)] if block_s else [])
        runs.append(plan(start, segments, every_s=30))
    return runs


def json_run(points: list) -> dict[str, Any]:
    # What the import is expected to store, from the plan: FIT keeps distances in centimetres.
    cm = [round(p.metres * 100) / 100 for p in points]
    threshold = sum(b - a for a, b, p in zip(cm, cm[1:], points[1:], strict=False) if p.heart_rate == 172)
    return {
        "id": f"run-{points[0].time:%Y%m%dT%H%M%SZ}",
        "kind": "run",
        "date": str(points[0].time.date()),
        "km": round(cm[-1] / 1000, 3),
        "km_threshold": round(threshold / 1000, 3),
        "duration_min": round((points[-1].time - points[0].time).total_seconds() / 60, 2),
    }


@pytest.mark.slow
def test_a_year_of_fit_files_imports_in_one_call_and_scores_like_the_same_runs_posted_as_json(service: TestClient):
    tenant = new_tenant(service)
    imported = athlete_with(service, tenant, "imported", max_hr_bpm=190)
    posted = athlete_with(service, tenant, "posted", max_hr_bpm=190)
    runs = year_of_runs(dt.date(2025, 6, 1))
    files = [(f"{i:03d}.fit", fit_file(points)) for i, points in enumerate(runs)]
    first = upload(service, tenant, imported, files)
    assert first.status_code == 200 and first.json()["stored"] == len(runs), first.text[:500]
    again = upload(service, tenant, imported, files)
    assert again.json()["already_stored"] == len(runs)
    assert stored_count(service, imported) == len(runs)
    body = {"activities": [json_run(points) for points in runs]}
    response = service.post(f"/v1/athletes/{posted}/activities:bulk", json=body, headers=tenant.platform)
    assert response.json()["created"] == len(runs)
    as_of = {"as_of": str(runs[-1][0].time.date())}
    risks = [
        service.get(f"/v1/athletes/{a}/risk", params=as_of, headers=tenant.clinician).json() for a in (imported, posted)
    ]
    assert risks[0]["risks"] == risks[1]["risks"]
    assert risks[0]["load"] == risks[1]["load"]


def test_fit_strength_session_is_stored_with_its_catalogue_exercises(service: TestClient):
    tenant = new_tenant(service)
    athlete_id = add_athlete(service, tenant)
    sets = [strength_set("leg_curl", None, 6)] + [strength_set("calf_raise", "standing_calf_raise", 15, 20.0)] * 3
    data = fit_file(plan(START, [Segment(900, 0.0, 100)]), sport="training", sub_sport="strength_training", sets=sets)
    answer = upload(service, tenant, athlete_id, [("gym.fit", data)]).json()
    assert answer["files"][0]["activities"][0]["notes"][-1] == "left out, not in the catalogue: leg_curl"
    listed = service.get(f"/v1/athletes/{athlete_id}/activities", headers=tenant.platform).json()["data"]
    assert (listed[0]["kind"], listed[0]["exercises"]) == (
        "strength",
        [{"exercise_id": "straight_knee_calf_raise", "sets": 3, "reps": 15, "load_kg": 20.0}],
    )


def test_reading_fields_sent_as_null_are_cleared_and_left_out_ones_kept(service: TestClient):
    tenant = new_tenant(service)
    athlete_id = athlete_with(service, tenant, "r", timezone="Europe/Oslo", max_hr_bpm=188)
    kept = service.patch(f"/v1/athletes/{athlete_id}", json={"threshold_hr_bpm": 170}, headers=tenant.platform).json()
    assert (kept["timezone"], kept["max_hr_bpm"], kept["threshold_hr_bpm"]) == ("Europe/Oslo", 188, 170)
    cleared = service.patch(f"/v1/athletes/{athlete_id}", json={"timezone": None}, headers=tenant.platform).json()
    assert (cleared["timezone"], cleared["max_hr_bpm"]) == (None, 188)

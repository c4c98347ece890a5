"""Reading activity files, no database: formats agree, pauses, heart rate, time zones, strength sets, bad files."""

from __future__ import annotations

import datetime as dt
import gzip
import io
import zipfile

import pytest

from service.imports.detect import Limits
from service.imports.importer import ReadFile, read_one, read_upload
from service.imports.mapping import Reading
from tests.service.imports.activity_files import Segment, fit_file, gpx_file, plan, strength_set, tcx_file

TODAY = dt.date(2026, 12, 1)
START = dt.datetime(2026, 3, 1, 6, 0, tzinfo=dt.UTC)
READING = Reading(age=34, max_hr_bpm=190)
# 20 min easy, a 10-minute stop, 15 min at threshold heart rate, 5 min at interval heart rate; three laps.
WORKOUT = [Segment(1200, 3.0, 140), Segment(600, pause=True), Segment(900, 4.0, 172), Segment(300, 4.5, 181)]
LIMITS = Limits(file_bytes=200_000, archive_bytes=1_000_000, files=10)


def only_run(read: ReadFile):  # type: ignore[no-untyped-def]
    assert read.refused is None, read.refused.reason
    assert len(read.mapped) == 1 and read.mapped[0].activity is not None
    return read.mapped[0].activity


def test_the_same_run_as_fit_gpx_and_tcx_reads_to_the_same_run():
    points = plan(START, WORKOUT, laps=3)
    runs = [
        only_run(read_one(name, data, READING, TODAY))
        for name, data in [("a.fit", fit_file(points)), ("a.gpx", gpx_file(points)), ("a.tcx", tcx_file(points))]
    ]
    assert {(r.id, r.date, r.km, r.km_threshold, r.km_interval, r.duration_min) for r in runs} == {
        (runs[0].id, dt.date(2026, 3, 1), runs[0].km, runs[0].km_threshold, runs[0].km_interval, 40.0)
    }
    assert runs[0].km == pytest.approx(3.6 + 3.6 + 1.35, rel=0.005)


def test_pause_is_left_out_of_moving_time_and_zones_follow_heart_rate():
    run = only_run(read_one("a.fit", fit_file(plan(START, WORKOUT)), READING, TODAY))
    assert run.duration_min == 40.0  # 50 minutes on the clock, 10 of them standing
    assert run.km_threshold == pytest.approx(3.6, rel=0.005)  # 172 bpm is 91% of 190: zone 3-4
    assert run.km_interval == pytest.approx(1.35, rel=0.005)  # 181 bpm is 95%: zone 5
    assert run.km_sprint == 0.0


def test_multi_lap_run_is_one_activity_with_every_lap_counted():
    one_lap = only_run(read_one("a.tcx", tcx_file(plan(START, WORKOUT)), READING, TODAY))
    laps = read_one("b.tcx", tcx_file(plan(START, WORKOUT, laps=4)), READING, TODAY)
    assert only_run(laps).km == one_lap.km
    assert "4 laps" in laps.mapped[0].notes


def test_run_without_heart_rate_counts_as_easy_unless_a_threshold_pace_is_known():
    points = plan(START, [Segment(1200, 3.0, None), Segment(600, 4.4, None), Segment(60, 6.0, None)])
    easy = only_run(read_one("a.gpx", gpx_file(points), READING, TODAY))
    assert (easy.km_threshold, easy.km_interval, easy.km_sprint) == (0.0, 0.0, 0.0)
    paced = only_run(read_one("a.gpx", gpx_file(points), Reading(age=34, threshold_pace_s_per_km=240), TODAY))
    # Threshold speed 4.17 m/s: 4.4 m/s is 106% of it (interval), 6 m/s is 144% (sprinting).
    assert paced.km_interval == pytest.approx(2.64, rel=0.005)
    assert paced.km_sprint == pytest.approx(0.36, rel=0.005)
    assert paced.km_threshold == 0.0


def test_heart_rate_zones_come_from_age_when_the_athlete_gave_no_heart_rate():
    read = read_one("a.fit", fit_file(plan(START, WORKOUT)), Reading(age=34), TODAY)
    assert "maximum 184.2 bpm, estimated from age" in " ".join(read.mapped[0].notes)


@pytest.mark.parametrize(
    ("offset", "timezone", "day"),
    [
        (dt.timedelta(hours=2), None, dt.date(2026, 3, 2)),  # 23:30 UTC is 01:30 the next day two hours east
        (None, "Europe/Berlin", dt.date(2026, 3, 2)),
        (None, "America/New_York", dt.date(2026, 3, 1)),
        (None, None, dt.date(2026, 3, 1)),
        (dt.timedelta(hours=-5), "Europe/Berlin", dt.date(2026, 3, 1)),  # the file's own offset wins
    ],
)
def test_run_late_in_the_evening_lands_on_the_athletes_local_day(offset, timezone, day):
    points = plan(dt.datetime(2026, 3, 1, 23, 30, tzinfo=dt.UTC), [Segment(1800)])
    run = only_run(read_one("a.fit", fit_file(points, local_offset=offset), Reading(timezone=timezone), TODAY))
    assert run.date == day


def test_gpx_with_local_times_takes_its_day_from_their_offset():
    tokyo = dt.timezone(dt.timedelta(hours=9))
    points = plan(dt.datetime(2026, 3, 1, 16, 0, tzinfo=dt.UTC), [Segment(1800)])
    assert only_run(read_one("a.gpx", gpx_file(points, tz=tokyo), Reading(), TODAY)).date == dt.date(2026, 3, 2)


def test_fit_rpe_in_tenths_is_stored_on_the_zero_to_ten_scale():
    assert only_run(read_one("a.fit", fit_file(plan(START, WORKOUT), rpe=70), READING, TODAY)).rpe == 7.0


def test_fit_strength_session_maps_its_sets_to_catalogue_exercises():
    sets = [strength_set("squat", "barbell_back_squat", 8, 60.0)] * 3
    sets += [strength_set("calf_raise", "single_leg_bent_knee_calf_raise", 15)] * 2
    sets += [strength_set("bench_press", None, 10, 40.0)]
    data = fit_file(plan(START, [Segment(600, 0.0, 100)]), sport="training", sub_sport="strength_training", sets=sets)
    read = read_one("gym.fit", data, READING, TODAY)
    session = only_run(read)
    assert session.kind == "strength" and session.id == "strength-20260301T060000Z"
    assert [(e.exercise_id, e.sets, e.reps, e.load_kg) for e in session.exercises] == [
        ("back_squat", 3, 8, 60.0),
        ("bent_knee_calf_raise", 2, 15, None),
    ]
    assert "left out, not in the catalogue: bench_press" in read.mapped[0].notes


def test_strength_session_with_no_catalogue_exercise_is_refused_with_the_names():
    data = fit_file(
        plan(START, [Segment(600, 0.0, 100)]),
        sport="training",
        sub_sport="strength_training",
        sets=[strength_set("bench_press", None, 10, 40.0)],
    )
    read = read_one("gym.fit", data, READING, TODAY)
    assert read.refused is not None and "bench_press" in read.refused.reason


def test_csv_rows_become_runs_named_by_day_and_other_kinds_are_skipped():
    data = b"date,km,km_threshold,rpe,kind\n2026-03-01,10,2,6,run\n2026-03-01,5,,,run\n2026-03-02,40,,,ride\n"
    read = read_one("log.csv", data, READING, TODAY)
    assert read.format == "csv" and read.refused is None
    assert [m.id for m in read.mapped] == ["run-2026-03-01-1", "run-2026-03-01-2", "ride-2026-03-02-1"]
    assert read.mapped[0].activity is not None and read.mapped[0].activity.km_threshold == 2.0
    assert read.mapped[2].activity is None and "ride" in (read.mapped[2].skipped or "")


def zipped(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def test_gz_and_zip_are_opened_and_each_member_read_on_its_own():
    points = plan(START, WORKOUT)
    gz = read_upload("a.fit.gz", gzip.compress(fit_file(points)), READING, LIMITS, TODAY)
    assert [r.name for r in gz] == ["a.fit"] and only_run(gz[0]).km > 8
    archive = zipped({"run.gpx": gpx_file(points), "notes.txt": b"hello"})
    members = read_upload("export.zip", archive, READING, LIMITS, TODAY)
    assert [(r.name, r.refused is None) for r in members] == [
        ("export.zip/run.gpx", True),
        ("export.zip/notes.txt", False),
    ]


FIT = fit_file(plan(START, WORKOUT))
BAD_FILES = {
    "empty": (b"", 422, "empty"),
    "truncated FIT": (FIT[: len(FIT) // 2], 422, "truncated or corrupt"),
    "corrupt FIT": (FIT[:200] + bytes(b ^ 0xFF for b in FIT[200:220]) + FIT[220:], 422, "truncated or corrupt"),
    "cycling FIT": (fit_file(plan(START, [Segment(1800, 8.0)]), sport="cycling"), 422, "a cycling activity"),
    "course FIT": (fit_file(plan(START, WORKOUT), file_type="course"), 422, "not an activity"),
    "GPX without times": (gpx_file(plan(START, WORKOUT), timed=False), 422, "without timestamps"),
    "cycling GPX": (gpx_file(plan(START, WORKOUT), track_type="cycling"), 422, "a cycling activity"),
    "ride in a GPX without a sport": (gpx_file(plan(START, [Segment(1800, 8.0)]), track_type=None), 422, "not a run"),
    "truncated GPX": (gpx_file(plan(START, WORKOUT))[:3000], 422, "malformed or truncated XML"),
    "swimming TCX": (tcx_file(plan(START, WORKOUT), sport="Other"), 422, "a other activity"),
    "XML bomb": (
        b'<?xml version="1.0"?><!DOCTYPE gpx [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]>'
        b"<gpx>&b;</gpx>",
        422,
        "DTD or entities",
    ),
    "unknown XML": (b"<?xml version='1.0'?><kml></kml>", 415, "neither GPX nor TCX"),
    "unknown binary": (b"\x89PNG\r\n\x1a\n" + bytes(100), 415, "not a FIT, GPX, TCX or CSV"),
    "CSV with a bad row": (b"date,km\n2026-03-01,10\n2026-03-02,-4\n", 422, "line 3: km"),
    "CSV dated in the future": (b"date,km\n2099-03-01,10\n", 422, "in the future"),
    "oversized": (bytes(LIMITS.file_bytes + 1), 413, "larger than"),
    "gz bomb": (gzip.compress(bytes(50 * LIMITS.file_bytes)), 413, "decompresses to more than"),
    "zip bomb": (zipped({f"r{i}.fit": bytes(LIMITS.file_bytes) for i in range(8)}), 413, "decompresses to more than"),
    "nested zip": (zipped({"inner.zip": zipped({"a.fit": FIT})}), 422, "archive inside an archive"),
}


@pytest.mark.parametrize("case", list(BAD_FILES))
def test_bad_file_is_refused_with_its_reason_and_status(case):
    data, status, reason = BAD_FILES[case]
    reads = read_upload("upload", data, READING, LIMITS, TODAY)
    assert len(reads) == 1 and reads[0].refused is not None
    assert reads[0].refused.status == status and reason in reads[0].refused.reason, reads[0].refused.reason
    assert reads[0].mapped == []

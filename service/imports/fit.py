"""FIT activity files (watches, bike computers) read with Garmin's FIT SDK: one recording per session."""

from __future__ import annotations

import datetime as dt
import math
from typing import Any, cast

from garmin_fit_sdk import FIT_EPOCH_S, Decoder, Profile, Stream
from gpxpy.geo import distance

from service.imports.recording import Recording, RefusedFile, StrengthSet, Track

# A FIT position is in semicircles: 2^31 of them make 180 degrees.
_DEGREES_PER_SEMICIRCLE = 180 / 2**31
_STRENGTH_SPORTS = {"training", "fitness_equipment"}


def read_fit(data: bytes) -> list[Recording]:
    """The sessions of a FIT activity file; RefusedFile when it is truncated, corrupt or not an activity."""
    if not Decoder(Stream.from_byte_array(bytearray(data))).check_integrity():
        raise RefusedFile("a truncated or corrupt FIT file: its size or checksum does not match its header")
    # The checksum was just verified over the whole file, so the decoder need not do it again.
    decoded, errors = Decoder(Stream.from_byte_array(bytearray(data))).read(enable_crc_check=False)
    messages = cast(dict[str, list[dict[str, Any]]], decoded)
    if errors:
        raise RefusedFile(f"a FIT file that cannot be decoded: {errors[0]}")
    file_ids = messages.get("file_id_mesgs", [])
    kind = file_ids[0].get("type") if file_ids else None
    if kind != "activity":
        raise RefusedFile(f"a FIT {kind or 'untyped'} file, not an activity")
    offset = _local_offset(messages.get("activity_mesgs", []))
    records = messages.get("record_mesgs", [])
    sets = [_strength_set(m) for m in messages.get("set_mesgs", []) if m.get("set_type") == "active"]
    laps = messages.get("lap_mesgs", [])
    sessions = messages.get("session_mesgs", [])
    if not sessions:
        raise RefusedFile("a FIT activity without a session message: its sport is unknown")
    return [_recording(s, records, sets, laps, offset, len(sessions) == 1) for s in sessions]


def _recording(
    session: dict[str, Any],
    records: list[dict[str, Any]],
    sets: list[StrengthSet],
    laps: list[dict[str, Any]],
    offset: dt.timedelta | None,
    only: bool,
) -> Recording:
    start = session.get("start_time")
    end = session.get("timestamp")
    if not isinstance(start, dt.datetime):
        raise RefusedFile("a FIT session without a start time")

    def within(message: dict[str, Any], key: str) -> bool:
        moment = message.get(key)
        return only or (isinstance(end, dt.datetime) and isinstance(moment, dt.datetime) and start <= moment <= end)

    inside = [r for r in records if within(r, "timestamp")]
    sport = str(session.get("sport", "generic"))
    if sport == "running":
        sport = "run"
    elif sport in _STRENGTH_SPORTS and (sets or session.get("sub_sport") == "strength_training"):
        sport = "strength"
    own_laps = [lap for lap in laps if within(lap, "start_time")]
    rpe = session.get("workout_rpe")
    return Recording(
        sport=sport,
        start=start,
        utc_offset=offset,
        track=_track(inside) if inside else None,
        total_metres=session.get("total_distance"),
        # Devices store the rating of perceived exertion in tenths (10-100); the log keeps the 0-10 scale.
        rpe=None if rpe is None else (rpe / 10 if rpe > 10 else float(rpe)),
        sets=tuple(sets) if sport == "strength" else (),
        laps=max(len(own_laps), 1),
    )


def _track(records: list[dict[str, Any]]) -> Track:
    timed = [r for r in records if isinstance(r.get("timestamp"), dt.datetime)]
    seconds = [r["timestamp"].timestamp() for r in timed]
    heart_rate = [float(r.get("heart_rate", math.nan)) for r in timed]
    metres = [float(r.get("distance", math.nan)) for r in timed]
    if all(math.isnan(m) for m in metres):
        metres = _metres_from_positions(timed)
    return Track.of(seconds, metres, heart_rate)


def _metres_from_positions(records: list[dict[str, Any]]) -> list[float]:
    """Cumulative distance along the recorded positions, for files whose records carry no distance."""
    metres, total, previous = [], 0.0, None
    for record in records:
        lat, lon = record.get("position_lat"), record.get("position_long")
        if lat is None or lon is None:
            metres.append(math.nan if previous is None else total)
            continue
        here = (lat * _DEGREES_PER_SEMICIRCLE, lon * _DEGREES_PER_SEMICIRCLE)
        if previous is not None:
            total += distance(previous[0], previous[1], None, here[0], here[1], None)
        previous = here
        metres.append(total)
    return metres


def _local_offset(activities: list[dict[str, Any]]) -> dt.timedelta | None:
    """The device's local time minus UTC at the end of the activity, to the quarter hour (FIT activity message)."""
    for activity in activities:
        local, utc = activity.get("local_timestamp"), activity.get("timestamp")
        if isinstance(local, int) and isinstance(utc, dt.datetime):
            seconds = local + FIT_EPOCH_S - utc.timestamp()
            quarters = round(seconds / 900)
            if abs(quarters) <= 14 * 4:  # no zone on earth is further from UTC than 14 hours
                return dt.timedelta(minutes=15 * quarters)
    return None


def _strength_set(message: dict[str, Any]) -> StrengthSet:
    category = _first(message.get("category"))
    subtype = _first(message.get("category_subtype"))
    category_name = str(category) if category is not None else "unknown"
    names = Profile["types"].get(f"{category_name}_exercise_name", {})
    name = names.get(subtype) if isinstance(subtype, int) else (str(subtype) if subtype is not None else None)
    reps = message.get("repetitions")
    return StrengthSet(category_name, name, int(reps) if reps else None, message.get("weight"))


def _first(value: Any) -> Any:
    return value[0] if isinstance(value, list) and value else value

"""Activity files written by code for the tests: FIT with Garmin's SDK encoder, GPX with gpxpy, TCX with ElementTree.

A run is planned as segments (seconds at a speed and heart rate, or a pause with no samples, as a device's
auto-pause leaves); every format then carries the same samples, with distances measured the way gpxpy measures a
GPX track, as a watch adds up its GPS fixes.
"""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET
from dataclasses import dataclass

import gpxpy
import gpxpy.gpx
from garmin_fit_sdk import FIT_EPOCH_S, Encoder, Profile
from gpxpy.geo import distance

MESG = Profile["mesg_num"]
_SEMICIRCLES_PER_DEGREE = 2**31 / 180
_TPX = "http://www.garmin.com/xmlschemas/TrackPointExtension/v1"
_TCX = "http://www.garmin.com/xmlschemas/TrainingCenterDatabase/v2"
_METRES_PER_DEGREE_LAT = 111_195.0


@dataclass(frozen=True)
class Segment:
    seconds: int
    metres_per_s: float = 3.0
    heart_rate: int | None = 140
    pause: bool = False


@dataclass(frozen=True)
class Point:
    time: dt.datetime
    lat: float
    lon: float
    metres: float
    heart_rate: int | None
    lap: int


def plan(start: dt.datetime, segments: list[Segment], every_s: int = 10, laps: int = 1) -> list[Point]:
    """Samples every ``every_s`` seconds along a straight line north; a pause shifts later samples in time only."""
    points = [Point(start, 59.9, 10.7, 0.0, segments[0].heart_rate, 0)]
    clock, lat = start, 59.9
    for segment in segments:
        if segment.pause:
            # Auto-pause: no samples while standing, then one where the runner sets off again.
            clock += dt.timedelta(seconds=segment.seconds)
            last = points[-1]
            points.append(Point(clock, last.lat, last.lon, last.metres, last.heart_rate, 0))
            continue
        for _ in range(segment.seconds // every_s):
            clock += dt.timedelta(seconds=every_s)
            lat += segment.metres_per_s * every_s / _METRES_PER_DEGREE_LAT
            last = points[-1]
            metres = last.metres + distance(last.lat, last.lon, None, lat, 10.7, None)
            points.append(Point(clock, lat, 10.7, metres, segment.heart_rate, 0))
    size = -(-len(points) // laps)
    return [Point(p.time, p.lat, p.lon, p.metres, p.heart_rate, i // size) for i, p in enumerate(points)]


def fit_file(
    points: list[Point],
    sport: str = "running",
    sub_sport: str = "generic",
    local_offset: dt.timedelta | None = None,
    sets: list[dict] | None = None,
    rpe: int | None = None,
    file_type: str = "activity",
) -> bytes:
    start, end = points[0].time, points[-1].time
    encoder = Encoder()
    encoder.write_mesg(
        {
            "mesg_num": MESG["FILE_ID"],
            "type": file_type,
            "manufacturer": "development",
            "product": 1,
            "serial_number": 3_900_000_001,
            "time_created": start,
        }
    )
    encoder.write_mesg({"mesg_num": MESG["EVENT"], "timestamp": start, "event": "timer", "event_type": "start"})
    for point in points:
        record = {
            "mesg_num": MESG["RECORD"],
            "timestamp": point.time,
            "distance": point.metres,
            "position_lat": round(point.lat * _SEMICIRCLES_PER_DEGREE),
            "position_long": round(point.lon * _SEMICIRCLES_PER_DEGREE),
        }
        if point.heart_rate is not None:
            record["heart_rate"] = point.heart_rate
        encoder.write_mesg(record)
    for lap in sorted({p.lap for p in points}):
        own = [p for p in points if p.lap == lap]
        encoder.write_mesg(
            {
                "mesg_num": MESG["LAP"],
                "timestamp": own[-1].time,
                "start_time": own[0].time,
                "total_distance": own[-1].metres - own[0].metres,
                "total_elapsed_time": (own[-1].time - own[0].time).total_seconds(),
                "sport": sport,
            }
        )
    for strength_set in sets or []:
        encoder.write_mesg({"mesg_num": MESG["SET"], "timestamp": start, "start_time": start, **strength_set})
    session = {
        "mesg_num": MESG["SESSION"],
        "timestamp": end,
        "start_time": start,
        "sport": sport,
        "sub_sport": sub_sport,
        "total_distance": points[-1].metres,
        "total_elapsed_time": (end - start).total_seconds(),
        "total_timer_time": (end - start).total_seconds(),
    }
    if rpe is not None:
        session["workout_rpe"] = rpe
    encoder.write_mesg(session)
    activity = {"mesg_num": MESG["ACTIVITY"], "timestamp": end, "num_sessions": 1, "type": "manual"}
    if local_offset is not None:
        activity["local_timestamp"] = round(end.timestamp() + local_offset.total_seconds()) - FIT_EPOCH_S
    encoder.write_mesg(activity)
    return encoder.close()


def strength_set(category: str, name: str | None, reps: int, weight: float | None = None) -> dict:
    subtype = None
    if name is not None:
        names = Profile["types"][f"{category}_exercise_name"]
        subtype = next(number for number, known in names.items() if known == name)
    found = {"set_type": "active", "category": [category], "repetitions": reps, "duration": 40.0}
    if subtype is not None:
        found["category_subtype"] = [subtype]
    if weight is not None:
        found["weight"] = weight
    return found


def gpx_file(
    points: list[Point], track_type: str | None = "running", timed: bool = True, tz: dt.tzinfo | None = None
) -> bytes:
    document = gpxpy.gpx.GPX()
    document.nsmap["gpxtpx"] = _TPX
    track = gpxpy.gpx.GPXTrack()
    track.type = track_type
    document.tracks.append(track)
    segment = gpxpy.gpx.GPXTrackSegment()
    track.segments.append(segment)
    for point in points:
        when = (point.time.astimezone(tz) if tz else point.time) if timed else None
        sample = gpxpy.gpx.GPXTrackPoint(point.lat, point.lon, time=when)
        if point.heart_rate is not None:
            extension = ET.Element(f"{{{_TPX}}}TrackPointExtension")
            ET.SubElement(extension, f"{{{_TPX}}}hr").text = str(point.heart_rate)
            sample.extensions.append(extension)
        segment.points.append(sample)
    return document.to_xml().encode()


def tcx_file(points: list[Point], sport: str = "Running") -> bytes:
    ET.register_namespace("", _TCX)
    root = ET.Element(f"{{{_TCX}}}TrainingCenterDatabase")
    activities = ET.SubElement(root, f"{{{_TCX}}}Activities")
    activity = ET.SubElement(activities, f"{{{_TCX}}}Activity", Sport=sport)
    ET.SubElement(activity, f"{{{_TCX}}}Id").text = _iso(points[0].time)
    for lap in sorted({p.lap for p in points}):
        own = [p for p in points if p.lap == lap]
        element = ET.SubElement(activity, f"{{{_TCX}}}Lap", StartTime=_iso(own[0].time))
        before = points[points.index(own[0]) - 1].metres if lap else 0.0
        ET.SubElement(element, f"{{{_TCX}}}TotalTimeSeconds").text = str((own[-1].time - own[0].time).total_seconds())
        ET.SubElement(element, f"{{{_TCX}}}DistanceMeters").text = repr(own[-1].metres - before)
        track = ET.SubElement(element, f"{{{_TCX}}}Track")
        for point in own:
            sample = ET.SubElement(track, f"{{{_TCX}}}Trackpoint")
            ET.SubElement(sample, f"{{{_TCX}}}Time").text = _iso(point.time)
            position = ET.SubElement(sample, f"{{{_TCX}}}Position")
            ET.SubElement(position, f"{{{_TCX}}}LatitudeDegrees").text = repr(point.lat)
            ET.SubElement(position, f"{{{_TCX}}}LongitudeDegrees").text = repr(point.lon)
            ET.SubElement(sample, f"{{{_TCX}}}DistanceMeters").text = repr(point.metres)
            if point.heart_rate is not None:
                rate = ET.SubElement(sample, f"{{{_TCX}}}HeartRateBpm")
                ET.SubElement(rate, f"{{{_TCX}}}Value").text = str(point.heart_rate)
    return ET.tostring(root, xml_declaration=True, encoding="utf-8")


def _iso(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")

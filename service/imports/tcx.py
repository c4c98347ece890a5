"""TCX (Garmin Training Center) activities read from their XML, parsed safely: one recording per activity."""

from __future__ import annotations

import datetime as dt
import math
from xml.etree.ElementTree import Element

from gpxpy.geo import distance

from service.imports.detect import xml_root
from service.imports.recording import Recording, RefusedFile, Track, offset_of


def read_tcx(data: bytes) -> list[Recording]:
    root = xml_root(data)
    activities = [e for e in root.iter() if _name(e) == "Activity"]
    if not activities:
        raise RefusedFile("a TCX file without an activity")
    return [_recording(activity) for activity in activities]


def _recording(activity: Element) -> Recording:
    sport = (activity.get("Sport") or "").strip().lower()
    laps = _children(activity, "Lap")
    points = [p for lap in laps for p in lap.iter() if _name(p) == "Trackpoint"]
    seconds, metres, heart_rate, offsets = [], [], [], []
    for point in points:
        moment = _time(_text(point, "Time"))
        if moment is None:
            continue
        offsets.append(offset_of(moment))
        seconds.append(moment.timestamp())
        metres.append(_float(_text(point, "DistanceMeters")))
        heart_rate.append(_float(_text(_child(point, "HeartRateBpm"), "Value")))
    start = _time(_text(activity, "Id")) or (_time(laps[0].get("StartTime")) if laps else None)
    if start is None and seconds:
        start = dt.datetime.fromtimestamp(min(seconds), dt.UTC)
    if start is None:
        raise RefusedFile("a TCX activity without times: neither the day nor the duration can be read")
    if seconds and all(math.isnan(m) for m in metres):
        metres = _metres_from_positions(points)
    lap_metres = [_float(_text(lap, "DistanceMeters")) for lap in laps]
    return Recording(
        sport="run" if sport == "running" else sport or "unknown",
        start=start.astimezone(dt.UTC),
        utc_offset=offset_of(start) or next((o for o in offsets if o), None),
        track=Track.of(seconds, metres, heart_rate) if len(seconds) >= 2 else None,
        total_metres=sum(lap_metres) if lap_metres and not any(math.isnan(m) for m in lap_metres) else None,
        laps=max(len(laps), 1),
    )


def _metres_from_positions(points: list[Element]) -> list[float]:
    metres, total, previous = [], 0.0, None
    for point in points:
        if _time(_text(point, "Time")) is None:
            continue
        position = _child(point, "Position")
        lat, lon = _float(_text(position, "LatitudeDegrees")), _float(_text(position, "LongitudeDegrees"))
        if not math.isnan(lat) and not math.isnan(lon):
            if previous is not None:
                total += distance(previous[0], previous[1], None, lat, lon, None)
            previous = (lat, lon)
        metres.append(total if previous is not None else math.nan)
    return metres


def _name(element: Element) -> str:
    return element.tag.rsplit("}", 1)[-1]


def _children(element: Element, name: str) -> list[Element]:
    return [c for c in element if _name(c) == name]


def _child(element: Element | None, name: str) -> Element | None:
    if element is None:
        return None
    return next((c for c in element if _name(c) == name), None)


def _text(element: Element | None, name: str) -> str | None:
    child = _child(element, name)
    return child.text.strip() if child is not None and child.text else None


def _float(text: str | None) -> float:
    try:
        return float(text) if text else math.nan
    except ValueError:
        return math.nan


def _time(text: str | None) -> dt.datetime | None:
    if not text:
        return None
    try:
        moment = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)

"""GPX tracks (exports of most platforms) read with gpxpy: one recording per track that has timed points."""

from __future__ import annotations

import datetime as dt
import math
from xml.etree.ElementTree import Element

import gpxpy
import gpxpy.gpx

from service.imports.detect import xml_root
from service.imports.recording import Recording, RefusedFile, Track, offset_of

# Track types that name a run besides words with "run" in them (Strava's exports write 9 for a run).
_RUN_TYPES = {"9"}


def read_gpx(data: bytes) -> list[Recording]:
    xml_root(data)  # refuses DTDs and entities before gpxpy, whose parser would expand them, sees the text
    try:
        document = gpxpy.parse(data.decode("utf-8-sig"))
    except (gpxpy.gpx.GPXException, UnicodeDecodeError, ValueError) as error:
        raise RefusedFile(f"a GPX file that cannot be read: {error}") from None
    recordings = [r for r in (_recording(track) for track in document.tracks) if r is not None]
    if not recordings:
        untimed = any(p.time is None for t in document.tracks for s in t.segments for p in s.points)
        if untimed:
            raise RefusedFile("a GPX track without timestamps: neither the day nor the duration can be read")
        raise RefusedFile("a GPX file without a track of two or more points")
    return recordings


def _recording(track: gpxpy.gpx.GPXTrack) -> Recording | None:
    points = [p for s in track.segments for p in s.points if p.time is not None]
    if len(points) < 2:
        return None
    seconds, metres, heart_rate = [], [], []
    total, previous = 0.0, None
    for point in points:
        if previous is not None:
            total += point.distance_2d(previous) or 0.0
        previous = point
        assert point.time is not None
        moment = point.time if point.time.tzinfo else point.time.replace(tzinfo=dt.UTC)
        seconds.append(moment.timestamp())
        metres.append(total)
        heart_rate.append(_heart_rate(point.extensions))
    first = points[0].time
    assert first is not None
    kind = (track.type or "").strip().lower()
    sport = "run" if not kind or "run" in kind or kind in _RUN_TYPES else kind
    return Recording(
        sport=sport,
        start=(first if first.tzinfo else first.replace(tzinfo=dt.UTC)).astimezone(dt.UTC),
        utc_offset=offset_of(first) if first.tzinfo else None,
        track=Track.of(seconds, metres, heart_rate),
        laps=max(len(track.segments), 1),
    )


def _heart_rate(extensions: list[Element]) -> float:
    """The heart rate in a point's extensions (Garmin's TrackPointExtension ``hr``, or a plain ``heartrate``)."""
    for extension in extensions:
        for element in extension.iter():
            if element.tag.rsplit("}", 1)[-1].lower() in ("hr", "heartrate") and element.text:
                try:
                    return float(element.text)
                except ValueError:
                    return math.nan
    return math.nan

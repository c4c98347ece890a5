"""A run's moving distance and time, and its split into the model's intensity zones, from heart rate or pace.

Zones follow the Olympiatoppen intensity scale the Lövdal cohort's zones come from: zone 3-4 (``km_threshold``) is
82-92% of maximum heart rate, zone 5 (``km_interval``) above 92%. With a lactate-threshold heart rate (about 90% of
maximum) the same bands are 91-102% of it. Pace zones put threshold at 93-104% of threshold speed, interval above
104% and sprinting above 130% (Daniels' T, I and R paces, with sprinting faster than repetition pace). Heart rate
lags a sprint by seconds, so sprinting is only ever told from pace.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from service.imports.recording import Track

# Slower than this, a runner is standing or walking a break: not moving time (walking is about 1.4 m/s).
MOVING_M_PER_S = 1.0
_HR_MAX_BANDS = (0.82, 0.92)
_HR_THRESHOLD_BANDS = (0.91, 1.02)
_PACE_BANDS = (0.93, 1.04, 1.30)


@dataclass(frozen=True)
class Reference:
    """What zones are measured against; ``None`` where the athlete did not say."""

    max_hr_bpm: float | None = None
    threshold_hr_bpm: float | None = None
    threshold_pace_s_per_km: float | None = None
    max_hr_estimated: bool = False


@dataclass(frozen=True)
class Effort:
    moving_metres: float
    moving_seconds: float
    threshold_metres: float
    interval_metres: float
    sprint_metres: float
    basis: str  # how the zones were told, for the answer


def effort(track: Track, reference: Reference) -> Effort:
    seconds = np.diff(track.seconds)
    metres = np.nan_to_num(np.diff(track.metres), nan=0.0).clip(min=0.0)
    speed = np.divide(metres, seconds, out=np.zeros_like(metres), where=seconds > 0)
    moving = (seconds > 0) & (speed >= MOVING_M_PER_S)
    heart_rate = track.heart_rate[1:]  # a segment takes the heart rate its end sample shows
    threshold = np.zeros(len(metres), dtype=bool)
    interval = np.zeros(len(metres), dtype=bool)
    sprint = np.zeros(len(metres), dtype=bool)
    bases = []
    hr_known = np.isfinite(heart_rate)
    hr_bands = _hr_bands(reference)
    if hr_bands is not None and hr_known.any():
        low, high = hr_bands
        threshold |= hr_known & (heart_rate >= low) & (heart_rate < high)
        interval |= hr_known & (heart_rate >= high)
        bases.append(_hr_basis(reference))
    if reference.threshold_pace_s_per_km:
        speed_t = 1000 / reference.threshold_pace_s_per_km
        low, high, fastest = (band * speed_t for band in _PACE_BANDS)
        paced = ~hr_known if hr_bands is not None else np.ones(len(metres), dtype=bool)
        threshold |= paced & (speed >= low) & (speed < high)
        interval |= paced & (speed >= high) & (speed < fastest)
        sprint = speed >= fastest
        bases.append(f"pace (threshold {_pace(reference.threshold_pace_s_per_km)}/km)")
    threshold &= moving & ~sprint
    interval &= moving & ~sprint & ~threshold
    sprint &= moving
    return Effort(
        moving_metres=float(metres[moving].sum()),
        moving_seconds=float(seconds[moving].sum()),
        threshold_metres=float(metres[threshold].sum()),
        interval_metres=float(metres[interval].sum()),
        sprint_metres=float(metres[sprint].sum()),
        basis=" and ".join(bases) or "no heart rate or threshold pace known: all of it counted as easy",
    )


def _hr_bands(reference: Reference) -> tuple[float, float] | None:
    if reference.threshold_hr_bpm:
        return tuple(band * reference.threshold_hr_bpm for band in _HR_THRESHOLD_BANDS)  # type: ignore[return-value]
    if reference.max_hr_bpm:
        return tuple(band * reference.max_hr_bpm for band in _HR_MAX_BANDS)  # type: ignore[return-value]
    return None


def _hr_basis(reference: Reference) -> str:
    if reference.threshold_hr_bpm:
        return f"heart rate (threshold {reference.threshold_hr_bpm:g} bpm)"
    how = "estimated from age" if reference.max_hr_estimated else "the athlete's"
    return f"heart rate (maximum {reference.max_hr_bpm:g} bpm, {how})"


def _pace(seconds_per_km: float) -> str:
    minutes, seconds = divmod(round(seconds_per_km), 60)
    return f"{minutes}:{seconds:02d}"

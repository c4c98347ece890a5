"""Plain-language sentences for feature values, so a driver reads "your longest run ..." rather than a column name."""

from __future__ import annotations

from collections.abc import Callable

from training.domain.schema import INJURIES, INJURY_NAMES


def _km(v: float) -> str:
    return f"{v:.0f} km" if v >= 10 else f"{v:.1f} km"


def _pct(v: float) -> str:
    return f"{v * 100:.0f}%"


def _num(v: float) -> str:
    return f"{v:.1f}".rstrip("0").rstrip(".")


# Each phrase states the athlete's value; units follow the feature names of training/features.py.
_PHRASES: dict[str, Callable[[float], str]] = {
    "km_7d": lambda v: f"you ran {_km(v)} in the last 7 days",
    "km_28d": lambda v: f"you ran {_km(v)} in the last 28 days",
    "km_prev_7d": lambda v: f"you ran {_km(v)} in the week before last",
    "acwr_rolling": lambda v: f"this week's km are {_num(v)}x your 4-week weekly average",
    "acwr_ewma": lambda v: f"your recent load is {_num(v)}x your longer-term load (EWMA 7 vs 28 days)",
    "week_change_pct": lambda v: f"your weekly km {'rose' if v >= 0 else 'fell'} by {_pct(abs(v))} on the week before",
    "longest_run_7d_km": lambda v: f"your longest run this week was {_km(v)}",
    "longest_run_spike_pct": lambda v: (
        f"your longest run this week was {_pct(v)} longer than any in the previous 30 days"
        if v > 0
        else "no run this week was longer than your longest of the previous 30 days"
    ),
    "monotony_7d": lambda v: f"your training monotony this week is {_num(v)} (above 2 counts as high)",
    "strain_7d": lambda v: f"your weekly strain (km x monotony) is {_num(v)}",
    "days_since_rest": lambda v: f"you have run {v:.0f} days in a row",
    "runs_7d": lambda v: f"you ran {v:.0f} times in the last 7 days",
    "share_threshold_28d": lambda v: f"{_pct(v)} of your last 4 weeks' km were at threshold pace",
    "share_interval_28d": lambda v: f"{_pct(v)} of your last 4 weeks' km were at interval pace",
    "share_sprint_28d": lambda v: f"{_pct(v)} of your last 4 weeks' km were sprints",
    "km_speed_7d": lambda v: f"you ran {_km(v)} at interval or sprint pace this week",
    "srpe_7d": lambda v: f"your session-RPE load this week is {v:.0f} (RPE x minutes)",
    "strength_sessions_per_week": lambda v: f"you did {_num(v)} strength sessions a week over the last 4 weeks",
    "days_since_strength": lambda v: f"your last strength session was {v:.0f} days ago",
    "nordic_reps_per_week": lambda v: f"you did {v:.0f} eccentric hamstring (Nordic) reps a week",
    "calf_reps_per_week": lambda v: f"you did {v:.0f} calf and Achilles loading reps a week",
    "prior_injuries": lambda v: f"you have had {v:.0f} running injuries before",
    "days_since_return": lambda v: f"you came back from your last injury {v:.0f} days ago",
    "age": lambda v: f"you are {v:.0f}",
    "female": lambda v: (
        "women have a higher rate of this injury" if v >= 0.5 else "men have a lower rate of this injury"
    ),
    "years_running": lambda v: f"you have been running for {_num(v)} years",
    "novice": lambda v: "you have run for under a year (novice)" if v >= 0.5 else "you have run for over a year",
    "body_mass_kg": lambda v: f"your body mass is {v:.0f} kg",
    "bmi": lambda v: f"your BMI is {v:.1f}",
}


def _naming(template: str, name: str) -> Callable[[float], str]:
    """A phrase about one injury: ``template`` with ``{n}`` its name and ``{v}`` the value."""
    return lambda v: template.format(v=v, n=name)


for _kind in INJURIES:
    _name = INJURY_NAMES[_kind]
    _PHRASES[f"protective_reps_per_week_{_kind}"] = _naming(
        "you did {v:.0f} reps a week of exercises that protect against {n}", _name
    )
    _PHRASES[f"prior_{_kind}"] = _naming("you have had {n} {v:.0f} time(s) before", _name)
    _PHRASES[f"days_since_{_kind}"] = _naming("your last {n} began {v:.0f} days ago", _name)


def describe(feature: str, value: float | None, low: float | None, high: float | None, direction: str) -> str:
    """One sentence: the athlete's value, how it sits against the usual range, and which way it moves the risk."""
    if value is None:
        return f"{feature.replace('_', ' ')} is unknown; the model uses its learned default, which {direction} the risk"
    phrase = _PHRASES.get(feature, lambda v: f"{feature.replace('_', ' ')} is {_num(v)}")(value)
    if low is not None and high is not None and value > high:
        where = " (above the usual range)"
    elif low is not None and high is not None and value < low:
        where = " (below the usual range)"
    else:
        where = ""
    effect = "this raises your risk" if direction == "raises" else "this lowers your risk"
    return f"{phrase[0].upper()}{phrase[1:]}{where}; {effect}."

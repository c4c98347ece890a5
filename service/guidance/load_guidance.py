"""Load guidance: the next 7 days' km range and longest-run cap that keep every modelled risk under a target.

Candidate weeks (weekly km around the athlete's chronic load, with long runs around their recent longest) are appended
to the log and scored as copies of the athlete by the same feature code and model as every other path: with frames
(``service.guidance.planning.score_plan_tables``) or, for one athlete's log arrays, in one batch without them.
Nothing here recomputes a feature; the figures quoted in the reasoning are read from the scored feature row.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from service.guidance.planning import no_plan_rows, score_plan_tables
from training.athlete_features import LogDays, plan_features
from training.domain.athlete_log import RunArrays
from training.domain.schema import INJURIES, INJURY_NAMES, STRENGTH_COLUMNS, Cohort
from training.model.risk_model import InjuryRiskModel
from training.model.scoring import feature_matrix, relative_risk_arrays

GUIDANCE_DAYS = 7
# Weekly km as multiples of the chronic weekly km (28-day km / 4): from an easy week to a big build.
_WEEK_FACTORS = (0.5, 0.7, 0.85, 1.0, 1.1, 1.2, 1.3, 1.5, 1.75)
# For a runner with no recent running there is no chronic load to scale; plain weekly km are tried instead.
_FRESH_WEEKS_KM = (5.0, 10.0, 15.0, 20.0, 25.0)
# Longest run as multiples of the recent longest run; the 10-30%, 30-100% and >100% spike bands are all represented.
_LONG_FACTORS = (0.8, 1.0, 1.1, 1.3, 1.6, 2.1)
# A long run above this share of the week's km is not a plan anyone follows; it caps the long-run options.
_MAX_LONG_SHARE = 0.6
# Where a week without running already leaves an injury above the target (history, profile, a spike already run),
# no running plan can meet the target; running may then add at most this share to that injury's rest-week risk.
_ABOVE_TARGET_ALLOWANCE = 0.10
_REST = "rest"


@dataclass(frozen=True)
class LoadGuidance:
    """The safe range found (None where no checked plan stays under the target) and why."""

    days: int
    target_relative_risk: float
    km_low: float | None
    km_high: float | None
    longest_run_cap_km: float | None
    chronic_weekly_km: float
    longest_run_recent_km: float
    plans_checked: int
    reasoning: list[str]


def load_guidance(
    cohort: Cohort, athlete_id: str, as_of: pd.Timestamp, today: pd.Series, model: InjuryRiskModel, target: float
) -> LoadGuidance:
    """Guidance for the 7 days after ``as_of``; ``today`` is the athlete's scored feature row for ``as_of``.

    Candidate weeks are scored with frames (``score_plan_tables``); ``log_guidance`` is the same without frames.
    """
    week = CandidateWeeks.of(today, _longest_before(cohort, athlete_id, as_of))
    offsets, km = week.runs_km()
    rows = score_plan_tables(
        cohort,
        athlete_id,
        week.plan_names(),
        _week_plans(as_of, offsets, km),
        no_plan_rows(STRENGTH_COLUMNS),
        as_of + pd.Timedelta(days=1),
        as_of + pd.Timedelta(days=GUIDANCE_DAYS),
        model,
    )
    # Each plan's worst day of the week, per injury (NaN while injured: not judged).
    worst_day = rows.groupby("plan")[[f"relative_risk_{k}" for k in INJURIES]].max()
    return judge(week, today, worst_day.reindex(week.plan_names()).to_numpy(dtype="float64"), target)


def log_guidance(
    days: LogDays, as_of: int, today: Mapping[str, float], model: InjuryRiskModel, target: float
) -> LoadGuidance:
    """``load_guidance`` of one athlete's log arrays (``as_of`` a day number; ``days`` reaches ``as_of +
    GUIDANCE_DAYS``): the candidate weeks and the week of rest as one batch of copies through the same feature
    functions and the compiled trees, without frames."""
    runs = days.log.runs
    recent = runs.km[(runs.day >= as_of - 29) & (runs.day <= as_of)]
    week = CandidateWeeks.of(today, float(recent.max()) if len(recent) else 0.0)
    offsets, km = week.runs_km()
    plans = len(week.candidates) + 1  # the last copy rests
    keep = km.ravel() > 0
    day = np.tile(as_of + offsets, len(week.candidates))[keep]
    none = np.zeros(len(day))
    planned = RunArrays(day, km.ravel()[keep], none, none, none, none + np.nan, none + np.nan)
    plan = np.repeat(np.arange(len(week.candidates)), len(offsets))[keep]
    columns = plan_features(days, plans, planned, plan, as_of + 1, as_of + GUIDANCE_DAYS)
    risks = relative_risk_arrays(model, feature_matrix(model, columns), columns)
    worst_day = np.column_stack(
        [np.fmax.reduce(risks[f"relative_risk_{k}"].reshape(plans, GUIDANCE_DAYS), axis=1) for k in INJURIES]
    )
    return judge(week, today, worst_day, target)


@dataclass(frozen=True)
class CandidateWeeks:
    """The weeks checked: (weekly km, longest run) pairs of ``runs_per_week`` runs, around the athlete's load."""

    chronic: float
    recent_longest: float
    runs_per_week: int
    candidates: list[tuple[float, float]]

    @classmethod
    def of(cls, today: Mapping[str, Any], longest_before: float) -> CandidateWeeks:
        # A log known for fewer than 28 days has no chronic load: its known week stands in, else fresh weeks are tried.
        chronic = _known_or(float(today["km_28d"]) / 4.0, _known_or(float(today["km_7d"]), 0.0))
        recent_longest = max(_known_or(float(today["longest_run_7d_km"]), 0.0), longest_before)
        runs_7d = float(today["runs_7d"])
        runs_per_week = int(np.clip(round(runs_7d if runs_7d > 0 else 3.0), 2, 6))
        return cls(chronic, recent_longest, runs_per_week, _candidates(chronic, recent_longest, runs_per_week))

    def plan_names(self) -> list[str]:
        """Each candidate's position as text, then the week of rest every candidate is judged against."""
        return [str(i) for i in range(len(self.candidates))] + [_REST]

    def runs_km(self) -> tuple[np.ndarray, np.ndarray]:
        """Days after as_of that hold a run, and each candidate's km on them (candidates x days): the long run
        last, the others sharing the remaining km evenly (a run of 0 km is no run)."""
        offsets = np.unique(np.round(np.linspace(1, GUIDANCE_DAYS, self.runs_per_week)).astype(int))
        count = len(offsets)
        week = np.array([km for km, _ in self.candidates], dtype="float64")
        longest = np.array([long for _, long in self.candidates], dtype="float64")
        other = (week - longest) / max(count - 1, 1)
        km = np.repeat(other[:, None], count, axis=1)
        km[:, -1] = longest if count > 1 else week
        return offsets, km


def _known_or(value: float, missing: float) -> float:
    return missing if math.isnan(value) else value


def judge(week: CandidateWeeks, today: Mapping[str, Any], worst_day: np.ndarray, target: float) -> LoadGuidance:
    """The guidance from each plan's worst relative risk per injury (``plan_names`` rows x injuries)."""
    chronic, recent_longest, runs_per_week = week.chronic, week.recent_longest, week.runs_per_week
    rest = worst_day[-1]
    bar = np.maximum(target, rest * (1.0 + _ABOVE_TARGET_ALLOWANCE))
    judged = worst_day[:-1]
    km = np.array([k for k, _ in week.candidates], dtype="float64")
    longest = np.array([long for _, long in week.candidates], dtype="float64")
    with np.errstate(invalid="ignore"):
        worst = np.fmax.reduce(judged, axis=1)  # NaN only where every injury is unjudged
    passes = ((judged < bar) | np.isnan(judged)).all(axis=1)

    reasoning = [
        f"Your chronic load is {chronic:.0f} km a week (last 28 days / 4) and your longest run of the last 30 days "
        f"was {recent_longest:.0f} km.",
    ]
    spike = float(today["longest_run_spike_pct"])
    if spike > 0:
        reasoning.append(
            f"This week already holds a run {spike:.0%} longer than any of the 30 days before it; the model counts "
            "it for 7 days whatever you plan."
        )
    acwr = today.get("acwr_ewma")
    if acwr is not None and not math.isnan(float(acwr)) and float(acwr) > 1.5:
        reasoning.append(f"Your acute:chronic load ratio is {float(acwr):.2f}, above the 1.5 often quoted as risky.")
    reasoning.append(
        f"Checked {len(km)} weeks of {runs_per_week} runs with the model: {km.min():.0f}-"
        f"{km.max():.0f} km, longest run {longest.min():.0f}-{longest.max():.0f} km; "
        f"a plan passes when every injury's relative risk stays below {target:g}x on every day."
    )
    for kind, rest_rr in zip(INJURIES, rest, strict=True):
        if not np.isnan(rest_rr) and rest_rr * (1.0 + _ABOVE_TARGET_ALLOWANCE) > target:
            reasoning.append(
                f"{INJURY_NAMES[kind].capitalize()} is {rest_rr:.1f}x even in a week without running (history, "
                f"profile or a spike already run), so for it a plan passes when running adds at most "
                f"{_ABOVE_TARGET_ALLOWANCE:.0%} to that."
            )
    if not passes.any():
        # The order a sort of the table by its worst column gives (NaN last), so ties pick the same week.
        known = np.flatnonzero(~np.isnan(worst))
        order = np.concatenate([known[worst[known].argsort(kind="quicksort")], np.flatnonzero(np.isnan(worst))])
        best = order[0]
        reasoning.append(
            f"No checked week passes. The lowest-risk week checked was {km[best]:.0f} km with a longest run of "
            f"{longest[best]:.0f} km ({worst[best]:.1f}x on its worst injury and day); consider an easier week."
        )
        return LoadGuidance(GUIDANCE_DAYS, target, None, None, None, chronic, recent_longest, len(km), reasoning)
    low, high = km[passes].min(), km[passes].max()
    weeks = f"A week of {low:.0f} km" if round(low) == round(high) else f"Weeks of {low:.0f}-{high:.0f} km"
    reasoning.append(f"{weeks} with no run over {longest[passes].max():.0f} km passed.")
    return LoadGuidance(
        GUIDANCE_DAYS,
        target,
        float(low),
        float(high),
        float(longest[passes].max()),
        chronic,
        recent_longest,
        len(km),
        reasoning,
    )


def _longest_before(cohort: Cohort, athlete_id: str, as_of: pd.Timestamp) -> float:
    # Only chooses where to place candidate long runs; the model's spike feature still comes from features.py.
    runs = cohort.runs
    window = runs[(runs["athlete_id"] == athlete_id) & runs["date"].between(as_of - pd.Timedelta(days=29), as_of)]
    return float(window["km"].max()) if len(window) else 0.0


def _candidates(chronic: float, longest: float, runs: int) -> list[tuple[float, float]]:
    weeks = [round(chronic * f, 1) for f in _WEEK_FACTORS] if chronic > 0 else list(_FRESH_WEEKS_KM)
    out: list[tuple[float, float]] = []
    for km in weeks:
        even = km / runs
        options = {round(max(even, min(longest * f, km * _MAX_LONG_SHARE)), 1) for f in _LONG_FACTORS} | {
            round(even, 1)
        }
        out += [(km, option) for option in sorted(options) if option > 0]
    return out


def _week_plans(as_of: pd.Timestamp, offsets: np.ndarray, km: np.ndarray) -> pd.DataFrame:
    """Each candidate's runs (``CandidateWeeks.runs_km``) keyed by ``plan``, its position. One frame for all."""
    candidates, count = km.shape
    frame = pd.DataFrame(
        {
            "plan": np.repeat(np.arange(candidates).astype(str), count),
            "activity_id": np.tile([f"plan{i}" for i in range(count)], candidates),
            "date": np.tile((as_of + pd.to_timedelta(offsets, unit="D")).to_numpy(), candidates),
            "km": km.ravel(),
            "km_threshold": 0.0,
            "km_interval": 0.0,
            "km_sprint": 0.0,
            "duration_min": np.nan,
            "rpe": np.nan,
        }
    )
    return frame[frame["km"] > 0].reset_index(drop=True)

"""Recommendation rules as pure functions: safety (injury, prerequisites), starter doses, ranking and the budget."""

from __future__ import annotations

import datetime as dt

import pytest

from service.guidance.recommendations import (
    INJURED_TISSUE,
    AthleteState,
    StrengthBudget,
    StrengthPlan,
    recommend,
    weeks_meeting,
)
from training.domain.catalogue import default_catalogue
from training.domain.schema import INJURIES
from training.features import FEATURES

AS_OF = dt.date(2026, 6, 30)
ROOMY = StrengthBudget(sessions_per_week=3, minutes_per_session=120)


def twice_weekly_for(weeks: int) -> list[dt.date]:
    return [AS_OF - dt.timedelta(days=7 * w + d) for w in range(weeks) for d in (1, 4)]


def state(
    risks: dict[str, float | None] | None = None,
    injured: set[str] | None = None,
    strength_dates: list[dt.date] | None = None,
    **features: float,
) -> AthleteState:
    row = dict.fromkeys(FEATURES, 0.0)
    row.update(features)
    return AthleteState(
        relative_risks=risks if risks is not None else dict.fromkeys(INJURIES, 3.0),
        injured=frozenset(injured or set()),
        features=row,
        strength_session_dates=strength_dates or [],
        as_of=AS_OF,
    )


def plan_for(athlete: AthleteState, budget: StrengthBudget = ROOMY) -> StrengthPlan:
    return recommend(athlete, default_catalogue(), budget)


@pytest.mark.parametrize("injury", INJURIES)
def test_injured_athlete_gets_no_plyometrics_or_olympic_lifts_even_with_a_strength_base(injury: str):
    risks: dict[str, float | None] = {k: (None if k == injury else 5.0) for k in INJURIES}
    athlete = state(risks, {injury}, twice_weekly_for(10), strength_sessions_per_week=2.0)
    plan = plan_for(athlete)
    assert plan.prescriptions
    assert not [p.exercise.id for p in plan.prescriptions if p.exercise.is_ballistic]


@pytest.mark.parametrize("injury", INJURIES)
def test_injured_tissue_is_loaded_only_by_its_rehab_protocol(injury: str):
    risks: dict[str, float | None] = {k: (None if k == injury else 5.0) for k in INJURIES}
    plan = plan_for(state(risks, {injury}, strength_sessions_per_week=2.0))
    for p in plan.prescriptions:
        loads_tissue = bool(INJURED_TISSUE[injury] & set(p.exercise.regions))
        assert injury not in p.exercise.contraindications
        assert not loads_tissue or injury in p.exercise.rehab_for, p.exercise.id
    rehab = [p for p in plan.prescriptions if p.role == "rehab"]
    assert rehab and all(p.injury == injury and injury in p.exercise.rehab_for for p in rehab)


def test_injured_athlete_is_told_to_see_a_clinician_with_pain_monitored_return_to_run():
    plan = plan_for(state({"achilles": None, "pfps": 2.0, "mtss": 0.5, "hamstring": 0.5}, {"achilles"}))
    assert plan.see_clinician
    [guide] = plan.return_to_run
    assert guide.injury == "achilles"
    assert "5/10" in guide.rule and "next morning" in guide.rule and "Silbernagel" in guide.rule
    assert any("clinician" in step for step in guide.steps)


def test_healthy_athlete_gets_no_clinician_flag_or_return_to_run():
    plan = plan_for(state())
    assert not plan.see_clinician and not plan.return_to_run


def test_plyometrics_need_six_weeks_of_twice_weekly_strength_before_they_are_offered():
    novice_plan = plan_for(state({"achilles": 5.0, "mtss": 5.0, "pfps": 0.5, "hamstring": 0.5}))
    assert "pogo_jumps" not in {p.exercise.id for p in novice_plan.prescriptions}
    [reason] = [e.reason for e in novice_plan.excluded if e.exercise_id == "pogo_jumps" and e.injury == "achilles"]
    assert "6 weeks" in reason and "shows 0" in reason

    base = state(
        {"achilles": 5.0, "mtss": 5.0, "pfps": 0.5, "hamstring": 0.5},
        strength_dates=twice_weekly_for(6),
        strength_sessions_per_week=2.0,
    )
    assert not [e for e in plan_for(base).excluded if e.exercise_id == "pogo_jumps"]


def test_weeks_meeting_counts_consecutive_weeks_back_from_as_of():
    assert weeks_meeting(twice_weekly_for(6), AS_OF, 2.0) == 6
    assert weeks_meeting(twice_weekly_for(6), AS_OF, 3.0) == 0
    gap = [d for d in twice_weekly_for(8) if not AS_OF - dt.timedelta(days=27) <= d <= AS_OF - dt.timedelta(days=21)]
    assert weeks_meeting(gap, AS_OF, 2.0) == 3


def test_novice_gets_starter_doses_that_progress_to_the_target():
    plan = plan_for(state(strength_sessions_per_week=0.0))
    prevention = [p for p in plan.prescriptions if p.role == "prevention"]
    assert prevention
    for p in prevention:
        assert p.starter
        starter, target = p.exercise.starter_dosing, p.exercise.dosing
        assert (p.dose.sets, p.dose.reps, p.dose.hold_seconds, p.dose.load) == (
            starter.sets,
            starter.reps,
            starter.hold_seconds,
            starter.load,
        )
        last = p.progression[-1]
        assert last.last_week is None and last.first_week == p.exercise.progression_weeks + 1
        assert (last.dose.sets, last.dose.reps, last.dose.load) == (target.sets, target.reps, target.load)


def test_athlete_with_regular_strength_work_gets_the_target_dose():
    plan = plan_for(state(strength_sessions_per_week=2.0))
    for p in plan.prescriptions:
        assert not p.starter
        assert (p.dose.sets, p.dose.reps, p.dose.load) == (
            p.exercise.dosing.sets,
            p.exercise.dosing.reps,
            p.exercise.dosing.load,
        )


@pytest.mark.parametrize(("sessions", "minutes"), [(1, 10), (1, 20), (2, 15), (2, 40), (3, 60)])
def test_total_weekly_time_fits_the_budget(sessions: int, minutes: int):
    budget = StrengthBudget(sessions, minutes)
    plan = plan_for(state(strength_sessions_per_week=0.0), budget)
    assert plan.weekly_minutes == pytest.approx(sum(p.weekly_minutes for p in plan.prescriptions))
    assert plan.weekly_minutes <= budget.weekly_minutes + 1e-9
    assert all(p.dose.sessions_per_week <= sessions for p in plan.prescriptions)


def test_tight_budget_gives_each_raised_risk_its_first_exercise_before_seconds():
    plan = plan_for(state(strength_sessions_per_week=0.0), StrengthBudget(2, 20))
    assert {p.injury for p in plan.prescriptions} == set(INJURIES)
    assert any("budget" in e.reason for e in plan.excluded)


def test_exercise_already_done_at_full_dose_ranks_after_missing_work():
    hamstring_only = {"hamstring": 3.0, "pfps": 0.5, "mtss": 0.5, "achilles": 0.5}
    none_yet = plan_for(state(hamstring_only, strength_sessions_per_week=2.0))
    assert none_yet.prescriptions[0].exercise.id == "nordic_curl"  # the one prevention trial, and fully missing
    at_dose = plan_for(state(hamstring_only, strength_sessions_per_week=2.0, nordic_reps_per_week=60.0))
    ids = [p.exercise.id for p in at_dose.prescriptions]
    assert ids[0] != "nordic_curl"
    assert at_dose.prescriptions[0].current_weekly_reps == 0.0


def test_no_exercises_when_no_risk_is_raised():
    plan = plan_for(state(dict.fromkeys(INJURIES, 0.8)))
    assert plan.prescriptions == [] and plan.weekly_minutes == 0.0


def test_every_prescription_says_why_with_its_evidence():
    for p in plan_for(state()).prescriptions:
        assert "evidence:" in p.why and p.exercise.source in p.why

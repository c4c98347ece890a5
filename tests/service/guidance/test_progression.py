"""Dose progression: contiguous weeks from the starter to the target dose, within the sessions cap."""

from __future__ import annotations

from itertools import pairwise

import pytest

from service.guidance.progression import progression_steps
from training.domain.catalogue import default_catalogue


@pytest.mark.parametrize("exercise", default_catalogue().exercises, ids=lambda e: e.id)
def test_starter_programme_covers_every_week_up_to_the_target_dose(exercise):
    steps = progression_steps(exercise, starter=True)
    assert steps[0].first_week == 1 and steps[0].dose == exercise.starter_dosing
    for before, after in pairwise(steps):
        assert after.first_week == before.last_week + 1
    assert steps[-1].last_week is None and steps[-1].dose == exercise.dosing
    assert steps[-1].first_week == exercise.progression_weeks + 1


def test_trained_athlete_starts_at_the_target_dose():
    nordic = default_catalogue().get("nordic_curl")
    assert [s.dose for s in progression_steps(nordic, starter=False)] == [nordic.dosing]


def test_sessions_cap_limits_every_step_but_keeps_sets_and_reps():
    heel_drop = default_catalogue().get("eccentric_heel_drop")
    steps = progression_steps(heel_drop, starter=True, sessions_cap=2)
    assert all(s.dose.sessions_per_week == 2 for s in steps)
    assert (steps[-1].dose.sets, steps[-1].dose.reps) == (heel_drop.dosing.sets, heel_drop.dosing.reps)

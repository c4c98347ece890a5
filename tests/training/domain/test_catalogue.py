"""Behaviour of the exercise catalogue: the packaged file is complete and safe; bad files fail naming the exercise."""

from __future__ import annotations

from pathlib import Path
from typing import Any, get_args

import pytest
import yaml

from service.api.routes.risk import EXAMPLE
from service.api.routes.what_if import WHAT_IF_EXAMPLE
from service.guidance.recommendations import INJURED_TISSUE
from training.domain.catalogue import (
    Catalogue,
    CatalogueError,
    Exercise,
    Region,
    default_catalogue,
    load_catalogue,
)
from training.domain.schema import INJURIES, Injury

# The coaching article's catalogue plus the rehab exercises named in DOMAIN.md.
DOMAIN_EXERCISE_IDS = [
    "back_squat",
    "weighted_lunge",
    "straight_knee_calf_raise",
    "bent_knee_calf_raise",
    "leg_extension",
    "hip_adduction",
    "hip_abduction",
    "cable_chop",
    "back_extension",
    "deadlift",
    "romanian_deadlift",
    "nordic_curl",
    "hip_thrust",
    "mid_thigh_pull",
    "clean_high_pull",
    "jump_shrug",
    "pogo_jumps",
    "bounding",
    "box_jumps",
    "eccentric_heel_drop",
    "heavy_slow_calf_raise",
    "isometric_calf_hold",
    "isometric_wall_sit",
    "single_leg_step_down",
    "copenhagen_plank",
    "tibialis_raise",
    "single_leg_heel_raise_to_fatigue",
]
PLYOMETRIC_AND_OLYMPIC_IDS = ["pogo_jumps", "bounding", "box_jumps", "mid_thigh_pull", "clean_high_pull", "jump_shrug"]


def _entry(exercise_id: str = "test_squat", **overrides: Any) -> dict[str, Any]:
    dose = {"sets": 3, "reps": 10, "sessions_per_week": 2, "tempo": None, "load": "bodyweight", "minutes": 5}
    entry: dict[str, Any] = {
        "id": exercise_id,
        "name": exercise_id.replace("_", " "),
        "regions": ["quads"],
        "category": "strength",
        "protects": list(INJURIES),
        "dosing": dose,
        "starter_dosing": dict(dose, sets=2),
        "progression": "Add load weekly.",
        "progression_weeks": 6,
        "prerequisites": [],
        "contraindications": [],
        "contraindication_note": "None known.",
        "rehab_for": [],
        "evidence": "expert_opinion",
        "source": "expert opinion",
        "eccentric_hamstring": False,
        "calf_loading": False,
    }
    entry.update(overrides)
    return entry


def _write(tmp_path: Path, entries: list[dict[str, Any]]) -> Path:
    path = tmp_path / "exercises.yaml"
    path.write_text(yaml.safe_dump({"exercises": entries}, sort_keys=False), encoding="utf-8")
    return path


def _valid_entries() -> list[dict[str, Any]]:
    # Three entries protecting every injury: the smallest catalogue that passes the coverage rule.
    return [_entry(f"exercise_{n}") for n in range(3)]


def test_packaged_catalogue_loads_with_at_least_25_exercises() -> None:
    catalogue = load_catalogue()
    assert isinstance(catalogue, Catalogue)
    assert len(catalogue.exercises) >= 25


def test_default_catalogue_is_read_once() -> None:
    assert default_catalogue() is default_catalogue()


@pytest.mark.parametrize("injury", INJURIES)
def test_every_injury_has_at_least_three_protecting_exercises(injury: str) -> None:
    assert len(default_catalogue().protecting(injury)) >= 3


@pytest.mark.parametrize("injury", INJURIES)
def test_protecting_ids_are_the_ids_of_the_protecting_exercises(injury: str) -> None:
    catalogue = default_catalogue()
    assert catalogue.protecting_ids(injury) == {e.id for e in catalogue.protecting(injury)}


def test_every_domain_exercise_is_in_the_catalogue() -> None:
    missing = set(DOMAIN_EXERCISE_IDS) - default_catalogue().ids()
    assert not missing


@pytest.mark.parametrize("exercise_id", PLYOMETRIC_AND_OLYMPIC_IDS)
def test_plyometric_and_olympic_entries_require_six_weeks_of_twice_weekly_strength(exercise_id: str) -> None:
    prerequisites = default_catalogue().get(exercise_id).prerequisites
    assert any(p.kind == "strength_sessions_per_week" and p.min >= 2 and p.weeks >= 6 for p in prerequisites)


def test_pogo_jumps_are_not_prescribed_during_acute_achilles_shin_or_knee_injury() -> None:
    pogo = default_catalogue().get("pogo_jumps")
    assert {Injury.achilles, Injury.mtss, Injury.pfps} <= set(pogo.contraindications)
    assert not pogo.allowed_during("achilles")


def test_rehab_exercises_are_allowed_during_their_injury() -> None:
    catalogue = default_catalogue()
    for exercise_id, injury in [
        ("eccentric_heel_drop", "achilles"),
        ("isometric_calf_hold", "achilles"),
        ("isometric_wall_sit", "pfps"),
        ("single_leg_step_down", "pfps"),
    ]:
        exercise = catalogue.get(exercise_id)
        assert injury in exercise.rehab_for
        assert exercise.allowed_during(injury)


def test_nordic_curl_is_an_eccentric_hamstring_prevention_trial_exercise() -> None:
    nordic = default_catalogue().get("nordic_curl")
    assert nordic.eccentric_hamstring
    assert nordic.evidence == "prevention_trial"
    assert Injury.hamstring in nordic.contraindications


def test_every_packaged_dose_gives_exactly_one_of_reps_or_hold() -> None:
    for exercise in default_catalogue().exercises:
        for dose in (exercise.dosing, exercise.starter_dosing):
            assert (dose.reps is None) != (dose.hold_seconds is None), exercise.id


def test_get_unknown_exercise_raises_key_error_naming_it() -> None:
    with pytest.raises(KeyError, match="no_such_lift"):
        default_catalogue().get("no_such_lift")


def test_minimal_valid_file_loads(tmp_path: Path) -> None:
    catalogue = load_catalogue(_write(tmp_path, _valid_entries()))
    assert catalogue.ids() == {"exercise_0", "exercise_1", "exercise_2"}
    assert all(isinstance(e, Exercise) for e in catalogue.exercises)


def test_duplicate_id_raises_naming_the_exercise(tmp_path: Path) -> None:
    entries = _valid_entries() + [_entry("exercise_1")]
    with pytest.raises(CatalogueError, match="'exercise_1'.*more than once"):
        load_catalogue(_write(tmp_path, entries))


@pytest.mark.parametrize("field", ["protects", "contraindications", "rehab_for"])
def test_unknown_injury_raises_naming_the_exercise(tmp_path: Path, field: str) -> None:
    entries = _valid_entries() + [_entry("bad_injury_lift", **{field: ["shin_splints"]})]
    with pytest.raises(CatalogueError, match=f"'bad_injury_lift'.*{field}"):
        load_catalogue(_write(tmp_path, entries))


def test_both_reps_and_hold_seconds_raise_naming_the_exercise(tmp_path: Path) -> None:
    both = _entry("both_lift")
    both["dosing"] = dict(both["dosing"], hold_seconds=30)
    with pytest.raises(CatalogueError, match="'both_lift'.*exactly one of reps or hold_seconds"):
        load_catalogue(_write(tmp_path, _valid_entries() + [both]))


def test_neither_reps_nor_hold_seconds_raises_naming_the_exercise(tmp_path: Path) -> None:
    neither = _entry("neither_lift")
    neither["starter_dosing"] = {k: v for k, v in neither["starter_dosing"].items() if k != "reps"}
    with pytest.raises(CatalogueError, match="'neither_lift'.*starter_dosing.*exactly one"):
        load_catalogue(_write(tmp_path, _valid_entries() + [neither]))


def test_unknown_field_raises_naming_the_exercise(tmp_path: Path) -> None:
    entries = _valid_entries() + [_entry("typo_lift", contraindication=["achilles"])]
    with pytest.raises(CatalogueError, match="'typo_lift'.*contraindication.*not permitted"):
        load_catalogue(_write(tmp_path, entries))


def test_unknown_prerequisite_kind_raises_naming_the_exercise(tmp_path: Path) -> None:
    entry = _entry("odd_prereq", prerequisites=[{"kind": "years_running", "min": 2.0, "weeks": 6}])
    with pytest.raises(CatalogueError, match="'odd_prereq'.*prerequisites"):
        load_catalogue(_write(tmp_path, _valid_entries() + [entry]))


def test_injury_both_contraindicated_and_rehab_raises_naming_the_exercise(tmp_path: Path) -> None:
    entry = _entry("torn_lift", contraindications=["achilles"], rehab_for=["achilles"])
    with pytest.raises(CatalogueError, match="'torn_lift'.*achilles"):
        load_catalogue(_write(tmp_path, _valid_entries() + [entry]))


def test_injury_with_fewer_than_three_protecting_exercises_raises_naming_it(tmp_path: Path) -> None:
    entries = _valid_entries()
    entries[0]["protects"] = ["pfps", "mtss", "achilles"]
    with pytest.raises(CatalogueError, match="'hamstring'.*at least 3"):
        load_catalogue(_write(tmp_path, entries))


def test_file_without_exercises_key_raises(tmp_path: Path) -> None:
    path = tmp_path / "exercises.yaml"
    path.write_text("- id: lonely\n", encoding="utf-8")
    with pytest.raises(CatalogueError, match="'exercises'"):
        load_catalogue(path)


def test_plyometric_or_olympic_entry_without_a_prerequisite_raises_naming_it(tmp_path: Path) -> None:
    path = _write(tmp_path, [_entry("test_hops", category="plyometric")])
    with pytest.raises(CatalogueError, match="test_hops.*needs a strength prerequisite"):
        load_catalogue(path)


@pytest.mark.parametrize("exercise_id", PLYOMETRIC_AND_OLYMPIC_IDS)
def test_plyometric_and_olympic_entries_are_marked_ballistic(exercise_id: str) -> None:
    assert default_catalogue().get(exercise_id).is_ballistic


def test_every_exercise_id_in_the_api_examples_exists() -> None:
    sessions = [*EXAMPLE["strength_sessions"], *WHAT_IF_EXAMPLE["planned_strength_sessions"]]
    referenced = {e["exercise_id"] for s in sessions for e in s["exercises"]}
    assert referenced and referenced <= default_catalogue().ids()


def test_every_injured_tissue_region_is_a_catalogue_region() -> None:
    assert set(INJURED_TISSUE) == set(INJURIES)
    assert set().union(*INJURED_TISSUE.values()) <= set(get_args(Region))


def test_progression_weeks_follow_the_published_protocols() -> None:
    catalogue = default_catalogue()
    # van der Horst 2015: 13 weeks of Nordics; Beyer 2015 and Alfredson 1998: 12 weeks.
    assert catalogue.get("nordic_curl").progression_weeks == 13
    assert catalogue.get("heavy_slow_calf_raise").progression_weeks == 12
    assert catalogue.get("eccentric_heel_drop").progression_weeks == 12

"""FIT exercise categories and names (Garmin's profile) as ids of the exercise catalogue, where one fits."""

from __future__ import annotations

from service.imports.recording import StrengthSet

# Exact names first: they tell a bent-knee calf raise from a straight-knee one, or a Romanian deadlift from a
# conventional one. "weighted_" variants are looked up without the prefix.
_BY_NAME: dict[tuple[str, str], str] = {
    ("squat", "back_squats"): "back_squat",
    ("squat", "barbell_back_squat"): "back_squat",
    ("squat", "back_squat_with_body_bar"): "back_squat",
    ("squat", "body_weight_wall_squat"): "isometric_wall_sit",
    ("squat", "wall_squat"): "isometric_wall_sit",
    ("calf_raise", "seated_calf_raise"): "bent_knee_calf_raise",
    ("calf_raise", "single_leg_bent_knee_calf_raise"): "bent_knee_calf_raise",
    ("deadlift", "romanian_deadlift"): "romanian_deadlift",
    ("deadlift", "single_leg_romanian_deadlift_with_dumbbell"): "romanian_deadlift",
    ("deadlift", "single_leg_romanian_deadlift_circuit"): "romanian_deadlift",
    ("hip_stability", "standing_adduction"): "hip_adduction",
    ("hip_stability", "sliding_hip_adduction"): "hip_adduction",
    ("hip_stability", "standing_hip_abduction"): "hip_abduction",
    ("hip_stability", "standing_cable_hip_abduction"): "hip_abduction",
    ("hip_stability", "side_lying_leg_raise"): "side_lying_hip_abduction",
    ("hip_stability", "band_side_lying_leg_raise"): "side_lying_hip_abduction",
    ("olympic_lift", "barbell_high_pull"): "clean_high_pull",
    ("shrug", "barbell_jump_shrug"): "jump_shrug",
    ("shrug", "dumbbell_jump_shrug"): "jump_shrug",
    ("shrug", "wide_grip_jump_shrug"): "jump_shrug",
    ("plyo", "box_jump"): "box_jumps",
    ("plyo", "high_box_jump"): "box_jumps",
    ("banded_exercises", "calf_raises"): "straight_knee_calf_raise",
    ("banded_exercises", "leg_extension"): "leg_extension",
    ("core", "ghd_back_extensions"): "back_extension",
}
# A category whose every exercise loads the same regions as one catalogue entry.
_BY_CATEGORY: dict[str, str] = {
    "squat": "back_squat",
    "lunge": "weighted_lunge",
    "calf_raise": "straight_knee_calf_raise",
    "deadlift": "deadlift",
    "hip_raise": "hip_thrust",
    "hyperextension": "back_extension",
    "chop": "cable_chop",
}


def catalogue_id(strength_set: StrengthSet) -> str | None:
    """The catalogue id for a recorded set, or None when no catalogue exercise fits it."""
    if strength_set.name is not None:
        name = strength_set.name.removeprefix("weighted_")
        found = _BY_NAME.get((strength_set.category, name))
        if found is not None:
            return found
    return _BY_CATEGORY.get(strength_set.category)


def label(strength_set: StrengthSet) -> str:
    return f"{strength_set.category}/{strength_set.name}" if strength_set.name else strength_set.category

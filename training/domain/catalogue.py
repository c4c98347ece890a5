"""The exercise catalogue: strength, rehab and plyometric exercises, read from ``exercises.yaml`` and validated at load.

Every recommendation the product makes points at an entry here, so a bad entry must fail loudly at load, naming the
exercise, rather than surface later as a wrong prescription.
"""

from __future__ import annotations

import functools
from collections import Counter
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from training.domain.schema import Injury

PACKAGED_CATALOGUE = Path(__file__).parent / "exercises.yaml"

# Below three, an injury's advice would hinge on one or two exercises the athlete may not be able to do.
MIN_PROTECTING_PER_INJURY = 3

Region = Literal[
    "quads",
    "glutes",
    "hamstrings",
    "calves",
    "achilles",
    "hip_abductors",
    "hip_adductors",
    "core",
    "lower_back",
    "tibialis",
    "posterior_chain",
]
Evidence = Literal["prevention_trial", "treatment_trial", "expert_opinion"]
# Plyometrics and Olympic-lift derivatives are high-force, ballistic work: prescribed only on a strength base and never
# while a running injury is current.
Category = Literal["strength", "plyometric", "olympic_lift"]
BALLISTIC: frozenset[str] = frozenset({"plyometric", "olympic_lift"})


class CatalogueError(ValueError):
    """The catalogue file is malformed; the message names the exercise and the problem."""


class _Frozen(BaseModel):
    # Unknown fields are forbidden so a typo in the YAML ("contraindication" for "contraindications") fails loudly
    # instead of silently dropping a safety rule.
    model_config = ConfigDict(extra="forbid", frozen=True)


class Dosing(_Frozen):
    """One prescription: sets of reps (dynamic) or of holds (isometric), how often, how heavy and how long it takes."""

    sets: int = Field(ge=1)
    reps: int | None = Field(default=None, ge=1)
    hold_seconds: int | None = Field(default=None, ge=1)
    # Up to 14: twice-daily protocols such as Alfredson's heel drops.
    sessions_per_week: float = Field(gt=0, le=14)
    tempo: str | None
    load: str = Field(min_length=1)
    minutes: float = Field(gt=0)

    @model_validator(mode="after")
    def _reps_or_hold(self) -> Dosing:
        if (self.reps is None) == (self.hold_seconds is None):
            raise ValueError("give exactly one of reps or hold_seconds")
        return self

    @property
    def is_isometric(self) -> bool:
        return self.hold_seconds is not None


class Prerequisite(_Frozen):
    """A training history the athlete needs before the exercise is safe, e.g. 6 weeks of twice-weekly strength work."""

    kind: Literal["strength_sessions_per_week"]
    min: float = Field(gt=0)
    weeks: int = Field(ge=1)


class Exercise(_Frozen):
    """One catalogue entry: what it loads, what it protects, how to dose it, when not to do it, and how sure we are."""

    id: str = Field(pattern=r"^[a-z][a-z0-9]*(_[a-z0-9]+)*$")
    name: str = Field(min_length=1)
    regions: tuple[Region, ...] = Field(min_length=1)
    category: Category
    protects: tuple[Injury, ...]
    dosing: Dosing
    starter_dosing: Dosing
    progression: str = Field(min_length=1)
    progression_weeks: int = Field(ge=1, le=26, description="Weeks to build from starter_dosing to dosing.")
    prerequisites: tuple[Prerequisite, ...]
    contraindications: tuple[Injury, ...]
    contraindication_note: str = Field(min_length=1)
    rehab_for: tuple[Injury, ...]
    evidence: Evidence
    source: str = Field(min_length=1)
    eccentric_hamstring: bool
    calf_loading: bool

    @field_validator("regions", "protects", "contraindications", "rehab_for")
    @classmethod
    def _no_repeats(cls, values: tuple[Any, ...]) -> tuple[Any, ...]:
        repeated = sorted(str(v) for v, n in Counter(values).items() if n > 1)
        if repeated:
            raise ValueError(f"listed more than once: {', '.join(repeated)}")
        return values

    @model_validator(mode="after")
    def _consistent(self) -> Exercise:
        clash = set(self.contraindications) & set(self.rehab_for)
        if clash:
            names = ", ".join(sorted(i.value for i in clash))
            raise ValueError(f"both contraindicated and rehab for: {names}")
        # Starter and target are steps of one programme, so they measure the same thing.
        if self.dosing.is_isometric != self.starter_dosing.is_isometric:
            raise ValueError("dosing and starter_dosing must both use reps or both use hold_seconds")
        if self.is_ballistic and not self.prerequisites:
            raise ValueError(f"a {self.category} exercise needs a strength prerequisite")
        return self

    @property
    def is_ballistic(self) -> bool:
        return self.category in BALLISTIC

    def allowed_during(self, injury: Injury | str) -> bool:
        """Whether the exercise may be prescribed while the athlete has ``injury`` acutely."""
        return Injury(injury) not in self.contraindications


class Catalogue(_Frozen):
    """All exercises, with ids unique and every injury covered by enough protecting exercises."""

    exercises: tuple[Exercise, ...]

    @model_validator(mode="after")
    def _complete(self) -> Catalogue:
        duplicates = sorted(i for i, n in Counter(e.id for e in self.exercises).items() if n > 1)
        if duplicates:
            raise CatalogueError(f"exercise {duplicates[0]!r}: id is used more than once")
        for injury in Injury:
            protecting = [e.id for e in self.protecting(injury)]
            if len(protecting) < MIN_PROTECTING_PER_INJURY:
                raise CatalogueError(
                    f"injury {injury.value!r}: only {len(protecting)} protecting exercise(s) "
                    f"({', '.join(protecting) or 'none'}); need at least {MIN_PROTECTING_PER_INJURY}"
                )
        return self

    # Asked for every exercise of every request body: built once per catalogue, not once per call.
    @functools.cached_property
    def _by_id(self) -> dict[str, Exercise]:
        return {e.id: e for e in self.exercises}

    @functools.cached_property
    def _ids(self) -> frozenset[str]:
        return frozenset(self._by_id)

    def ids(self) -> frozenset[str]:
        return self._ids

    def get(self, exercise_id: str) -> Exercise:
        exercise = self._by_id.get(exercise_id)
        if exercise is None:
            raise KeyError(f"no exercise {exercise_id!r} in the catalogue")
        return exercise

    def protecting(self, injury: Injury | str) -> list[Exercise]:
        """Exercises that list ``injury`` in ``protects``, in catalogue order."""
        wanted = Injury(injury)
        return [e for e in self.exercises if wanted in e.protects]

    def protecting_ids(self, injury: Injury | str) -> frozenset[str]:
        """The ids of ``protecting(injury)``."""
        return self._protecting_ids[Injury(injury)]

    # Read for every answer's strength log: built once per catalogue, not once per call.
    @functools.cached_property
    def _protecting_ids(self) -> dict[Injury, frozenset[str]]:
        return {injury: frozenset(e.id for e in self.protecting(injury)) for injury in Injury}


def load_catalogue(path: Path | None = None) -> Catalogue:
    """Read and validate a catalogue file (the packaged ``exercises.yaml`` by default); raise ``CatalogueError``."""
    path = PACKAGED_CATALOGUE if path is None else path
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as error:
        raise CatalogueError(f"{path}: not valid YAML: {error}") from error
    if not isinstance(raw, dict) or set(raw) != {"exercises"} or not isinstance(raw["exercises"], list):
        raise CatalogueError(f"{path}: expected a mapping with a single key 'exercises' holding a list")

    # Validate entry by entry so each error can name the exercise it belongs to.
    exercises = [_exercise(entry, position) for position, entry in enumerate(raw["exercises"])]
    try:
        return Catalogue(exercises=tuple(exercises))
    except ValidationError as error:
        # Catalogue-level rules raise CatalogueError inside pydantic, which wraps it; unwrap to its own message.
        raise CatalogueError("; ".join(str(e.get("ctx", {}).get("error", e["msg"])) for e in error.errors())) from error


@functools.lru_cache(maxsize=1)
def default_catalogue() -> Catalogue:
    """The packaged catalogue, read once per process."""
    return load_catalogue()


def _exercise(entry: object, position: int) -> Exercise:
    label = entry.get("id") if isinstance(entry, dict) and entry.get("id") else f"#{position + 1}"
    try:
        return Exercise.model_validate(entry)
    except ValidationError as error:
        problems = "; ".join(f"{'.'.join(str(p) for p in e['loc']) or 'entry'}: {e['msg']}" for e in error.errors())
        raise CatalogueError(f"exercise {label!r}: {problems}") from error

"""Exercise recommendations: protective strength and tendon-loading work for the injuries with raised risk."""

from __future__ import annotations

from training.catalogue import Catalogue, Exercise
from training.schema import INJURY_NAMES

_EVIDENCE_RANK = {"prevention_trial": 0, "treatment_trial": 1, "expert_opinion": 2}
# Only injuries at least this far above their base rate get exercises; lower risks need no change of routine.
MIN_RELATIVE_RISK = 1.0
PER_INJURY = 3
# Strength sessions per week (28-day mean) below which a runner counts as new to strength work.
NOVICE_SESSIONS_PER_WEEK = 1.0


def _allowed(exercise: Exercise, injured: set[str], sessions_per_week: float) -> bool:
    if any(not exercise.allowed_during(kind) and kind not in exercise.rehab_for for kind in injured):
        return False
    # The 28-day mean stands in for the prerequisite's weeks of history, which a 28-day window cannot see whole.
    return all(sessions_per_week >= p.min for p in exercise.prerequisites)


def recommend(
    relative_risks: dict[str, float | None],
    injured: set[str],
    sessions_per_week: float,
    catalogue: Catalogue,
) -> list[tuple[str, Exercise, bool, str]]:
    """(injury, exercise, use the starter dose, why) for each raised risk, highest first, up to 3 per injury."""
    raised = sorted(
        ((rr, kind) for kind, rr in relative_risks.items() if rr is not None and rr >= MIN_RELATIVE_RISK),
        reverse=True,
    )
    starter = sessions_per_week < NOVICE_SESSIONS_PER_WEEK
    chosen: list[tuple[str, Exercise, bool, str]] = []
    used: set[str] = set()
    for rr, kind in raised:
        candidates = [
            e for e in catalogue.protecting(kind) if e.id not in used and _allowed(e, injured, sessions_per_week)
        ]
        candidates.sort(key=lambda e: _EVIDENCE_RANK[e.evidence])
        for exercise in candidates[:PER_INJURY]:
            used.add(exercise.id)
            why = f"{INJURY_NAMES[kind]} risk is {rr:.1f}x the population rate; this exercise loads the tissue at risk"
            chosen.append((kind, exercise, starter, why))
    return chosen

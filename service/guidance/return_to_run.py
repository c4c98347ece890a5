"""Return to running after one of the four injuries: pain-monitored steps instead of a running plan."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from training.domain.schema import INJURIES

PAIN_MONITORING_RULE = (
    "Pain up to 5/10 during running is acceptable if it has settled by the next morning and does not build from "
    "week to week; otherwise step back to the previous level (Silbernagel pain-monitoring model)."
)
_RETURN_STEPS = (
    "See a clinician to confirm the diagnosis and agree when you may load the tissue again.",
    "Do the rehab exercises listed for this injury, starting at the starter dose.",
    "Start with walk-run intervals on alternate days once walking and the rehab exercises stay within the pain rule.",
    "Add running time before speed: no intervals, sprints or hills until a week at your usual volume stays within "
    "the pain rule.",
)
_RETURN_TEST = {
    "pfps": "Before running: 10 single-leg step-downs from a 20 cm step with pain at most 2/10 (expert opinion).",
    "mtss": "Before running: 10 single-leg hops and brisk walking for 30 minutes without shin pain (expert opinion).",
    "hamstring": "Before running: a pain-free hamstring bridge hold and brisk walking; no sprinting until full "
    "strength (expert opinion).",
    "achilles": "Before running: 25 single-leg heel raises with pain at most 2/10 (Silbernagel, expert opinion).",
}


@dataclass(frozen=True)
class ReturnToRun:
    injury: str
    rule: str
    steps: tuple[str, ...]


def return_to_run(injured: Collection[str]) -> list[ReturnToRun]:
    """Guidance per current injury, in the product's injury order."""
    return [ReturnToRun(k, PAIN_MONITORING_RULE, (*_RETURN_STEPS, _RETURN_TEST[k])) for k in INJURIES if k in injured]

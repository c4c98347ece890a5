"""The monotone directions the trees must keep: what clinicians rely on, and what the literature supports."""

from __future__ import annotations

from training.features import FEATURES, STRENGTH_FEATURES

# Strength work is modelled as never raising risk: more protective volume or sessions, or a more recent session, can
# only lower it. Without this, trees fitted to few onsets picked up noise in which an added Nordic session raised the
# hamstring risk.
STRENGTH_MONOTONICITY: dict[str, int] = {
    **{f: -1 for f in STRENGTH_FEATURES if f != "days_since_strength"},
    "days_since_strength": 1,
}


def monotonicity(kind: str) -> dict[str, int]:
    """The directions clinicians rely on, per injury: strength work never raises a risk; a longer single run than
    the longest of the last 30 days never lowers one (Nielsen 2014, spikes above 10%); a prior injury of the same
    kind, and a more recent one, never lower the risk of that injury (Lagas 2020, Green 2020)."""
    directions = {
        **STRENGTH_MONOTONICITY,
        "longest_run_spike_pct": 1,
        f"prior_{kind}": 1,
        f"days_since_{kind}": -1,
    }
    # A kind with no history features of its own (the Lövdal file's "any" injury) keeps the other directions.
    return {name: sign for name, sign in directions.items() if name in FEATURES}

"""Plots of the simulator's weekly marginals next to the Lövdal cohort's, one PNG per measure, so a reader sees the
whole distribution where the table gives one figure (a median can match while the spread does not)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from training.lovdal.marginals import Weeks, measures_of

# The PNG files a comparison writes, in the order of the marginals' table.
PLOT_FILES = (
    "weekly_km.png",
    "sessions_per_week.png",
    "rest_days_per_week.png",
    "intensity_shares.png",
    "long_run_spikes.png",
    "injury_incidence.png",
)
_REAL, _SIMULATED = "real (Lövdal)", "simulated"
_COLOURS = {_REAL: "tab:blue", _SIMULATED: "tab:orange"}


def _pyplot() -> Any:
    # Imported here with a file-only backend: nothing at import time, and no display needed on servers or in CI.
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def marginal_plots(real: Weeks, simulated: Weeks, out: Path) -> list[Path]:
    """Write ``PLOT_FILES`` under ``out`` (created) and return their paths."""
    out.mkdir(parents=True, exist_ok=True)
    sides = {_REAL: real, _SIMULATED: simulated}
    drawers: list[Callable[[Any, dict[str, Weeks]], None]] = [
        _weekly_km,
        _counts("sessions", "sessions per week (runs and other sessions)", 14),
        _counts("rest_days", "rest days per week (no session at all)", 7),
        _intensity_shares,
        _share_bars(lambda w: float(w.spike.mean()), "share of weeks with a long-run spike (> 1.5 x the others' mean)"),
        _incidence,
    ]
    plt = _pyplot()
    paths = []
    for name, draw in zip(PLOT_FILES, drawers, strict=True):
        fig, ax = plt.subplots(figsize=(6, 4))
        draw(ax, sides)
        ax.legend(loc="best", fontsize=8)
        path = out / name
        fig.savefig(path, dpi=90, bbox_inches="tight")
        plt.close(fig)
        paths.append(path)
    return paths


def _weekly_km(ax: Any, sides: dict[str, Weeks]) -> None:
    """Densities of km per week, with each side's 10th, 50th and 90th percentiles as dashed lines."""
    top = max(float(np.percentile(w.km, 99)) for w in sides.values())
    bins = np.linspace(0.0, max(top, 1.0), 41)
    for label, weeks in sides.items():
        colour = _COLOURS[label]
        ax.hist(np.clip(weeks.km, 0, bins[-1]), bins=bins, density=True, alpha=0.45, color=colour, label=label)
        for q in np.percentile(weeks.km, [10, 50, 90]):
            ax.axvline(q, color=colour, linestyle="--", linewidth=1)
    ax.set(title="km per week (dashed: 10th, 50th, 90th percentiles)", xlabel="km per week", ylabel="density")


def _counts(field: str, title: str, cap: int) -> Callable[[Any, dict[str, Weeks]], None]:
    """Share of weeks with 0 .. ``cap`` (and more) of a count, the two sides as paired bars."""

    def draw(ax: Any, sides: dict[str, Weeks]) -> None:
        values = np.arange(cap + 1)
        for offset, (label, weeks) in zip((-0.2, 0.2), sides.items(), strict=True):
            counts = np.clip(np.rint(getattr(weeks, field)).astype(int), 0, cap)
            shares = np.bincount(counts, minlength=cap + 1) / max(len(counts), 1)
            mean = float(np.mean(getattr(weeks, field)))
            ax.bar(values + offset, shares, width=0.4, color=_COLOURS[label], label=f"{label}, mean {mean:.2f}")
        ax.set(title=title, xlabel=f"per week ({cap} includes more)", ylabel="share of weeks", xticks=values)

    return draw


def _intensity_shares(ax: Any, sides: dict[str, Weeks]) -> None:
    names = ("share_threshold_km", "share_interval_km")
    for offset, (label, weeks) in zip((-0.2, 0.2), sides.items(), strict=True):
        measures = measures_of(weeks)
        ax.bar(np.arange(2) + offset, [measures[n] for n in names], width=0.4, color=_COLOURS[label], label=label)
    ax.set(
        title="share of all km by intensity",
        xticks=np.arange(2),
        xticklabels=["threshold (zones 3-4)", "interval (zone 5 and sprints)"],
        ylabel="share of km",
    )


def _share_bars(value: Callable[[Weeks], float], title: str) -> Callable[[Any, dict[str, Weeks]], None]:
    def draw(ax: Any, sides: dict[str, Weeks]) -> None:
        for i, (label, weeks) in enumerate(sides.items()):
            ax.bar([i], [value(weeks)], width=0.6, color=_COLOURS[label], label=f"{label}: {value(weeks):.3f}")
        ax.set(title=title, xticks=range(len(sides)), xticklabels=list(sides), ylabel="share of weeks")

    return draw


def _incidence(ax: Any, sides: dict[str, Weeks]) -> None:
    """Log scale where both sides have onsets: they differ by more than an order of magnitude
    (docs/real_runners.md)."""
    rates = {label: weeks.injuries_per_1000h for label, weeks in sides.items()}
    for i, (label, rate) in enumerate(rates.items()):
        # A side without onsets (a small cohort) gets no bar: nothing to draw on a log scale.
        height = rate if rate > 0 else np.nan
        ax.bar([i], [height], width=0.6, color=_COLOURS[label], label=f"{label}: {rate:.2f}")
    if all(rate > 0 for rate in rates.values()):
        ax.set_yscale("log")
    ax.set(
        title="injury onsets per 1000 running hours (12 km/h assumed)",
        xticks=range(len(sides)),
        xticklabels=list(sides),
        ylabel="onsets per 1000 h",
    )

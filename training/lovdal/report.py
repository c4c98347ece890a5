"""`injury-risk train --dataset lovdal FILE`: the real-runner validation as an MLflow run, and its figures on the
served simulator model's own run (its model card's "real runners" section and ``real_*`` metrics, which
GET /v1/model shows)."""

from __future__ import annotations

import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import mlflow
import pandas as pd

from training.evaluation.model_card import real_runners_section, with_real_runners
from training.lovdal.importer import read_day_file
from training.lovdal.learners import LEARNERS, Learner
from training.lovdal.marginal_plots import marginal_plots
from training.lovdal.marginals import (
    COMPETITIVE,
    comparison,
    lovdal_weeks,
    measures_of,
    real_intervals,
    simulated_weeks,
)
from training.lovdal.validation import LovdalValidation, validate_lovdal
from training.model.registry import MODEL_CARD_ARTIFACT, ServedModel, has_model, load_served_model, use_tracking
from training.settings import Settings
from training.simulation.simulate import simulate

# On the served model's run: how it ranks real runners, and what the product's pipeline reaches when fitted to them.
_ON_SERVED_MODEL = (
    "transfer_paper_roc_auc",
    "transfer_all_roc_auc",
    "product_paper_roc_auc",
    "product_cv_roc_auc_mean",
)


# Where a comparison's table and plots go: a folder of the run's artifacts, or of the command's --out.
SIMULATOR_VS_REAL = "simulator_vs_real"
TABLE_FILE = "simulator_vs_real.md"


@dataclass(frozen=True)
class LovdalRun:
    validation: LovdalValidation
    run_id: str
    section: str
    transfer_version: str | None
    marginals: str


def run_lovdal(
    path: Path,
    settings: Settings,
    folds: int = 5,
    repeats: int = 3,
    replicates: int = 1000,
    command: str = "",
    simulated_athletes: int = 600,
    learners: Sequence[Learner] = LEARNERS,
) -> LovdalRun:
    """Validate on the file, log the run (experiment ``<experiment_name>-real-runners``) and annotate the served
    model's run when one is registered."""
    served: ServedModel | None = load_served_model(settings) if has_model(settings) else None
    validation = validate_lovdal(
        path, settings.seed, folds, repeats, replicates, served.model if served is not None else None, learners
    )
    data = {
        **validation.data,
        "replicates": replicates,
        "file": path.name,
        "transfer_model_version": served.version if served is not None else "none",
    }
    command = command or f"injury-risk train --dataset lovdal {path}"
    section = real_runners_section(validation.metrics, data, command)
    client = use_tracking(settings.model_copy(update={"experiment_name": f"{settings.experiment_name}-real-runners"}))
    with mlflow.start_run() as run, tempfile.TemporaryDirectory() as folder:
        marginals = compare_with_simulator(path, Path(folder), settings.seed, simulated_athletes)
        mlflow.log_params({**data, "seed": settings.seed})
        mlflow.log_metrics(validation.metrics)
        mlflow.log_text(section, "real_runners.md")
        mlflow.log_artifacts(folder, SIMULATOR_VS_REAL)
    if served is not None:
        for name in _ON_SERVED_MODEL:
            if name in validation.metrics:
                client.log_metric(served.run_id, f"real_{name}", validation.metrics[name])
        client.log_text(served.run_id, with_real_runners(served.model_card or "", section), MODEL_CARD_ARTIFACT)
    return LovdalRun(validation, run.info.run_id, section, served.version if served is not None else None, marginals)


def compare_with_simulator(path: Path, out: Path, seed: int, athletes: int = 600) -> str:
    """Simulate the competitive profile, and write to ``out`` its weekly marginals next to the file's: the table
    (``simulator_vs_real.md``, also returned) and one plot per measure (``marginal_plots.PLOT_FILES``)."""
    simulation = simulate(COMPETITIVE.model_copy(update={"athletes": athletes, "seed": seed}))
    frame = read_day_file(path)
    real, simulated = lovdal_weeks(frame), simulated_weeks(simulation)
    table = comparison(measures_of(real), measures_of(simulated)).join(real_intervals(frame, seed=seed), on="measure")
    text = marginals_table(table, athletes, simulation.config.days)
    out.mkdir(parents=True, exist_ok=True)
    (out / TABLE_FILE).write_text(text, encoding="utf-8")
    marginal_plots(real, simulated, out)
    return text


def marginals_table(table: pd.DataFrame, athletes: int, days: int) -> str:
    """Markdown of a ``marginals.comparison`` table with the real values' athlete-resampled ``low`` and ``high``."""
    lines = [
        f"## Simulator (competitive profile, {athletes} athletes x {days} days) vs real runners",
        "",
        "| measure | real (95% over resampled athletes) | simulated | tolerance | within |",
        "|---|---|---|---|---|",
        *[
            f"| {r.measure} | {r.real:.3g} ({r.low:.3g} to {r.high:.3g}) | {r.simulated:.3g} | {r.tolerance} "
            f"| {'yes' if r.within else 'NO'} |"
            for r in table.itertuples()
        ],
        "",
        "Why each tolerance: " + "; ".join(f"{r.measure}: {r.reason}" for r in table.itertuples()) + ".",
    ]
    return "\n".join(lines) + "\n"

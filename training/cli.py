"""Training commands: simulate a cohort, train and register a model, run the promotion gate, import public data.

Each command imports the code it runs when it runs: importing every command's modules up front (mlflow, sklearn,
numba, the app, the batch engines) makes even ``injury-risk --help`` take several times longer.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from training.domain.schema import INJURIES
from training.settings import get_settings

if TYPE_CHECKING:
    from training.fitting.chunks import CohortSource
    from training.fitting.train import TrainingConfig
    from training.simulation.simulate import Simulation

app = typer.Typer(help="Runner injury-risk: simulate a cohort, train and register a model, serve it, score in batch.")


@app.command()
def simulate(
    out: Annotated[Path, typer.Option(help="Folder the cohort and oracle tables are written to.")] = Path(
        "data/cohort"
    ),
    athletes: Annotated[int, typer.Option(min=1, help="Number of athletes.")] = 10000,
    days: Annotated[int, typer.Option(min=30, help="Days per athlete.")] = 365,
    seed: Annotated[int, typer.Option(help="Random seed; the same seed gives the same cohort.")] = 7,
) -> Path:
    """Simulate a synthetic cohort with known daily injury hazards."""
    # Imported on use, so the CLI starts fast (see the module docstring).
    from training.simulation.simulate import SimulationConfig, write_simulation
    from training.simulation.simulate import simulate as run_simulation

    simulation = run_simulation(SimulationConfig(athletes=athletes, days=days, seed=seed))
    write_simulation(simulation, out)
    injuries = simulation.cohort.injuries
    typer.echo(f"wrote {athletes} athletes x {days} days to {out} ({len(injuries)} injuries incl. prior history)")
    return out


@app.command()
def train(
    cohort: Annotated[Path, typer.Option(help="Folder written by `injury-risk simulate`.")] = Path("data/cohort"),
    profile: Annotated[
        str,
        typer.Option(
            help="'default' trains on --cohort; 'eval' the documented evaluation cohort (simulated chunk by chunk)."
        ),
    ] = "default",
    dataset: Annotated[
        tuple[str, Path] | None,
        typer.Option(help="`lovdal PATH`: the paper's any-injury protocol on a Lövdal day-approach file."),
    ] = None,
) -> str:
    """Train one calibrated model per injury, log to MLflow, register a challenger and run the promotion gate."""
    # Imported on use, so the CLI starts fast (see the module docstring).
    from training.fitting.train import TrainingConfig
    from training.simulation.simulate import read_simulation

    settings = get_settings()
    if dataset is not None:
        return _train_lovdal(*dataset, seed=settings.seed)
    if profile == "eval":
        from training.fitting.profiles import eval_cohort

        source, config = eval_cohort()
        return _train_and_report(source, config)
    if profile != "default":
        raise typer.BadParameter("profile is 'default' or 'eval'", param_hint="--profile")
    return _train_and_report(read_simulation(cohort), TrainingConfig(seed=settings.seed))


def _train_and_report(cohort: Simulation | CohortSource, config: TrainingConfig) -> str:
    from training.fitting.train import train_model

    settings = get_settings()
    result = train_model(cohort, settings, config)
    headline = ("expected_auc", "expected_auc_gap_to_oracle_fair", "roc_auc", "observed_expected", "test_onsets")
    summary = {k: round(v, 4) for k, v in result.metrics.items() if k.startswith(INJURIES) and k.endswith(headline)}
    typer.echo(f"registered {settings.model_name} version {result.model_version} as @challenger")
    typer.echo(json.dumps(summary, indent=1))
    return result.model_version


def _train_lovdal(name: str, path: Path, seed: int) -> str:
    # Imported on use, so the CLI starts fast (see the module docstring).
    from training.lovdal.protocol import PAPER_TEST_AUC
    from training.lovdal.report import run_lovdal

    if name != "lovdal":
        raise typer.BadParameter("the only dataset is 'lovdal'", param_hint="--dataset")
    run = run_lovdal(path, get_settings(), command=f"injury-risk train --dataset lovdal {path}")
    metrics = run.validation.metrics
    typer.echo(run.section)
    typer.echo(run.marginals)
    typer.echo(
        f"product pipeline: paper-split ROC AUC {metrics['product_paper_roc_auc']:.3f} (paper {PAPER_TEST_AUC}), "
        f"grouped CV {metrics['product_cv_roc_auc_mean']:.3f}; MLflow run {run.run_id}"
        + (f"; figures added to model version {run.transfer_version}" if run.transfer_version else "")
    )
    return f"{metrics['product_paper_roc_auc']:.4f}"


@app.command("simulator-vs-real")
def simulator_vs_real(
    path: Annotated[Path, typer.Argument(help="The day-approach CSV of Lövdal et al. 2021.")],
    out: Annotated[Path, typer.Option(help="Folder the table (simulator_vs_real.md) and the plots are written to.")] = (
        Path("data/simulator_vs_real")
    ),
    athletes: Annotated[int, typer.Option(min=1, help="Athletes of the competitive profile to simulate.")] = 600,
) -> Path:
    """Compare the competitive-runner simulator profile's weekly marginals with the Lövdal file's: table and plots."""
    # Imported on use, so the CLI starts fast (see the module docstring).
    from training.lovdal.report import compare_with_simulator

    typer.echo(compare_with_simulator(path, out, get_settings().seed, athletes))
    typer.echo(f"table and plots -> {out}")
    return out


@app.command()
def promote() -> None:
    """Compare @challenger with @champion on the frozen evaluation cohort; move champion if no worse on every injury."""
    # Imported on use, so the CLI starts fast (see the module docstring).
    from training.fitting.promotion import promote as run_promotion

    decision = run_promotion(get_settings())
    typer.echo(
        f"{'promoted' if decision.promoted else 'not promoted'} version {decision.challenger}: {decision.reason}"
    )
    for kind, result in decision.per_injury.items():
        typer.echo(f"  {kind}: " + ", ".join(f"{k} {v:.4f}" for k, v in result.items()))


import_app = typer.Typer(help="Import public data sets into the training-log schema.")
app.add_typer(import_app, name="import")


@import_app.command("lovdal")
def import_lovdal(
    path: Annotated[Path, typer.Argument(help="The day-approach CSV of Lövdal et al. 2021.")],
    out: Annotated[
        Path, typer.Option(help="Cohort folder to write (tables, plus daily.parquet, logs.csv and onsets.csv).")
    ] = Path("data/lovdal"),
) -> Path:
    """Read the Lövdal day-approach file into cohort tables, one log per stretch of observed days, and a daily
    table."""
    # Imported on use, so the CLI starts fast (see the module docstring).
    from training.lovdal.importer import import_lovdal as run_import
    from training.lovdal.importer import write_import

    result = run_import(path)
    write_import(result, out)
    typer.echo(
        f"imported {result.logs['athlete_id'].nunique()} athletes as {len(result.logs)} logs of consecutive days, "
        f"{len(result.daily)} days, {len(result.onsets)} injury onsets -> {out}"
    )
    return out


@app.command("ensure-model")
def ensure_model() -> None:
    """Simulate a cohort chunk by chunk and train on it, only if no model carries the serving alias yet."""
    # Imported on use, so the CLI starts fast (see the module docstring).
    from training.fitting.profiles import default_cohort
    from training.model.registry import has_model

    settings = get_settings()
    if has_model(settings):
        typer.echo(f"{settings.model_name}@{settings.model_alias} is registered; nothing to do")
        return
    typer.echo(
        f"no {settings.model_name}@{settings.model_alias} yet: simulating {settings.bootstrap_athletes} athletes"
        f" x {settings.bootstrap_days} days chunk by chunk and training (a few minutes)"
    )
    _train_and_report(*default_cohort(settings))

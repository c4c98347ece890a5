"""The ``injury-risk`` command line: simulate, train, serve, score."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Annotated

import typer

from training.settings import get_settings

app = typer.Typer(help="Runner injury-risk: simulate a cohort, train and register a model, serve it, score in batch.")


@app.command()
def simulate(
    out: Annotated[Path, typer.Option(help="Folder the cohort and oracle tables are written to.")] = Path("data/cohort"),
    athletes: Annotated[int, typer.Option(min=1, help="Number of athletes.")] = 10000,
    days: Annotated[int, typer.Option(min=30, help="Days per athlete.")] = 365,
    seed: Annotated[int, typer.Option(help="Random seed; the same seed gives the same cohort.")] = 7,
) -> Path:
    """Simulate a synthetic cohort with known daily injury hazards."""
    from training.simulate import SimulationConfig, write_simulation
    from training.simulate import simulate as run_simulation

    simulation = run_simulation(SimulationConfig(athletes=athletes, days=days, seed=seed))
    write_simulation(simulation, out)
    injuries = simulation.cohort.injuries
    typer.echo(f"wrote {athletes} athletes x {days} days to {out} ({len(injuries)} injuries incl. prior history)")
    return out


@app.command()
def train(
    cohort: Annotated[Path, typer.Option(help="Folder written by `injury-risk simulate`.")] = Path("data/cohort"),
) -> str:
    """Train one calibrated model per injury, log to MLflow, register a version and set the serving alias."""
    from training.simulate import read_simulation
    from training.train import TrainingConfig, train_model

    settings = get_settings()
    result = train_model(read_simulation(cohort), settings, TrainingConfig(seed=settings.seed))
    summary = {k: round(v, 4) for k, v in result.metrics.items() if k.endswith(("roc_auc", "brier"))}
    typer.echo(f"registered {settings.model_name} version {result.model_version} as @{settings.model_alias}")
    typer.echo(json.dumps(summary, indent=1))
    return result.model_version


@app.command("ensure-model")
def ensure_model() -> None:
    """Simulate a cohort and train, only if no model carries the serving alias yet."""
    from training.registry import has_model

    settings = get_settings()
    if has_model(settings):
        typer.echo(f"{settings.model_name}@{settings.model_alias} is registered; nothing to do")
        return
    typer.echo(f"no {settings.model_name}@{settings.model_alias} yet: simulating a cohort and training")
    folder = settings.data_dir / "cohort"
    simulate(out=folder, athletes=settings.bootstrap_athletes, days=settings.bootstrap_days, seed=settings.seed)
    train(cohort=folder)


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Listen address (default from settings).")] = None,
    port: Annotated[int | None, typer.Option(help="Port (default from settings).")] = None,
) -> None:
    """Serve the HTTP API with the registered model."""
    import uvicorn

    from service.app import create_app

    settings = get_settings()
    uvicorn.run(create_app(settings), host=host or settings.host, port=port or settings.port)


@app.command()
def score(
    input: Annotated[
        Path, typer.Option(help="Cohort folder: profiles, runs, strength, injuries (parquet, CSV or a folder of parts).")
    ],
    out: Annotated[Path, typer.Option(help="Results folder: parquet partitioned by as_of, plus _summary.json.")],
    as_of: Annotated[
        dt.datetime | None, typer.Option(formats=["%Y-%m-%d"], help="Day to score (the last day with --from).")
    ] = None,
    from_: Annotated[
        dt.datetime | None, typer.Option("--from", formats=["%Y-%m-%d"], help="First day to score, YYYY-MM-DD.")
    ] = None,
    to: Annotated[
        dt.datetime | None, typer.Option(formats=["%Y-%m-%d"], help="Last day to score (default --as-of).")
    ] = None,
    engine: Annotated[str, typer.Option(help="local (pandas, one machine) or spark.")] = "local",
    master: Annotated[str, typer.Option(help="Spark master URL for --engine spark.")] = "local[*]",
    rejects: Annotated[Path | None, typer.Option(help="CSV of rejected rows (default OUT/_rejects.csv).")] = None,
) -> None:
    """Score every athlete for a day or a range of days with the served model; exit 3 if input rows were rejected."""
    from training.batch_input import BatchInputError
    from training.batch_job import BatchRequest, ExitCode, run_batch
    from training.registry import ModelNotRegisteredError

    last = to or as_of
    if last is None:
        raise typer.BadParameter("give --as-of or --to", param_hint="--as-of")
    if to is not None and as_of is not None and to.date() != as_of.date():
        raise typer.BadParameter("--to and --as-of name different days; give one of them", param_hint="--to")
    if engine not in ("local", "spark"):
        raise typer.BadParameter("choose local or spark", param_hint="--engine")
    request = BatchRequest(
        input=input, out=out, first_day=(from_ or last).date(), last_day=last.date(),
        engine=engine, master=master, rejects=rejects,  # type: ignore[arg-type]
    )
    try:
        summary = run_batch(request, get_settings())
    except BatchInputError as error:
        typer.echo(f"error: {error}", err=True)
        raise typer.Exit(ExitCode.bad_input) from error
    except ModelNotRegisteredError as error:
        typer.echo(f"error: {error}", err=True)
        raise typer.Exit(ExitCode.failed) from error
    typer.echo(summary.to_json())
    if summary.rows_rejected:
        typer.echo(f"{summary.rows_rejected} input rows rejected, reasons in {summary.rejects_file}", err=True)
    raise typer.Exit(summary.exit_code)


def main() -> None:
    app()

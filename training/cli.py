"""The ``injury-risk`` command line: simulate, train, serve, score."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Annotated

import pandas as pd
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
    from training.simulate import SimulationConfig, simulate as run_simulation, write_simulation

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
    migrate: Annotated[
        bool, typer.Option(help="Upgrade the database to the latest migration first (skip when a deploy step does).")
    ] = True,
) -> None:
    """Serve the HTTP API with the registered model."""
    import uvicorn

    from service.app import create_app

    settings = get_settings()
    if migrate:
        db_upgrade()
    uvicorn.run(create_app(settings), host=host or settings.host, port=port or settings.port)


@app.command()
def score(
    input: Annotated[Path, typer.Option(help="Cohort folder: profiles, runs, strength, injuries (parquet or CSV).")],
    as_of: Annotated[dt.datetime, typer.Option(formats=["%Y-%m-%d"], help="Day to score, YYYY-MM-DD.")],
    out: Annotated[Path, typer.Option(help="Parquet file of risks, one row per athlete.")],
) -> Path:
    """Score every athlete of a cohort as of a day with the served model."""
    from training.batch import score_cohort
    from training.cohort_io import read_cohort
    from training.registry import load_served_model

    settings = get_settings()
    cohort = read_cohort(input)
    if cohort.profiles.empty:
        raise typer.BadParameter(f"{input} holds no athletes", param_hint="--input")
    result = score_cohort(cohort, pd.Timestamp(as_of.date()), load_served_model(settings))
    out.parent.mkdir(parents=True, exist_ok=True)
    result.to_parquet(out, index=False)
    typer.echo(f"scored {len(result)} athletes as of {as_of.date()} -> {out}")
    return out


db_app = typer.Typer(help="The service database: apply or undo migrations.")
keys_app = typer.Typer(help="API keys of the service.")
app.add_typer(db_app, name="db")
app.add_typer(keys_app, name="keys")


@db_app.command("upgrade")
def db_upgrade(
    revision: Annotated[str, typer.Option(help="Alembic revision to move to.")] = "head",
) -> None:
    """Migrate the database (INJURY_RISK_DATABASE_URL, default SQLite in data/) up to a revision."""
    from service.db.migrate import current, upgrade

    url = get_settings().resolved_database_url()
    upgrade(url, revision)
    typer.echo(f"database at revision {current(url)}")


@db_app.command("downgrade")
def db_downgrade(
    revision: Annotated[str, typer.Option(help="Alembic revision to move to; base drops every table.")] = "base",
) -> None:
    """Undo migrations down to a revision (base: an empty database). Data in dropped tables is lost."""
    from service.db.migrate import current, downgrade

    url = get_settings().resolved_database_url()
    downgrade(url, revision)
    typer.echo(f"database at revision {current(url) or 'base'}")


@keys_app.command("create")
def keys_create(
    tenant: Annotated[str, typer.Option(help="Tenant name; created if it does not exist.")],
    role: Annotated[str, typer.Option(help="platform, clinician or admin.")],
    name: Annotated[str | None, typer.Option(help="A label for the key.")] = None,
) -> str:
    """Create an API key and print it once; only its hash is stored."""
    from service.db.session import Database
    from service.repositories.keys import create_key, tenant_named
    from service.security import Role

    try:
        chosen = Role(role)
    except ValueError:
        raise typer.BadParameter("must be platform, clinician or admin", param_hint="--role") from None
    from service.db.migrate import upgrade

    settings = get_settings()
    upgrade(settings.resolved_database_url())  # a key needs the tables; upgrading an up-to-date database is a no-op
    database = Database(settings)
    try:
        with database.session() as session:
            row, key = create_key(session, tenant_named(session, tenant).id, chosen, name)
            session.commit()
    finally:
        database.dispose()
    typer.echo(key)
    typer.echo(f"({chosen.value} key {row.prefix}... for tenant {tenant!r}; it is not shown again)", err=True)
    return key


def main() -> None:
    app()

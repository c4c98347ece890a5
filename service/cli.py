"""The ``injury-risk`` command line: the training commands plus serve, batch scoring, database and keys.

Each command imports the code it runs when it runs: importing every command's modules up front (mlflow, sklearn,
numba, the app, the batch engines) makes even ``injury-risk --help`` take several times longer.
"""

from __future__ import annotations

import datetime as dt
import os
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any, cast

import typer

from training.cli import app as training_app
from training.cli import import_app as training_import_app
from training.settings import Settings, get_settings

app = typer.Typer(help="Runner injury-risk: simulate a cohort, train and register a model, serve it, score in batch.")
# One console script offers every command: the training commands are registered here as they are in training.cli,
# and its `import` group gains the service's `import files` (training knows nothing of the service's database).
app.registered_commands.extend(training_app.registered_commands)
app.registered_groups.extend(group for group in training_app.registered_groups if group.name != "import")
import_app = typer.Typer(help="Import public data sets (training) or an athlete's activity files (the database).")
import_app.registered_commands.extend(training_import_app.registered_commands)
app.add_typer(import_app, name="import")


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Listen address (default from settings).")] = None,
    port: Annotated[int | None, typer.Option(help="Port (default from settings).")] = None,
    workers: Annotated[
        int | None, typer.Option(min=1, help="Server processes (default from settings: the number of cores).")
    ] = None,
    migrate: Annotated[
        bool, typer.Option(help="Upgrade the database to the latest migration first (skip when a deploy step does).")
    ] = True,
) -> None:
    """Serve the HTTP API with the registered model."""
    # Imported on use, so the CLI starts fast (see the module docstring).
    import uvicorn

    from service.json_logs import log_config

    settings = get_settings()
    if migrate:
        db_upgrade()
    processes = workers or settings.workers
    # Each process builds its app from the same settings (the environment); scoring is CPU-bound, so one process per
    # core is what uses the machine. With several, prometheus-client keeps each worker's values in files of a fresh
    # folder, and a scrape (answered by any one worker) sums them all.
    with metrics_folder(enabled=settings.metrics_enabled and processes > 1):
        uvicorn.run(
            "service.app:create_app",
            factory=True,
            workers=processes,
            log_config=log_config(settings.log_format, settings.log_level),
            # The app writes one access line per request, with its route template, status, duration and request id.
            access_log=False,
            **server_options(settings, host, port),
        )


@contextmanager
def metrics_folder(enabled: bool) -> Iterator[None]:
    """A fresh PROMETHEUS_MULTIPROC_DIR for the workers this server starts, removed when it stops: a folder left by
    an earlier server would add its counts to this one's."""
    if not enabled:
        yield
        return
    from service.metrics import MULTIPROCESS_ENV

    with tempfile.TemporaryDirectory(prefix="injury-risk-metrics-") as folder:
        # Read by prometheus-client in each worker when it is imported; the workers inherit this environment.
        os.environ[MULTIPROCESS_ENV] = folder
        try:
            yield
        finally:
            del os.environ[MULTIPROCESS_ENV]


def server_options(settings: Settings, host: str | None = None, port: int | None = None) -> dict[str, Any]:
    """uvicorn's options from settings: where to listen, the event loop, and the limits slow or idle clients meet."""
    return {
        "host": host or settings.host,
        # Takes new connections one at a time, so the server processes share them (service/server_loop.py).
        "loop": "service.server_loop:OneAcceptLoop",
        "port": port or settings.port,
        "timeout_keep_alive": settings.server_keep_alive_s,
        "h11_max_incomplete_event_size": settings.server_max_header_bytes,
        "limit_concurrency": settings.server_limit_concurrency or None,
        # On SIGTERM uvicorn stops accepting, lets requests in flight finish for this long, then exits.
        "timeout_graceful_shutdown": settings.server_graceful_shutdown_s,
    }


@app.command()
def score(
    input: Annotated[
        Path | None,
        typer.Option(help="Cohort folder: profiles, runs, strength, injuries (parquet, CSV or a folder of parts)."),
    ] = None,
    tenant: Annotated[
        str | None,
        typer.Option(help="Score this tenant's stored athletes instead (its name, as in `keys create --tenant`)."),
    ] = None,
    out: Annotated[
        Path | None, typer.Option(help="Results folder: parquet partitioned by as_of, plus _summary.json.")
    ] = None,
    to_db: Annotated[
        bool, typer.Option("--to-db", help="Store results in the database's risk_assessments instead of --out.")
    ] = False,
    as_of: Annotated[
        dt.datetime | None, typer.Option(formats=["%Y-%m-%d"], help="Day to score (the last day with --from).")
    ] = None,
    from_: Annotated[
        dt.datetime | None, typer.Option("--from", formats=["%Y-%m-%d"], help="First day to score, YYYY-MM-DD.")
    ] = None,
    to: Annotated[
        dt.datetime | None, typer.Option(formats=["%Y-%m-%d"], help="Last day to score (default --as-of).")
    ] = None,
    since_last_run: Annotated[
        bool,
        typer.Option(
            "--since-last-run", help="Skip athlete-days the served model version has already scored in the results."
        ),
    ] = False,
    engine: Annotated[str, typer.Option(help="local (pandas, one machine) or spark.")] = "local",
    master: Annotated[str, typer.Option(help="Spark master URL for --engine spark.")] = "local[*]",
    rejects: Annotated[
        Path | None,
        typer.Option(help="CSV of rejected rows (default OUT/_rejects.csv; with --to-db, written only when given)."),
    ] = None,
) -> None:
    """Score every athlete of a cohort folder or a tenant for a day or a range of days with the served model, into
    a results folder or the database; exit 3 if input rows were rejected."""
    # Imported on use, so the CLI starts fast (see the module docstring).
    from sqlalchemy.exc import SQLAlchemyError

    from service.batch.input import BatchInputError
    from service.batch.job import BatchRequest, Engine, ExitCode, run_batch
    from service.batch.run_metrics import record_run
    from service.db.session import unavailable_reason
    from training.model.registry import ModelNotRegisteredError

    if (input is None) == (tenant is None):
        raise typer.BadParameter("give exactly one of --input PATH and --tenant NAME", param_hint="--input/--tenant")
    if (out is None) == (not to_db):
        raise typer.BadParameter("give exactly one of --out PATH and --to-db", param_hint="--out/--to-db")
    last = to or as_of
    if last is None:
        raise typer.BadParameter("give --as-of or --to", param_hint="--as-of")
    if to is not None and as_of is not None and to.date() != as_of.date():
        raise typer.BadParameter("--to and --as-of name different days; give one of them", param_hint="--to")
    if engine not in ("local", "spark"):
        raise typer.BadParameter("choose local or spark", param_hint="--engine")
    request = BatchRequest(
        input=input,
        tenant=tenant,
        out=out,
        to_db=to_db,
        since_last_run=since_last_run,
        first_day=(from_ or last).date(),
        last_day=last.date(),
        engine=cast(Engine, engine),  # one of its values, checked above
        master=master,
        rejects=rejects,
    )
    settings = get_settings()
    # Any failure not caught below counts as `failed` in the runs' textfile too.
    outcome, scored, started = ExitCode.failed, 0, time.perf_counter()
    try:
        summary = run_batch(request, settings)
        outcome, scored = ExitCode(summary.exit_code), summary.athlete_days_scored
    except BatchInputError as error:
        outcome = ExitCode.bad_input
        typer.echo(f"error: {error}", err=True)
        raise typer.Exit(ExitCode.bad_input) from error
    except ModelNotRegisteredError as error:
        typer.echo(f"error: {error}", err=True)
        raise typer.Exit(ExitCode.failed) from error
    except SQLAlchemyError as error:
        typer.echo(f"error: {unavailable_reason(error)}", err=True)
        raise typer.Exit(ExitCode.failed) from error
    finally:
        if settings.batch_metrics_file is not None:
            try:
                record_run(settings.batch_metrics_file, outcome.name, scored, time.perf_counter() - started)
            except OSError as error:
                # The results are written; a textfile that cannot be is the monitoring's problem, not the run's.
                typer.echo(f"warning: batch metrics not written to {settings.batch_metrics_file}: {error}", err=True)
    typer.echo(summary.to_json())
    if summary.rows_rejected:
        where = f"reasons in {summary.rejects_file}" if summary.rejects_file else "pass --rejects PATH for the reasons"
        typer.echo(f"{summary.rows_rejected} input rows rejected, {where}", err=True)
    raise typer.Exit(summary.exit_code)


db_app = typer.Typer(help="The service database: apply or undo migrations.")
keys_app = typer.Typer(help="API keys of the service.")
app.add_typer(db_app, name="db")
app.add_typer(keys_app, name="keys")


@db_app.command("upgrade")
def db_upgrade(
    revision: Annotated[str, typer.Option(help="Alembic revision to move to.")] = "head",
) -> None:
    """Migrate the database (INJURY_RISK_DATABASE_URL, default SQLite in data/) up to a revision."""
    # Imported on use, so the CLI starts fast (see the module docstring).
    from service.db.migrate import current, upgrade

    url = get_settings().resolved_database_url()
    upgrade(url, revision)
    typer.echo(f"database at revision {current(url)}")


@db_app.command("downgrade")
def db_downgrade(
    revision: Annotated[str, typer.Option(help="Alembic revision to move to; base drops every table.")] = "base",
) -> None:
    """Undo migrations down to a revision (base: an empty database). Data in dropped tables is lost."""
    # Imported on use, so the CLI starts fast (see the module docstring).
    from service.db.migrate import current, downgrade

    url = get_settings().resolved_database_url()
    downgrade(url, revision)
    typer.echo(f"database at revision {current(url) or 'base'}")


@keys_app.command("create")
def keys_create(
    tenant: Annotated[str, typer.Option(help="Tenant name; created if it does not exist.")],
    role: Annotated[str, typer.Option(help="platform, clinician or admin.")],
    name: Annotated[str | None, typer.Option(help="A label for the key.")] = None,
    expires_days: Annotated[
        float | None, typer.Option(min=0.001, help="Days until the key stops working (default never).")
    ] = None,
) -> str:
    """Create an API key and print it once; only its hash is stored."""
    # Imported on use, so the CLI starts fast (see the module docstring).
    from service.db.migrate import upgrade
    from service.db.session import Database
    from service.repositories.keys import create_key, tenant_named
    from service.security import Role

    try:
        chosen = Role(role)
    except ValueError:
        raise typer.BadParameter("must be platform, clinician or admin", param_hint="--role") from None
    settings = get_settings()
    upgrade(settings.resolved_database_url())  # a key needs the tables; upgrading an up-to-date database is a no-op
    database = Database(settings)
    try:
        with database.session() as session:
            expires = dt.datetime.now(dt.UTC) + dt.timedelta(days=expires_days) if expires_days else None
            row, key = create_key(session, tenant_named(session, tenant).id, chosen, name, expires)
            session.commit()
    finally:
        database.dispose()
    typer.echo(key)
    typer.echo(f"({chosen.value} key {row.prefix}... for tenant {tenant!r}; it is not shown again)", err=True)
    return key


@import_app.command("files")
def import_files(
    paths: Annotated[list[Path], typer.Argument(help="FIT, GPX, TCX or CSV files (.gz, .zip too) or folders of them.")],
    tenant: Annotated[str, typer.Option(help="The athlete's tenant (its name, as in `keys create --tenant`).")],
    athlete: Annotated[str, typer.Option(help="The athlete's external id in that tenant.")],
) -> None:
    """Store the runs and strength sessions of activity files for one athlete, a file at a time; a file already
    stored is found, not stored again. Exit 3 when some files were refused, 2 when all were."""
    from rich.progress import Progress

    from service.db.migrate import upgrade
    from service.db.session import Database
    from service.imports.paths import UnknownAthleteError, activity_paths, import_paths

    files = activity_paths(paths)
    missing = [str(p) for p in files if not p.is_file()]
    if missing:
        raise typer.BadParameter(f"no such file: {', '.join(missing[:5])}", param_hint="PATHS")
    settings = get_settings()
    upgrade(settings.resolved_database_url())
    database = Database(settings)
    try:
        with database.session() as session, Progress(transient=True) as progress:
            task = progress.add_task("importing", total=len(files))
            result, status = import_paths(
                session, tenant, athlete, files, settings, done=lambda _: progress.advance(task)
            )
    except UnknownAthleteError as error:
        typer.echo(f"error: {error}", err=True)
        raise typer.Exit(2) from error
    finally:
        database.dispose()
    for refused in (f for f in result.files if f.status == "refused"):
        typer.echo(f"refused {refused.file}: {refused.reason}", err=True)
    typer.echo(f"{result.stored} stored, {result.already_stored} already stored, {result.refused} refused")
    raise typer.Exit(0 if status == 200 else 3 if status == 207 else 2)


@import_app.command("cohort")
def import_cohort(
    folder: Annotated[
        Path, typer.Argument(help="Cohort folder: profiles, runs, strength, injuries (as `simulate` writes).")
    ],
    tenant: Annotated[str, typer.Option(help="Tenant to store the athletes in (created if new).")],
) -> None:
    """Store a cohort folder's athletes, activities and injuries in the service database, as a platform would push
    them; athletes already stored are updated, not doubled. Exit 3 when rows were rejected."""
    from service.batch.cohort_store import store_cohort
    from service.batch.input import BatchInputError
    from service.db.migrate import upgrade

    settings = get_settings()
    upgrade(settings.resolved_database_url())
    try:
        stored = store_cohort(folder, tenant, settings)
    except BatchInputError as error:
        typer.echo(f"error: {error}", err=True)
        raise typer.Exit(2) from error
    typer.echo(
        f"{stored.athletes} athletes, {stored.activities} activities and {stored.injuries} injuries stored in tenant "
        f"{tenant}; {stored.rows_rejected} rows rejected"
    )
    raise typer.Exit(3 if stored.rows_rejected else 0)


@keys_app.command("rotate")
def keys_rotate(
    prefix: Annotated[str, typer.Option(help="The key's prefix as listed (irk_ and 6 characters).")],
    grace_hours: Annotated[
        float, typer.Option(min=0, max=720, help="Hours the old key keeps working while clients switch.")
    ] = 24,
) -> str:
    """Issue a new key of the same tenant, role and name; the old one expires after the grace period."""
    from service.db.migrate import upgrade
    from service.db.session import Database
    from service.repositories.keys import keys_with_prefix, rotate

    settings = get_settings()
    upgrade(settings.resolved_database_url())
    database = Database(settings)
    try:
        with database.session() as session:
            found = [row for row in keys_with_prefix(session, prefix) if row.revoked_at is None]
            if len(found) != 1:
                what = "no unrevoked key" if not found else f"{len(found)} keys"
                raise typer.BadParameter(f"{what} with prefix {prefix!r}", param_hint="--prefix")
            old = found[0]
            row, key = rotate(session, old, dt.timedelta(hours=grace_hours))
            session.commit()
    finally:
        database.dispose()
    typer.echo(key)
    typer.echo(
        f"(new {row.role} key {row.prefix}...; {old.prefix}... expires at {old.expires_at:%Y-%m-%d %H:%M} UTC)",
        err=True,
    )
    return key


@keys_app.command("list")
def keys_list(tenant: Annotated[str, typer.Option(help="Tenant name.")]) -> None:
    """The tenant's keys: prefix, role, name, last use, expiry, revocation and refused attempts (tab-separated)."""
    from service.db.session import Database
    from service.repositories.keys import find_tenant, list_keys

    database = Database(get_settings())
    try:
        with database.session() as session:
            found = find_tenant(session, tenant)
            if found is None:
                raise typer.BadParameter(f"no tenant {tenant!r}", param_hint="--tenant")
            rows, _ = list_keys(session, found.id, None, 10_000)
    finally:
        database.dispose()

    def when(value: dt.datetime | None) -> str:
        return f"{value:%Y-%m-%d %H:%M}" if value else "-"

    typer.echo("prefix\trole\tname\tcreated\tlast_used\texpires\trevoked\tfailed_auth")
    for row in rows:
        cells = [row.prefix, row.role, row.name or "-", when(row.created_at), when(row.last_used_at)]
        cells += [when(row.expires_at), when(row.revoked_at), str(row.failed_auth_count or 0)]
        typer.echo("\t".join(cells))


@app.command()
def monitoring(
    tenant: Annotated[str | None, typer.Option(help="Only this tenant's assessments (default: every tenant).")] = None,
    window_from: Annotated[
        dt.datetime | None, typer.Option("--from", formats=["%Y-%m-%d"], help="First as_of day, inclusive.")
    ] = None,
    window_to: Annotated[
        dt.datetime | None, typer.Option("--to", formats=["%Y-%m-%d"], help="Last as_of day, inclusive.")
    ] = None,
    model_version: Annotated[str | None, typer.Option(help="Only this model version's assessments.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the whole report as JSON.")] = False,
) -> None:
    """Stored assessments against the injuries recorded after them, over every tenant (operators)."""
    # Imported on use, so the CLI starts fast (see the module docstring).
    from service.db.session import Database
    from service.monitoring.report import monitoring_report
    from service.repositories.keys import find_tenant
    from training.model.registry import ModelNotRegisteredError, load_served_model

    settings = get_settings()
    try:
        served = load_served_model(settings)
        distribution, version = served.feature_distribution, served.version
    except ModelNotRegisteredError as error:
        typer.echo(f"drift not judged: {error}", err=True)
        distribution, version = {}, None
    # A long read over every tenant, as the batch job's: no API deadlines on it.
    database = Database(settings, bounded=False)
    try:
        with database.session() as session:
            tenant_id = None
            if tenant is not None:
                found = find_tenant(session, tenant)
                if found is None:
                    raise typer.BadParameter(f"no tenant {tenant!r}", param_hint="--tenant")
                tenant_id = found.id
            report = monitoring_report(
                session,
                settings,
                tenant_id=tenant_id,
                tenant=tenant,
                first=window_from.date() if window_from else None,
                last=window_to.date() if window_to else None,
                model_version=model_version,
                training_distribution=distribution,
                training_version=version,
            )
    finally:
        database.dispose()
    if as_json:
        typer.echo(report.model_dump_json(indent=2))
        return
    typer.echo(
        f"{report.assessments} assessments, {report.awaiting_outcome} awaiting their outcome; "
        f"injuries counted up to {report.observed_until}"
    )
    typer.echo("version\tinjury\tassessments\tonsets\texpected (95% range)\tobserved/expected (95%)\troc_auc")
    for row in report.outcomes:
        ratio = (
            "-"
            if row.observed_expected is None
            else (f"{row.observed_expected:.2f} ({row.observed_expected_low:.2f}-{row.observed_expected_high:.2f})")
        )
        auc = (
            row.roc_auc_note
            if row.roc_auc is None
            else f"{row.roc_auc:.3f} ({row.roc_auc_low:.3f}-{row.roc_auc_high:.3f})"
        )
        cells = [row.model_version, row.injury.value, str(row.assessments), str(row.onsets)]
        cells += [f"{row.expected_onsets:.1f} ({row.expected_low}-{row.expected_high})", ratio, str(auc)]
        typer.echo("\t".join(cells))
    drift = report.drift
    if drift.note:
        typer.echo(f"drift: {drift.note}")
    typer.echo(
        f"drift against the training population of version {drift.training_model_version}: "
        f"{drift.assessments_with_features} assessments with features, PSI above {drift.psi_threshold}: "
        + (", ".join(f"{d.feature} {d.psi:.2f}" for d in drift.features if d.flagged) or "none")
    )


@app.command()
def retrain() -> str:
    """Train a challenger on the first model's simulated cohort plus consented tenants' athletes with known outcomes;
    the gate compares it with the champion on the frozen cohort and on the recent real outcomes."""
    # Imported on use, so the CLI starts fast (see the module docstring).
    from service.retraining.retrain import retrain as run_retrain
    from training.fitting.profiles import default_cohort

    settings = get_settings()
    done = run_retrain(settings, *default_cohort(settings))
    typer.echo(
        f"learned from {done.athletes} stored athletes of {', '.join(done.tenants) or 'no consented tenant'} "
        f"({done.real_train_rows} rows; {done.recent_rows} recent rows for the gate)"
    )
    typer.echo(
        f"version {done.training.model_version}: {'promoted to' if done.promoted else 'not promoted; kept'} "
        f"@{settings.model_alias} (figures and decision in MLflow run {done.training.run_id})"
    )
    return done.training.model_version


def main() -> None:
    app()


if __name__ == "__main__":
    main()

"""Batch scoring speed: athlete-days scored per second by the local engine, a naive per-row pyfunc loop, and Spark.

All three score the same simulated cohort (default 10,000 athletes, every day of the simulated year) with the same
registered model, trained here on that cohort with the production TrainingConfig. The naive peer calls the MLflow
pyfunc once per athlete-day on precomputed features; it is timed on a sample of rows and extrapolated (stated in the
output). Spark runs in local mode on this machine's cores. Run once, it takes minutes:

    .venv/bin/python benchmarks/batch.py --athletes 10000 --days 365 --spark-athletes 10000
"""

from __future__ import annotations

import argparse
import datetime as dt
import time
from pathlib import Path

import mlflow.pyfunc
import pandas as pd

from service.batch.job import BatchRequest, run_batch
from training.domain.cohort_io import write_cohort
from training.features import FEATURES, compute_features, days_to_score
from training.fitting.train import train_model
from training.model.registry import has_model
from training.settings import Settings
from training.simulation.simulate import SimulationConfig, read_simulation, simulate, write_simulation


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--athletes", type=int, default=10_000)
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--naive-sample", type=int, default=2_000, help="Per-row pyfunc calls actually timed.")
    parser.add_argument("--spark-athletes", type=int, default=10_000, help="Athletes scored by Spark (0 skips it).")
    parser.add_argument("--master", default="local[2]")
    parser.add_argument("--work", type=Path, default=Path("data/bench"), help="Cohort, model store and outputs.")
    args = parser.parse_args()

    work = args.work / f"{args.athletes}x{args.days}"
    settings = Settings(mlruns_dir=work / "mlruns", data_dir=work)
    simulation_dir = work / "simulation"
    if (simulation_dir / "profiles.parquet").exists():
        simulation = read_simulation(simulation_dir)
    else:
        simulation = simulate(SimulationConfig(athletes=args.athletes, days=args.days, seed=7))
        write_simulation(simulation, simulation_dir)
    if not has_model(settings):
        print("training a model on the benchmark cohort (production TrainingConfig) ...", flush=True)
        train_model(simulation, settings)
    cohort = simulation.cohort
    first = pd.Timestamp(simulation.config.start_date)
    last = first + pd.Timedelta(days=args.days - 1)
    input_dir = work / "input"
    if not (input_dir / "profiles.parquet").exists():
        write_cohort(cohort, input_dir)

    def batch(engine: str, folder: Path, out: Path) -> tuple[int, float]:
        request = BatchRequest(
            input=folder,
            out=out,
            first_day=first.date(),
            last_day=last.date(),
            engine=engine,
            master=args.master,  # type: ignore[arg-type]
        )
        started = time.perf_counter()
        summary = run_batch(request, settings)
        return summary.athlete_days_scored, time.perf_counter() - started

    rows: list[tuple[str, int, float, str]] = []
    days, seconds = batch("local", input_dir, work / "out-local")
    rows.append(("local engine (this product)", days, seconds, "end to end: read, check, features, model, write"))

    pyfunc = mlflow.pyfunc.load_model(f"models:/{settings.model_name}@{settings.model_alias}")
    features = compute_features(cohort, days_to_score(cohort, as_of=last, start=last))[FEATURES].head(args.naive_sample)
    started = time.perf_counter()
    for i in range(len(features)):
        pyfunc.predict(features.iloc[[i]])
    per_call = (time.perf_counter() - started) / len(features)
    rows.append(
        (
            "naive loop: pyfunc.predict per athlete-day",
            days,
            per_call * days,
            f"timed {len(features):,} calls on precomputed features, extrapolated to {days:,}; features not counted",
        )
    )

    if args.spark_athletes:
        folder = input_dir
        if args.spark_athletes < args.athletes:
            folder = work / f"input-{args.spark_athletes}"
            write_cohort(cohort.for_athletes(list(cohort.profiles["athlete_id"].iloc[: args.spark_athletes])), folder)
        spark_days, spark_seconds = batch("spark", folder, work / "out-spark")
        subset = "" if folder == input_dir else f", first {args.spark_athletes:,} athletes only"
        rows.append(
            (f"spark engine, {args.master}", spark_days, spark_seconds, f"end to end incl. Spark start-up{subset}")
        )

    print(f"\nbatch scoring, {args.athletes:,} athletes x {args.days} days, {dt.date.today()}:")
    print(f"{'path':<44} {'athlete-days':>13} {'seconds':>9} {'athlete-days/s':>15}  note")
    for name, count, secs, note in rows:
        print(f"{name:<44} {count:>13,} {secs:>9.1f} {count / secs:>15,.0f}  {note}")


if __name__ == "__main__":
    main()

"""Wall time of a training run, simulation included: the default run of `make serve` (budget 5 min on 2 cores) and
the evaluation profile (budget 15 min). Prints the figures; uses a throwaway MLflow store.

    .venv/bin/python benchmarks/train_time.py --athletes 10000      # the make serve default
    .venv/bin/python benchmarks/train_time.py --profile eval
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from training.fitting.train import TrainingConfig, train_model
from training.settings import Settings
from training.simulation.simulate import SimulationConfig, simulate


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--athletes", type=int, default=10000)
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--profile", choices=["default", "eval"], default="default")
    args = parser.parse_args()
    root = Path(tempfile.mkdtemp(prefix="injury-risk-bench-"))
    settings = Settings(mlruns_dir=root / "mlruns", data_dir=root / "data")
    started = time.perf_counter()
    if args.profile == "eval":
        from training.fitting.profiles import eval_simulation

        simulation, config = eval_simulation(settings.data_dir)
    else:
        simulation = simulate(SimulationConfig(athletes=args.athletes, days=args.days, seed=settings.seed))
        config = TrainingConfig(seed=settings.seed)
    simulated = time.perf_counter()
    result = train_model(simulation, settings, config)
    done = time.perf_counter()
    print(f"profile {args.profile}: {simulation.config.athletes} athletes x {simulation.config.days} days")
    print(f"simulate {simulated - started:7.1f} s")
    print(f"fit      {result.metrics['fit_seconds']:7.1f} s (features, labels, four classifiers)")
    evaluated = result.metrics["train_seconds"] - result.metrics["fit_seconds"]
    print(f"evaluate {evaluated:7.1f} s (baselines, bootstrap, plots)")
    print(f"total    {done - started:7.1f} s (with MLflow logging and registration)")


if __name__ == "__main__":
    main()

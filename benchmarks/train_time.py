"""Wall time and peak memory of a training run, simulation included, and how many test onsets it judges on.

The default profile is what `make serve` runs on a fresh clone (target: under 4 minutes for simulate, train, evaluate
and register, with at least 300 test onsets per injury); the evaluation profile is the documented large run (target:
200,000 athletes in under 15 minutes and 6 GB). Peer: the same budget figures of the issue that set them. Prints the
figures and the headline metrics; uses a throwaway MLflow store.

    .venv/bin/python benchmarks/train_time.py                       # the make serve default
    .venv/bin/python benchmarks/train_time.py --profile eval
    .venv/bin/python benchmarks/train_time.py --profile eval --athletes 60000   # a smaller eval-profile cohort
"""

from __future__ import annotations

import argparse
import os
import resource
import tempfile
import time
from pathlib import Path

from training.domain.schema import INJURIES
from training.fitting.profiles import default_cohort, eval_cohort
from training.fitting.train import train_model
from training.settings import Settings

BUDGET_SECONDS = {"default": 240, "eval": 900}
BUDGET_GB = {"default": None, "eval": 6.0}
MIN_TEST_ONSETS = 300


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--profile", choices=["default", "eval"], default="default")
    parser.add_argument("--athletes", type=int, default=None, help="Cohort size (default: the profile's).")
    parser.add_argument("--replicates", type=int, default=None, help="Bootstrap replicates (default: the profile's).")
    parser.add_argument("--workers", type=int, default=None, help="Chunk worker processes (default: one per core).")
    args = parser.parse_args()
    root = Path(tempfile.mkdtemp(prefix="injury-risk-bench-"))
    settings = Settings(mlruns_dir=root / "mlruns", data_dir=root / "data")
    if args.athletes:
        settings = settings.model_copy(update={"bootstrap_athletes": args.athletes})
    cohort, config = default_cohort(settings) if args.profile == "default" else eval_cohort(args.athletes)
    if args.replicates is not None:
        config = config.model_copy(update={"bootstrap_replicates": args.replicates})
    if args.workers is not None:
        config = config.model_copy(update={"chunk_workers": args.workers})
    load = os.getloadavg()[0]
    started = time.perf_counter()
    result = train_model(cohort, settings, config)
    total = time.perf_counter() - started
    metrics = result.metrics
    peak_gb = metrics["peak_rss_gb"]  # this process's peak plus the chunk workers' (see chunk_work.py)
    print(
        f"profile {args.profile}: {cohort.config.athletes} athletes x {cohort.config.days} days, chunks of "
        f"{cohort.chunk_athletes}; {os.cpu_count()} cores, load average {load:.1f} at start"
    )
    print(f"simulate + features + fit  {metrics['fit_seconds']:7.1f} s")
    print(f"test chunks + evaluate     {metrics['train_seconds'] - metrics['fit_seconds']:7.1f} s")
    print(f"total with MLflow          {total:7.1f} s (budget {BUDGET_SECONDS[args.profile]} s)")
    # On a shared machine the wall time includes waiting for a core; the CPU time, the chunk workers' included, is
    # what the run costs whatever else the machine does.
    cpu = sum(
        usage.ru_utime + usage.ru_stime
        for usage in (resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN))
    )
    print(
        f"CPU time (user + system)   {cpu:7.1f} s with {metrics['chunk_workers']:.0f} chunk workers; "
        f"load average at end {os.getloadavg()[0]:.1f}"
    )
    budget = BUDGET_GB[args.profile]
    print(f"peak RSS                   {peak_gb:7.2f} GB" + (f" (budget {budget} GB)" if budget else ""))
    print(
        "injury     test onsets  model eAUC  fair-oracle eAUC   gap (95% CI)             logistic  acwr   "
        "realised AUC  O/E   truth slope  decile true/pred"
    )
    for kind in INJURIES:
        gap = f"{kind}_expected_auc_gap_to_oracle_fair"
        onsets = metrics[f"{kind}_test_onsets"]
        print(
            f"{kind:10s} {onsets:6.0f}{'' if onsets >= MIN_TEST_ONSETS else '*':1s}"
            f"      {metrics[f'{kind}_expected_auc']:.4f}      {metrics[f'oracle_fair_{kind}_expected_auc']:.4f}"
            f"          {metrics[gap]:+.4f} ({metrics.get(f'{gap}_ci_low', float('nan')):+.4f},"
            f" {metrics.get(f'{gap}_ci_high', float('nan')):+.4f})"
            f"  {metrics[f'logistic_{kind}_expected_auc']:.4f}    {metrics[f'acwr_{kind}_expected_auc']:.4f}"
            f"  {metrics[f'{kind}_roc_auc']:.4f}        {metrics[f'{kind}_observed_expected']:.2f}"
            f"  {metrics[f'{kind}_truth_calibration_slope']:.2f}"
            f"         {metrics[f'{kind}_truth_decile_ratio_min']:.2f}-{metrics[f'{kind}_truth_decile_ratio_max']:.2f}"
        )
    print(f"(* fewer than {MIN_TEST_ONSETS} test onsets)")


if __name__ == "__main__":
    main()

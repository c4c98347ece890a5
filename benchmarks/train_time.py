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
import threading
import time
from pathlib import Path

from training.domain.schema import INJURIES
from training.fitting.profiles import default_cohort, eval_cohort
from training.fitting.train import train_model
from training.settings import Settings

BUDGET_SECONDS = {"default": 240, "eval": 900}
BUDGET_GB = {"default": None, "eval": 6.0}
MIN_TEST_ONSETS = 300


class TreeMemory:
    """The resident memory of this process and every process it started, summed, sampled every ``every`` seconds
    while the run goes on: what the run holds at once (pages the processes share count once per process, so at
    most), where ``peak_rss_gb`` adds each process's own peak (an upper bound, since the workers need not peak
    together). A spike shorter than ``every`` can pass unseen."""

    def __init__(self, every: float = 0.1) -> None:
        self.every = every
        self.peak_bytes = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def __enter__(self) -> TreeMemory:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join()

    def _sample(self) -> None:
        page = os.sysconf("SC_PAGE_SIZE")
        while not self._stop.wait(self.every):
            self.peak_bytes = max(self.peak_bytes, page * sum(_resident_pages(pid) for pid in _tree(os.getpid())))


def _tree(root: int) -> list[int]:
    """``root`` and its descendants, from /proc (Linux)."""
    parents: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                # The command name, in parentheses, may hold spaces: the parent's pid follows the last ')'.
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            parents.setdefault(int(stat.rsplit(")", 1)[1].split()[1]), []).append(int(entry))
    found, queue = [], [root]
    while queue:
        pid = queue.pop()
        found.append(pid)
        queue.extend(parents.get(pid, []))
    return found


def _resident_pages(pid: int) -> int:
    try:
        return int(Path(f"/proc/{pid}/statm").read_text().split()[1])
    except (OSError, IndexError, ValueError):
        return 0  # the process ended between the listing and the read


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
    with TreeMemory() as memory:
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
    print(
        f"peak RSS                   {memory.peak_bytes / 1e9:7.2f} GB of all processes at once, sampled every "
        f"{memory.every} s" + (f" (budget {budget} GB)" if budget else "")
    )
    print(f"upper bound                {peak_gb:7.2f} GB: each process's own peak added up")
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
    _print_long_horizon(metrics)


def _print_long_horizon(metrics: dict[str, float]) -> None:
    """The 28-day risk against the true 28-day risk and onsets within 28 days (``<kind>_28d_*`` metrics)."""
    print(
        "over 28 days: injury  rows with onset  model eAUC  fair-oracle eAUC  oracle eAUC  eBrier (base rate)"
        "     truth/pred  truth slope  realised AUC  O/E   decile true/pred"
    )
    for kind in INJURIES:
        name = f"{kind}_28d"
        if f"{name}_expected_auc" not in metrics:
            continue
        print(
            f"  {kind:10s}        {metrics[f'{name}_positive_days']:6.0f}"
            f"           {metrics[f'{name}_expected_auc']:.4f}     {metrics[f'oracle_fair_{name}_expected_auc']:.4f}"
            f"           {metrics[f'oracle_{name}_expected_auc']:.4f}"
            f"       {metrics[f'{name}_expected_brier']:.5f} ({metrics[f'base_rate_{name}_expected_brier']:.5f})"
            f"  {metrics[f'{name}_truth_expected_ratio']:.3f}       {metrics[f'{name}_truth_calibration_slope']:.3f}"
            f"        {metrics[f'{name}_roc_auc']:.4f}        {metrics[f'{name}_observed_expected']:.2f}"
            f"  {metrics[f'{name}_truth_decile_ratio_min']:.2f}-{metrics[f'{name}_truth_decile_ratio_max']:.2f}"
        )
        deciles = [
            f"{metrics[f'{name}_truth_decile_{d}_mean_predicted']:.4f}/{metrics[f'{name}_truth_decile_{d}_mean_true']:.4f}"
            for d in range(1, 11)
        ]
        print(f"    mean predicted/true per decile: {' '.join(deciles)}")


if __name__ == "__main__":
    main()

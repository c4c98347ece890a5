"""Evaluation plots logged as MLflow artifacts: ROC, reliability, risk by decile, permutation importance."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.metrics import roc_curve

from training.evaluation.calibration import decile_observed_expected
from training.evaluation.truth import truth_deciles


def _pyplot():
    # Imported here with a file-only backend: nothing at import time, and no display needed on servers or in CI.
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def roc_plot(kind: str, observed: np.ndarray, predictions: dict[str, np.ndarray], out: Path) -> Path:
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(5, 5))
    for name, predicted in predictions.items():
        if name == "base_rate":
            continue
        fpr, tpr, _ = roc_curve(observed, predicted)
        # Drawn through 1,001 points: a curve of millions of test rows takes seconds to render and looks the same.
        grid = np.linspace(0.0, 1.0, 1001)
        ax.plot(grid, np.interp(grid, fpr, tpr), label=name)
    ax.plot([0, 1], [0, 1], color="grey", linestyle=":")
    ax.set(
        title=f"ROC, {kind} (held-out athletes, later period)",
        xlabel="false positive rate",
        ylabel="true positive rate",
    )
    ax.legend(loc="lower right")
    path = out / f"roc_{kind}.png"
    fig.savefig(path, dpi=90, bbox_inches="tight")
    plt.close(fig)
    return path


def reliability_plot(kind: str, observed: np.ndarray, predictions: dict[str, np.ndarray], out: Path) -> Path:
    """Observed onset rate vs mean predicted risk per decile, log scales: 7-day risks span orders of magnitude."""
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(5, 5))
    for name in ("model", "logistic", "oracle_fair"):
        if name not in predictions:
            continue
        deciles = decile_observed_expected(observed, predictions[name])
        mean = [d["mean_risk"] for d in deciles]
        rate = [d["events"] / d["rows"] if d["rows"] else np.nan for d in deciles]
        ax.plot(mean, rate, marker="o", label=name)
    low = max(min(float(np.min(p)) for p in predictions.values()), 1e-5)
    high = max(float(np.max(p)) for p in predictions.values())
    ax.plot([low, high], [low, high], color="grey", linestyle=":")
    ax.set(
        xscale="log", yscale="log", title=f"Reliability, {kind}", xlabel="mean predicted risk", ylabel="observed rate"
    )
    ax.legend(loc="upper left")
    path = out / f"reliability_{kind}.png"
    fig.savefig(path, dpi=90, bbox_inches="tight")
    plt.close(fig)
    return path


def truth_plot(kind: str, truth: np.ndarray, predictions: dict[str, np.ndarray], out: Path) -> Path:
    """Mean true risk vs mean predicted risk per decile of each predictor's risk, log scales, with the +-10% band."""
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(5, 5))
    for name in ("model", "logistic", "oracle_fair"):
        if name in predictions:
            deciles = truth_deciles(truth, predictions[name])
            ax.plot([d["mean_predicted"] for d in deciles], [d["mean_true"] for d in deciles], marker="o", label=name)
    low = max(min(float(np.min(p)) for p in predictions.values()), 1e-5)
    high = max(float(np.max(p)) for p in predictions.values())
    line = np.array([low, high])
    ax.plot(line, line, color="grey", linestyle=":")
    ax.fill_between(line, 0.9 * line, 1.1 * line, color="grey", alpha=0.15, label="+-10%")
    ax.set(
        xscale="log", yscale="log", title=f"Against the true risk, {kind}", xlabel="mean predicted", ylabel="mean true"
    )
    ax.legend(loc="upper left")
    path = out / f"truth_{kind}.png"
    fig.savefig(path, dpi=90, bbox_inches="tight")
    plt.close(fig)
    return path


def decile_plot(kind: str, observed: np.ndarray, predicted: np.ndarray, out: Path) -> Path:
    plt = _pyplot()
    deciles = decile_observed_expected(observed, predicted)
    fig, ax = plt.subplots(figsize=(6, 4))
    x = np.arange(1, 11)
    ax.bar(x - 0.2, [d["expected"] for d in deciles], width=0.4, label="expected onsets (sum of risks)")
    ax.bar(x + 0.2, [d["events"] for d in deciles], width=0.4, label="observed onsets")
    ax.set(title=f"Risk by decile, {kind}", xlabel="risk decile of the model", ylabel="onsets", xticks=x)
    ax.legend()
    path = out / f"deciles_{kind}.png"
    fig.savefig(path, dpi=90, bbox_inches="tight")
    plt.close(fig)
    return path


def importance_plot(kind: str, importance: pd.Series, out: Path) -> Path:
    plt = _pyplot()
    top = importance.sort_values().tail(15)
    fig, ax = plt.subplots(figsize=(6, 5))
    ax.barh(top.index, top.to_numpy())
    ax.set(title=f"Permutation importance, {kind}", xlabel="drop in held-out ROC AUC")
    path = out / f"importance_{kind}.png"
    fig.savefig(path, dpi=90, bbox_inches="tight")
    plt.close(fig)
    return path

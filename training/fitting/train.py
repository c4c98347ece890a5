"""Training: features and labels from a simulated cohort, one calibrated classifier per injury, MLflow run and registry.

The cohort is read chunk by chunk of athletes (``training.fitting.chunks``): from training and calibration chunks
every row with an onset ahead and a weighted sample of the others are kept; test chunks are scored once the model
is fitted, as they come (``training.fitting.held_out``). No stage holds every athlete-day of the cohort.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from functools import partial
from importlib.metadata import version as package_version
from pathlib import Path

import mlflow
import numpy as np
import pandas as pd
from mlflow.models import infer_signature
from pydantic import BaseModel, Field
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.linear_model import LogisticRegression
from threadpoolctl import threadpool_limits

import training
from training.domain.schema import INJURIES
from training.evaluation.drift import feature_bins
from training.evaluation.metrics import metrics_table
from training.evaluation.model_card import model_card
from training.features import FEATURES
from training.fitting.binning import snapped_features
from training.fitting.chunk_work import (
    FITTING_ROLES,
    TEST_ROLES,
    ChunkRecipe,
    ChunkWorkers,
    FittingWork,
    ScoringWork,
    sample_rows,
)
from training.fitting.chunks import ChunkedCohort, CohortSource, Shares, WholeSimulation, periods
from training.fitting.chunks import split_athletes as split_by_shares
from training.fitting.guards import guard_training_run
from training.fitting.held_out import WEIGHT, Baselines, Evaluation, HeldOut
from training.fitting.labels import label_column
from training.fitting.monotone import monotonicity
from training.fitting.promotion import CHALLENGER_ALIAS, promote
from training.model.registry import MODEL_CARD_ARTIFACT, use_tracking
from training.model.risk_model import InjuryClassifier, InjuryRiskModel
from training.settings import Settings, available_cores
from training.simulation.simulate import Simulation

__all__ = [
    "Evaluation",
    "TrainingConfig",
    "TrainingResult",
    "evaluate_on_test",
    "fit_classifier",
    "negative_sample",
    "sample_rows",
    "split_athletes",
    "split_rows",
    "train_model",
]


class TrainingConfig(BaseModel):
    """How a model is fitted; logged as MLflow params."""

    seed: int = 7
    warmup_days: int = Field(42, description="First simulated days left out: their features lack history.")
    test_share: float = Field(0.2, gt=0, lt=1, description="Share of athletes held out for evaluation.")
    calibration_share: float = Field(0.2, gt=0, lt=0.5, description="Share of athletes for the Platt calibration.")
    test_period_share: float = Field(
        0.3,
        gt=0,
        lt=1,
        description="Last share of the scored days: test rows come from it, training rows end before it.",
    )
    log_start_share: float = Field(
        0.2, ge=0, le=1, description="Share of athletes given a random late log_start: short histories in training."
    )
    bootstrap_replicates: int = Field(100, ge=0, description="Athlete resamples for the 95% intervals (0: none).")
    plots: bool = Field(True, description="Log ROC, reliability, truth, decile and permutation-importance plots.")
    importance_rows: int = Field(
        20000, ge=100, description="Test rows (all onsets plus a sample) for permutation importance."
    )
    negative_fraction: float = Field(
        0.1, gt=0, le=1, description="Share of non-onset rows the trees see; kept rows are weighted up to match."
    )
    chunk_athletes: int = Field(2000, ge=1, description="Athletes simulated and featurised at a time.")
    chunk_workers: int = Field(
        default_factory=available_cores,
        ge=1,
        description="Processes that make chunks side by side; the same model and figures whatever the number.",
    )
    soft_labels: bool = Field(
        True, description="Fit trees and calibration to the simulator's true risk of each row, not only to onsets."
    )
    test_day_stride: int = Field(
        1, ge=1, le=28, description="Test athletes are scored every this many days (7: each onset ahead of one row)."
    )
    interval_rows: int = Field(
        1_000_000, ge=1000, description="Test rows the bootstrap resamples at most (every k-th day of each athlete)."
    )
    fit_threads: int = Field(
        1,
        ge=1,
        description="Threads of the tree fit. The sampled rows are few, and on a busy machine the threads' "
        "synchronisation costs more than it saves (3x the wall time with 2 threads on a loaded 2-core machine).",
    )
    # Fitted to the true risk (soft labels), small trees keep improving for a few hundred rounds: on a 16,000-athlete
    # chunked cohort, 300 rounds of 4-leaf trees reached an expected AUC of 0.673 on pfps against 0.669 with 100
    # rounds, and 0.609 for 100 rounds fitted to the onsets alone (fair oracle 0.652); 8 leaves added 0.001 at twice
    # the cost.
    max_iter: int = 300
    learning_rate: float = 0.05
    max_leaf_nodes: int = 4
    min_samples_leaf: int = 200
    l2_regularization: float = 10.0

    def shares(self) -> Shares:
        return Shares(self.seed, self.test_share, self.calibration_share, self.test_period_share)


@dataclass(frozen=True)
class TrainingResult:
    run_id: str
    model_version: str
    metrics: dict[str, float]
    model: InjuryRiskModel


def split_athletes(athlete_ids: pd.Series, config: TrainingConfig) -> pd.Series:
    """'train', 'calibration' or 'test' per athlete: athletes never cross sets, so test athletes are unseen."""
    return split_by_shares(athlete_ids, config.shares())


def split_rows(rows: pd.DataFrame, config: TrainingConfig, horizon_days: int) -> dict[str, pd.DataFrame]:
    """Training, calibration and test rows, split by athlete and by time.

    Test rows are test athletes' days in the last ``test_period_share`` of the scored period; training and calibration
    rows are their athletes' days whose whole label window ends before that period starts, so no label peeks into it.
    """
    role = rows["athlete_id"].map(split_athletes(rows["athlete_id"], config))
    first, last = rows["date"].min(), rows["date"].max()
    test_start = first + pd.Timedelta(days=int((last - first).days * (1 - config.test_period_share)))
    before = rows["date"] + pd.Timedelta(days=horizon_days) < test_start
    return {
        "train": rows[(role == "train") & before],
        "calibration": rows[(role == "calibration") & before],
        "test": rows[(role == "test") & (rows["date"] >= test_start)],
    }


def negative_sample(train: pd.DataFrame, label: str, config: TrainingConfig) -> tuple[pd.DataFrame, np.ndarray]:
    """Rows of one label to fit on, and their weights: rows already sampled (with ``WEIGHT``) as they are; otherwise
    every onset row and a random ``negative_fraction`` of the others, weighted so sums match the full rows."""
    train = train.dropna(subset=[label])
    if WEIGHT in train:
        return train, train[WEIGHT].to_numpy()
    rng = np.random.default_rng(config.seed)
    keep = (train[label] == 1) | (rng.random(len(train)) < config.negative_fraction)
    sample = train[keep]
    return sample, np.where(sample[label] == 1, 1.0, 1.0 / config.negative_fraction)


def fit_classifier(
    train: pd.DataFrame, calibration: pd.DataFrame, kind: str, config: TrainingConfig
) -> InjuryClassifier:
    """Trees on subsampled training rows, then the Platt map on the (weighted) calibration rows; both learn from the
    true risk as a soft label where the rows carry it (``TrainingConfig.soft_labels``)."""
    label = label_column(kind)
    sample, weight = negative_sample(train, label, config)
    calibration = calibration.dropna(subset=[label])
    calibration_weight = calibration[WEIGHT].to_numpy() if WEIGHT in calibration else np.ones(len(calibration))
    for part, rows in (("training", sample), ("calibration", calibration)):
        if not 0 < rows[label].sum() < len(rows):
            raise ValueError(f"no {kind} onsets among the {part} athletes: simulate a larger cohort")
    trees = HistGradientBoostingClassifier(
        max_iter=config.max_iter,
        learning_rate=config.learning_rate,
        max_leaf_nodes=config.max_leaf_nodes,
        min_samples_leaf=config.min_samples_leaf,
        l2_regularization=config.l2_regularization,
        early_stopping=False,
        random_state=config.seed,
        monotonic_cst=monotonicity(kind),
    )
    features, y, w = _targets(sample, snapped_features(sample[FEATURES], weight), weight, kind, config)
    with threadpool_limits(config.fit_threads):
        trees.fit(features, y, sample_weight=w)
    # The trees' compiled tables score the calibration rows (scikit-learn's own scoring took a fifth of a fit).
    raw = InjuryClassifier(trees=trees, slope=1.0, intercept=0.0).log_odds(calibration[FEATURES])
    _, y, w = _targets(calibration, calibration[FEATURES], calibration_weight, kind, config)
    raw = (np.concatenate([raw, raw]) if len(y) > len(raw) else raw).reshape(-1, 1)
    # A tight tolerance: the fit must reproduce the observed onset count, which the default tolerance misses by ~2%.
    platt = LogisticRegression(C=1e6, max_iter=1000, tol=1e-10).fit(raw, y, sample_weight=w)
    slope = float(platt.coef_[0, 0])
    if slope <= 0:
        # Trees that rank calibration athletes backwards carry no usable signal; a negative slope would also turn
        # every learned direction (and the monotone directions) upside down. Fall back to the base rate.
        rate = float(np.average(y, weights=w))
        return InjuryClassifier(trees=trees, slope=0.0, intercept=float(np.log(rate / (1.0 - rate))))
    return InjuryClassifier(trees=trees, slope=slope, intercept=float(platt.intercept_[0]))


def _targets(
    rows: pd.DataFrame, features: pd.DataFrame, weight: np.ndarray, kind: str, config: TrainingConfig
) -> tuple[pd.DataFrame, np.ndarray, np.ndarray]:
    """Features (``features``: those of ``rows``, snapped or not), 0/1 targets and weights to fit on. With soft
    labels each row enters twice, as an onset weighted by its true risk p and as none weighted by 1 - p: the log loss
    of that pair is the expected log loss over the onset draw, so the fit aims at the same E[onset | features] with
    far less noise than the rare onsets give."""
    truth = f"oracle_{kind}"
    label = rows[label_column(kind)].to_numpy(dtype=float)
    if not config.soft_labels or truth not in rows:
        return features, label.astype(int), weight
    # A row without the true risk (none in simulated cohorts' scored days) keeps its realised label.
    p = rows[truth].fillna(rows[label_column(kind)]).to_numpy(dtype=float)
    both = pd.concat([features, features], ignore_index=True)
    y = np.concatenate([np.ones(len(rows), int), np.zeros(len(rows), int)])
    return both, y, np.concatenate([weight * p, weight * (1 - p)])


def feature_ranges(rows: pd.DataFrame) -> dict[str, tuple[float, float]]:
    quantiles = rows[FEATURES].astype("float64").quantile([0.05, 0.95])
    return {f: (float(quantiles.loc[0.05, f]), float(quantiles.loc[0.95, f])) for f in FEATURES}


def feature_distribution(rows: pd.DataFrame) -> dict[str, dict[str, list[float]]]:
    """Quantile bins and shares of each feature over the training rows, saved with the model for drift checks."""
    return {f: feature_bins(rows[f].to_numpy(dtype="float64", na_value=np.nan)).as_dict() for f in FEATURES}


@dataclass(frozen=True)
class FittingRows:
    """Sampled training and calibration rows (with ``WEIGHT``) and what they were drawn from."""

    train: pd.DataFrame
    calibration: pd.DataFrame
    counts: dict[str, int]


def fitting_rows(recipe: ChunkRecipe, config: TrainingConfig, workers: ChunkWorkers | None = None) -> FittingRows:
    """Every fitting chunk's sampled rows, made by ``workers`` (in this process when none are given)."""
    workers = workers or ChunkWorkers(recipe.source, 1, 0)
    kept: dict[str, list[pd.DataFrame]] = {"train": [], "calibration": []}
    counts = {"train_rows": 0, "calibration_rows": 0, "train_athletes": 0, "calibration_athletes": 0}
    plan = recipe.source.plan(recipe.shares, FITTING_ROLES)
    for sampled in workers.map(FittingWork(recipe, config.negative_fraction), plan):
        for role, rows in sampled.parts.items():
            kept[role].append(rows)
        for name, count in sampled.counts.items():
            counts[name] += count
    if not kept["train"] or not kept["calibration"]:
        raise ValueError("no training or calibration athletes: simulate a larger cohort")
    train, calibration = (pd.concat(kept[role], ignore_index=True) for role in ("train", "calibration"))
    return FittingRows(train, calibration, counts)


def _fit(train: pd.DataFrame, calibration: pd.DataFrame, kind: str, config: TrainingConfig) -> InjuryClassifier:
    return fit_classifier(train, calibration, kind, config)


def fit_model(
    train: pd.DataFrame, calibration: pd.DataFrame, config: TrainingConfig, horizon_days: int
) -> InjuryRiskModel:
    """The four calibrated classifiers on (sampled or full) training and calibration rows."""
    classifiers = {kind: fit_classifier(train, calibration, kind, config) for kind in INJURIES}
    both = pd.concat([train, calibration])
    base_rates = {}
    for kind in INJURIES:
        labelled, weight = negative_sample(both, label_column(kind), config)
        base_rates[kind] = float(np.average(labelled[label_column(kind)], weights=weight))
    uniform = train[train[WEIGHT] > 1] if WEIGHT in train else train  # the random draw, onsets aside
    return InjuryRiskModel(
        classifiers=classifiers,
        features=list(FEATURES),
        horizon_days=horizon_days,
        base_rates=base_rates,
        feature_ranges=feature_ranges(uniform if len(uniform) else train),
        feature_distribution=feature_distribution(uniform if len(uniform) else train),
    )


def train_model(
    cohort: Simulation | CohortSource,
    settings: Settings,
    config: TrainingConfig | None = None,
    real_rows: pd.DataFrame | None = None,
    recent_rows: pd.DataFrame | None = None,
) -> TrainingResult:
    """Fit, evaluate against baselines, oracles and the true risk on held-out athletes and a later period, log
    everything to MLflow, register a version as ``challenger`` and run the promotion gate (the first version becomes
    ``champion``). ``cohort``: a simulation in memory, or a ``ChunkedCohort`` simulated chunk by chunk.
    ``real_rows``: labelled feature rows of real athletes the trees also learn from (realised onsets, no true risk);
    ``recent_rows``: later rows of real athletes the promotion gate also judges on."""
    config = config or TrainingConfig(seed=settings.seed)
    source: CohortSource = WholeSimulation(cohort, config.chunk_athletes) if isinstance(cohort, Simulation) else cohort
    horizon = settings.horizon_days
    span = periods(source.config, config.warmup_days, config.test_period_share)
    recipe = ChunkRecipe(source, config.shares(), config.log_start_share, config.seed, horizon, span)
    test_plan = source.plan(config.shares(), TEST_ROLES)
    chunk_count = len(source.plan(config.shares(), FITTING_ROLES)) + len(test_plan)
    started = time.perf_counter()
    with ChunkWorkers(source, config.chunk_workers, chunk_count) as workers:
        rows = fitting_rows(recipe, config, workers)
        if real_rows is not None and len(real_rows):
            rng = np.random.default_rng([config.seed, 0x5EA1])
            counts = {**rows.counts, "real_train_rows": len(real_rows)}
            real = sample_rows(real_rows, config.negative_fraction, rng)
            rows = FittingRows(pd.concat([rows.train, real]), rows.calibration, counts)
        model = fit_model(rows.train, rows.calibration, config, horizon)
        fit_seconds = time.perf_counter() - started
        held_out = HeldOut(
            model, fitted_baselines(rows.train, config), config.seed, config.importance_rows, config.test_day_stride
        )
        # The workers start on the later test chunks at once, while this process makes the first.
        later = workers.map(ScoringWork(recipe, config.test_day_stride), test_plan[1:])
        example = pd.DataFrame()
        guards: dict[str, float] = {}
        if test_plan:
            example, guards = _guarded_first_chunk(recipe, test_plan[0], rows, held_out, config)
        for test in later:
            held_out.add(test)
        if not held_out.rows:
            raise ValueError("no test athletes: simulate a larger cohort")
        evaluation = held_out.evaluate(config.bootstrap_replicates, config.plots, config.interval_rows, workers.map)
    metrics = {
        **evaluation.metrics,
        **guards,
        "fit_seconds": fit_seconds,
        "train_seconds": time.perf_counter() - started,
        "peak_rss_gb": workers.peak_rss_gb(),
        "chunk_workers": float(workers.workers),
    }
    data: dict[str, object] = {
        "horizon_days": horizon,
        "athletes": source.config.athletes,
        "simulation_seed": source.config.seed,
        "simulated_days": source.config.days,
        "chunked_simulation": isinstance(source, ChunkedCohort),
        **rows.counts,
        "train_sample_rows": len(rows.train),
        "calibration_sample_rows": len(rows.calibration),
        "test_rows": held_out.rows,
        "test_period": f"{span.test_start:%Y-%m-%d} to {span.last:%Y-%m-%d}",
    }

    client = use_tracking(settings)
    with mlflow.start_run() as run:
        mlflow.log_params(config.model_dump())
        mlflow.log_params(data)
        mlflow.log_metrics(metrics)
        mlflow.log_table(pd.DataFrame(metrics_table(metrics, INJURIES)), "evaluation/metrics_table.json")
        for path in evaluation.plots:
            mlflow.log_artifact(str(path), artifact_path="plots")
        info = mlflow.pyfunc.log_model(
            name="model",
            python_model=model,
            code_paths=[str(Path(training.__file__).parent)],
            signature=infer_signature(example, model.predict_risk(example)),
            input_example=example,
            pip_requirements=_requirements(),
            registered_model_name=settings.model_name,
        )
        version = str(info.registered_model_version)
        mlflow.log_text(model_card(metrics, data, version), MODEL_CARD_ARTIFACT)
    client.set_registered_model_alias(settings.model_name, CHALLENGER_ALIAS, version)
    promote(settings, recent_rows=recent_rows)
    return TrainingResult(run_id=run.info.run_id, model_version=version, metrics=metrics, model=model)


def _guarded_first_chunk(
    recipe: ChunkRecipe, k: int, rows: FittingRows, held_out: HeldOut, config: TrainingConfig
) -> tuple[pd.DataFrame, dict[str, float]]:
    """Make test chunk ``k`` here, judge it by the leak guards (against the sampled training rows; LeakError stops the
    run) and score it into ``held_out``. Returns an input example (three feature rows) and the guards' figures.
    Its simulation and every day's rows are released on return: only the scored days are kept."""
    chunk = recipe.chunk(TEST_ROLES, k)
    test = recipe.rows(chunk, "test")
    if not len(test):
        return pd.DataFrame(), {}
    parts = {"train": rows.train, "calibration": rows.calibration, "test": test}
    fit = partial(_fit, config=config)
    guards = guard_training_run(chunk.simulation.cohort, parts, fit, config.seed, recipe.horizon_days)
    held_out.add(test)
    return test.head(3)[FEATURES].copy(), guards


def fitted_baselines(train: pd.DataFrame, config: TrainingConfig) -> dict[str, Baselines]:
    """Baselines on the sampled training rows (full rows are sampled the same way first)."""
    if WEIGHT in train:
        sample = train
    else:
        sample = sample_rows(train, config.negative_fraction, np.random.default_rng(config.seed))
    return {kind: Baselines.fit(sample, kind) for kind in INJURIES}


def evaluate_on_test(
    model: InjuryRiskModel, train: pd.DataFrame, test: pd.DataFrame, config: TrainingConfig
) -> Evaluation:
    """Model, oracles and baselines on the same test rows per injury (baselines fitted on ``train``)."""
    held_out = HeldOut(
        model, fitted_baselines(train, config), config.seed, config.importance_rows, config.test_day_stride
    )
    held_out.add(test)
    return held_out.evaluate(config.bootstrap_replicates, config.plots, config.interval_rows)


def _requirements() -> list[str]:
    # Pinned to what trained the model, so `mlflow models serve` and Spark workers unpickle the same classes.
    names = ["mlflow", "scikit-learn", "pandas", "numpy", "pydantic", "pyyaml", "cloudpickle"]
    return [f"{name}=={package_version(name)}" for name in names]

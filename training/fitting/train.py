"""Training: features and labels from a simulated cohort, one calibrated classifier per injury, MLflow run and
registry."""

from __future__ import annotations

import tempfile
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

import training
from training.domain.schema import INJURIES
from training.evaluation import plots
from training.evaluation.baselines import AcwrRule, LogisticBaseline
from training.evaluation.importance import permutation_importance
from training.evaluation.metrics import evaluate_injury, metrics_table
from training.evaluation.model_card import model_card
from training.features import FEATURES, STRENGTH_FEATURES
from training.fitting.guards import guard_training_run
from training.fitting.labels import label_column, labelled_rows
from training.fitting.log_starts import from_log_start, with_random_log_starts
from training.fitting.promotion import CHALLENGER_ALIAS, promote
from training.model.registry import MODEL_CARD_ARTIFACT, use_tracking
from training.model.risk_model import InjuryClassifier, InjuryRiskModel
from training.settings import Settings
from training.simulation.simulate import Simulation

# Strength work is modelled as never raising risk: more protective volume or sessions, or a more recent session, can
# only lower it. Without this, trees fitted to few onsets picked up noise in which an added Nordic session raised the
# hamstring risk.
STRENGTH_MONOTONICITY: dict[str, int] = {
    **{f: -1 for f in STRENGTH_FEATURES if f != "days_since_strength"},
    "days_since_strength": 1,
}


class TrainingConfig(BaseModel):
    """How a model is fitted; logged as MLflow params."""

    seed: int = 7
    warmup_days: int = Field(42, description="First simulated days left out: their features lack history.")
    test_share: float = Field(0.2, gt=0, lt=0.5, description="Share of athletes held out for evaluation.")
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
    plots: bool = Field(True, description="Log ROC, reliability, decile and permutation-importance plots.")
    importance_rows: int = Field(
        20000, ge=100, description="Test rows (all onsets plus a sample) for permutation importance."
    )
    negative_fraction: float = Field(
        0.1, gt=0, le=1, description="Share of non-onset rows the trees see; kept rows are weighted up to match."
    )
    # Onsets are rare (a few per thousand athlete-weeks), so small, heavily regularised trees generalise best: on a
    # 10,000-athlete cohort they beat 15-leaf trees by 0.02-0.07 held-out ROC AUC per injury.
    max_iter: int = 100
    learning_rate: float = 0.05
    max_leaf_nodes: int = 4
    min_samples_leaf: int = 2000
    l2_regularization: float = 10.0


_SPLIT_STREAM = 0x5B117  # any constant: it only has to differ from the simulator's unkeyed stream


@dataclass(frozen=True)
class TrainingResult:
    run_id: str
    model_version: str
    metrics: dict[str, float]
    model: InjuryRiskModel


def split_athletes(athlete_ids: pd.Series, config: TrainingConfig) -> pd.Series:
    """'train', 'calibration' or 'test' per athlete: athletes never cross sets, so test athletes are unseen."""
    ids = np.sort(athlete_ids.unique())
    # A stream of its own: default_rng(seed) is also the simulator's generator, whose first draw (novice or not) would
    # then pick the test athletes. With equal seeds every test athlete was a novice.
    rng = np.random.default_rng([config.seed, _SPLIT_STREAM])
    draw = rng.random(len(ids))
    role = np.where(
        draw < config.test_share,
        "test",
        np.where(draw < config.test_share + config.calibration_share, "calibration", "train"),
    )
    return pd.Series(role, index=ids)


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


def fit_classifier(
    train: pd.DataFrame, calibration: pd.DataFrame, kind: str, config: TrainingConfig
) -> InjuryClassifier:
    """Trees on subsampled training rows, then the Platt map on every calibration row."""
    label = label_column(kind)
    train = train.dropna(subset=[label])
    sample, weight = negative_sample(train, label, config)
    trees = HistGradientBoostingClassifier(
        max_iter=config.max_iter,
        learning_rate=config.learning_rate,
        max_leaf_nodes=config.max_leaf_nodes,
        min_samples_leaf=config.min_samples_leaf,
        l2_regularization=config.l2_regularization,
        early_stopping=False,
        random_state=config.seed,
        monotonic_cst=STRENGTH_MONOTONICITY,
    )
    calibration = calibration.dropna(subset=[label])
    for part, rows in (("training", sample), ("calibration", calibration)):
        if not 0 < rows[label].sum() < len(rows):
            raise ValueError(f"no {kind} onsets among the {part} athletes: simulate a larger cohort")
    trees.fit(sample[FEATURES], sample[label].astype(int), sample_weight=weight)
    raw = trees.decision_function(calibration[FEATURES]).reshape(-1, 1)
    # A tight tolerance: the fit must reproduce the observed onset count, which the default tolerance misses by ~2%.
    platt = LogisticRegression(C=1e6, max_iter=1000, tol=1e-10).fit(raw, calibration[label].astype(int))
    slope = float(platt.coef_[0, 0])
    if slope <= 0:
        # Trees that rank calibration athletes backwards carry no usable signal; a negative slope would also turn
        # every learned direction (and the strength monotonicity) upside down. Fall back to the base rate.
        rate = float(calibration[label].mean())
        return InjuryClassifier(trees=trees, slope=0.0, intercept=float(np.log(rate / (1.0 - rate))))
    return InjuryClassifier(trees=trees, slope=slope, intercept=float(platt.intercept_[0]))


def negative_sample(train: pd.DataFrame, label: str, config: TrainingConfig) -> tuple[pd.DataFrame, np.ndarray]:
    """Every onset row and a random ``negative_fraction`` of the others, weighted so sums match the full rows."""
    rng = np.random.default_rng(config.seed)
    keep = (train[label] == 1) | (rng.random(len(train)) < config.negative_fraction)
    sample = train[keep]
    return sample, np.where(sample[label] == 1, 1.0, 1.0 / config.negative_fraction)


def feature_ranges(rows: pd.DataFrame) -> dict[str, tuple[float, float]]:
    quantiles = rows[FEATURES].quantile([0.05, 0.95])
    return {f: (float(quantiles.loc[0.05, f]), float(quantiles.loc[0.95, f])) for f in FEATURES}


def train_model(simulation: Simulation, settings: Settings, config: TrainingConfig | None = None) -> TrainingResult:
    """Fit, evaluate against baselines and oracles on held-out athletes and a later period, log everything to MLflow,
    register a version as ``challenger`` and run the promotion gate (the first version becomes ``champion``)."""
    config = config or TrainingConfig(seed=settings.seed)
    started = time.perf_counter()
    simulation = with_random_log_starts(simulation, config.log_start_share, config.seed)
    rows = from_log_start(labelled_rows(simulation, settings.horizon_days, config.warmup_days), simulation)
    parts = split_rows(rows, config, settings.horizon_days)
    train, calibration, test = parts["train"], parts["calibration"], parts["test"]
    classifiers = {kind: fit_classifier(train, calibration, kind, config) for kind in INJURIES}
    base_rates = {kind: float(pd.concat([train, calibration])[label_column(kind)].mean()) for kind in INJURIES}
    model = InjuryRiskModel(
        classifiers=classifiers,
        features=list(FEATURES),
        horizon_days=settings.horizon_days,
        base_rates=base_rates,
        feature_ranges=feature_ranges(train),
    )
    fit_seconds = time.perf_counter() - started
    guards = guard_training_run(
        simulation.cohort, parts, lambda t, c, k: fit_classifier(t, c, k, config), config.seed, settings.horizon_days
    )
    evaluation = evaluate_on_test(model, train, test, config)
    metrics = {
        **evaluation.metrics,
        **guards,
        "fit_seconds": fit_seconds,
        "train_seconds": time.perf_counter() - started,
    }
    data = {
        "horizon_days": settings.horizon_days,
        "athletes": int(rows["athlete_id"].nunique()),
        "athlete_days": len(rows),
        "simulation_seed": simulation.config.seed,
        "simulated_days": simulation.config.days,
        "train_rows": len(train),
        "calibration_rows": len(calibration),
        "test_athletes": int(test["athlete_id"].nunique()),
        "test_rows": len(test),
        "test_period": f"{test['date'].min():%Y-%m-%d} to {test['date'].max():%Y-%m-%d}" if len(test) else "none",
    }

    client = use_tracking(settings)
    with mlflow.start_run() as run:
        mlflow.log_params(config.model_dump())
        mlflow.log_params(data)
        mlflow.log_metrics(metrics)
        mlflow.log_table(pd.DataFrame(metrics_table(metrics, INJURIES)), "evaluation/metrics_table.json")
        for path in evaluation.plots:
            mlflow.log_artifact(str(path), artifact_path="plots")
        example = test[FEATURES].head(3)
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
    promote(settings)
    return TrainingResult(run_id=run.info.run_id, model_version=version, metrics=metrics, model=model)


@dataclass(frozen=True)
class Evaluation:
    metrics: dict[str, float]
    plots: list[Path]


def evaluate_on_test(
    model: InjuryRiskModel, train: pd.DataFrame, test: pd.DataFrame, config: TrainingConfig
) -> Evaluation:
    """Model, oracles and baselines on the same test rows per injury; plots into a temporary folder."""
    predicted = model.predict_risk(test)
    codes = pd.factorize(test["athlete_id"])[0]
    metrics: dict[str, float] = {}
    paths: list[Path] = []
    folder = Path(tempfile.mkdtemp(prefix="injury-risk-plots-"))
    for kind in INJURIES:
        label = label_column(kind)
        # The same rows for every predictor: labelled, with both oracles known.
        usable = (test[label].notna() & test[f"oracle_{kind}"].notna() & test[f"oracle_fair_{kind}"].notna()).to_numpy()
        rows, y = test[usable], test.loc[usable, label].to_numpy(dtype=float)
        fitted = train.dropna(subset=[label])
        sample, weight = negative_sample(fitted, label, config)
        logistic = LogisticBaseline.fit(sample, sample[label].to_numpy(), weight, list(FEATURES))
        acwr = AcwrRule.fit(fitted["acwr_rolling"], fitted[label].to_numpy())
        predictions = {
            "model": predicted.loc[usable, kind].to_numpy(),
            "oracle": rows[f"oracle_{kind}"].to_numpy(),
            "oracle_fair": rows[f"oracle_fair_{kind}"].to_numpy(),
            "logistic": logistic.predict(rows),
            "acwr": acwr.predict(rows["acwr_rolling"]),
            "base_rate": np.full(len(rows), float(fitted[label].mean())),
        }
        metrics.update(evaluate_injury(kind, y, predictions, codes[usable], config.bootstrap_replicates, config.seed))
        metrics[f"{kind}_base_rate"] = model.base_rates[kind]
        metrics[f"{kind}_test_onsets"] = float(_onsets(rows, label))
        if config.plots and 0 < y.sum() < len(y):
            importance = permutation_importance(
                partial(_probability, model.classifiers[kind]),
                rows,
                y,
                list(FEATURES),
                config.seed,
                max_rows=config.importance_rows,
            )
            paths += [
                plots.roc_plot(kind, y, predictions, folder),
                plots.reliability_plot(kind, y, predictions, folder),
                plots.decile_plot(kind, y, predictions["model"], folder),
                plots.importance_plot(kind, importance, folder),
            ]
    return Evaluation(metrics=metrics, plots=paths)


def _probability(classifier: InjuryClassifier, frame: pd.DataFrame) -> np.ndarray:
    return classifier.probability(frame[FEATURES].astype("float64"))


def _onsets(rows: pd.DataFrame, label: str) -> int:
    # Each onset labels up to H rows before it; a distinct onset is a run of consecutive positive rows of an athlete.
    positive = rows[label].to_numpy() == 1
    athlete = rows["athlete_id"].to_numpy()
    dates = rows["date"].to_numpy()
    starts = positive.copy()
    starts[1:] &= ~(positive[:-1] & (athlete[1:] == athlete[:-1]) & (dates[1:] - dates[:-1] == np.timedelta64(1, "D")))
    return int(starts.sum())


def _requirements() -> list[str]:
    # Pinned to what trained the model, so `mlflow models serve` and Spark workers unpickle the same classes.
    names = ["mlflow", "scikit-learn", "pandas", "numpy", "pydantic", "pyyaml", "cloudpickle"]
    return [f"{name}=={package_version(name)}" for name in names]

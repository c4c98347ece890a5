"""Held-out evaluation: test rows scored chunk by chunk as they come, then every predictor judged on the same rows.

Only what the metrics need is kept per injury and test row (athlete, label, the true and the fair-oracle risk, each
predictor's risk, as float32), plus a bounded sample of feature rows for permutation importance; the feature rows of
a chunk are dropped once it is scored.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from training.domain.schema import INJURIES
from training.evaluation.baselines import AcwrRule, LogisticBaseline
from training.evaluation.importance import permutation_importance
from training.evaluation.metrics import evaluate_injury, long_horizon_name
from training.evaluation.truth import truth_deciles
from training.features import FEATURES
from training.fitting.labels import label_column, long_label_column, long_oracle_column, scored_days
from training.model.horizons import risk_over_days
from training.model.risk_model import InjuryRiskModel

WEIGHT = "sample_weight"  # rows kept by sampling carry 1 / their chance of being kept
# How ``HeldOut.evaluate`` maps the figures' work over its items: the builtin ``map``, or ``ChunkWorkers.map``.
MapWork = Callable[[Callable[["Figures"], dict[str, float]], Iterable["Figures"]], Iterable[dict[str, float]]]


@dataclass(frozen=True)
class Baselines:
    """The references of one injury, fitted on the (weighted) training rows."""

    logistic: LogisticBaseline
    acwr: AcwrRule
    base_rate: float

    @classmethod
    def fit(cls, train: pd.DataFrame, kind: str) -> Baselines:
        label = label_column(kind)
        fitted = train.dropna(subset=[label])
        y, w = fitted[label].to_numpy(), fitted[WEIGHT].to_numpy()
        return cls(
            logistic=LogisticBaseline.fit(fitted, y, w, list(FEATURES)),
            acwr=AcwrRule.fit(fitted["acwr_rolling"], y, w),
            base_rate=float(np.average(y, weights=w)),
        )


@dataclass(frozen=True)
class Evaluation:
    metrics: dict[str, float]
    plots: list[Path]


@dataclass
class HeldOut:
    """Accumulates scored test chunks; ``evaluate`` judges the model, oracles and baselines on all of them."""

    model: InjuryRiskModel
    baselines: dict[str, Baselines]
    seed: int
    importance_rows: int = 20000
    day_stride: int = 1
    _columns: dict[str, dict[str, list[np.ndarray]]] = field(default_factory=dict)
    _codes: dict[str, list[np.ndarray]] = field(default_factory=dict)
    _long: dict[str, dict[str, list[np.ndarray]]] = field(default_factory=dict)
    _long_codes: dict[str, list[np.ndarray]] = field(default_factory=dict)
    _onsets: dict[str, int] = field(default_factory=dict)
    _sample: pd.DataFrame | None = None
    _athletes: int = 0
    rows: int = 0

    def add(self, rows: pd.DataFrame) -> None:
        """Score a chunk of test rows (ordered by athlete and date, as ``labelled_span`` gives them)."""
        rows = scored_days(rows, self.day_stride)
        if not len(rows):
            return
        codes = pd.factorize(rows["athlete_id"])[0] + self._athletes
        predicted = self.model.predict_risk(rows)
        self._athletes = int(codes.max()) + 1
        self.rows += len(rows)
        for kind in INJURIES:
            label = label_column(kind)
            usable = rows[label].notna() & rows[f"oracle_{kind}"].notna() & rows[f"oracle_fair_{kind}"].notna()
            usable = usable.to_numpy()
            part = rows[usable]
            baseline = self.baselines[kind]
            columns = {
                "label": part[label].to_numpy(),
                "truth": part[f"oracle_{kind}"].to_numpy(),
                "oracle_fair": part[f"oracle_fair_{kind}"].to_numpy(),
                "model": predicted[kind].to_numpy()[usable],
                "logistic": baseline.logistic.predict(part),
                "acwr": baseline.acwr.predict(part["acwr_rolling"]),
            }
            _keep(self._columns, self._codes, kind, columns, codes[usable])
            self._onsets[kind] = self._onsets.get(kind, 0) + onsets(part, label)
            if long_label_column(kind) in rows:
                self._add_long(rows, predicted[kind].to_numpy(), codes, kind)
        self._keep_for_importance(rows)

    def _add_long(self, rows: pd.DataFrame, predicted: np.ndarray, codes: np.ndarray, kind: str) -> None:
        """Keep what the 28-day figures need: rows whose 28 days are observed, with the model's 28-day risk."""
        label, truth, fair = long_label_column(kind), long_oracle_column(kind), long_oracle_column(kind, fair=True)
        usable = (rows[label].notna() & rows[truth].notna() & rows[fair].notna()).to_numpy()
        columns = {
            "label": rows[label].to_numpy()[usable],
            "truth": rows[truth].to_numpy()[usable],
            "oracle_fair": rows[fair].to_numpy()[usable],
            "model": risk_over_days(predicted[usable], self.model.horizon_days),
        }
        _keep(self._long, self._long_codes, kind, columns, codes[usable])

    def _keep_for_importance(self, rows: pd.DataFrame) -> None:
        # Every row with an onset ahead, and the importance_rows others with the smallest random keys so far: a
        # uniform sample of the other rows whatever the number of chunks.
        labels = rows[[label_column(k) for k in INJURIES]]
        positive = (labels == 1).any(axis=1).to_numpy()
        keys = np.random.default_rng([self.seed, self.rows]).random(len(rows))
        keys[positive] = -1.0
        frame = rows[[*FEATURES, *labels.columns]].assign(_key=keys)
        if self._sample is not None:
            frame = pd.concat([self._sample, frame], ignore_index=True)
        others = frame["_key"] >= 0
        limit = np.sort(frame.loc[others, "_key"].to_numpy())[: self.importance_rows]
        cut = limit[-1] if len(limit) else -1.0
        self._sample = frame[~others | (frame["_key"] <= cut)].reset_index(drop=True)

    def evaluate(
        self, replicates: int, plots: bool, interval_rows: int | None = None, map_work: MapWork = map
    ) -> Evaluation:
        """Every metric and plot per injury; once only, since it releases the scored chunks as it goes.
        ``map_work``: how the figures of each injury and horizon are computed (e.g. ``ChunkWorkers.map``, which
        spreads them over processes; the bootstrap intervals are most of the evaluation's time)."""
        metrics: dict[str, float] = {}
        figures: list[Figures] = []
        for kind in INJURIES:
            if kind not in self._columns:
                continue
            kept, codes = _released(self._columns, self._codes, kind)
            y, truth = kept["label"], kept["truth"]
            predictions = {
                "model": kept["model"],
                "oracle": truth,
                "oracle_fair": kept["oracle_fair"],
                "logistic": kept["logistic"],
                "acwr": kept["acwr"],
                "base_rate": np.full(len(y), self.baselines[kind].base_rate),
            }
            figures.append(Figures(kind, y, predictions, codes, replicates, self.seed, interval_rows))
            metrics.update(_decile_metrics(kind, truth, predictions["model"]))
            metrics[f"{kind}_base_rate"] = self.model.base_rates[kind]
            metrics[f"{kind}_test_onsets"] = float(self._onsets[kind])
            metrics[f"{kind}_test_rows"] = float(len(y))
            figures += self._long_figures(kind, replicates, interval_rows, metrics)
        computed = map_work(injury_figures, figures)  # under way in the workers while the plots are drawn here
        paths = self._plots(figures) if plots else []
        for part in computed:
            metrics.update(part)
        return Evaluation(metrics=metrics, plots=paths)

    def _plots(self, figures: list[Figures]) -> list[Path]:
        """ROC, reliability, truth, decile and importance plots of each injury's 7-day figures."""
        from training.evaluation import plots as plotting

        paths: list[Path] = []
        folder = Path(tempfile.mkdtemp(prefix="injury-risk-plots-"))
        for part in figures:
            kind, y = part.name, part.observed.astype(np.float64)
            if kind not in INJURIES or not 0 < y.sum() < len(y):
                continue
            predictions = {name: values.astype(np.float64) for name, values in part.predictions.items()}
            paths += [
                plotting.roc_plot(kind, y, predictions, folder),
                plotting.reliability_plot(kind, y, predictions, folder),
                plotting.truth_plot(kind, predictions["oracle"], predictions, folder),
                plotting.decile_plot(kind, y, predictions["model"], folder),
                plotting.importance_plot(kind, self._importance(kind), folder),
            ]
        return paths

    def _long_figures(
        self, kind: str, replicates: int, interval_rows: int | None, metrics: dict[str, float]
    ) -> list[Figures]:
        """The 28-day risk of ``kind``, to be judged as the 7-day one is, under the names of
        ``long_horizon_name(kind)``: against the true 28-day risk and the 28-day onsets, beside both 28-day oracles
        and the base rate carried over 28 days (its decile figures added to ``metrics`` here). None when the test
        rows carried no 28-day labels."""
        if kind not in self._long:
            return []
        kept, codes = _released(self._long, self._long_codes, kind)
        y, truth, name = kept["label"], kept["truth"], long_horizon_name(kind)
        base_rate = risk_over_days(np.array([self.baselines[kind].base_rate]), self.model.horizon_days)[0]
        predictions = {
            "model": kept["model"],
            "oracle": truth,
            "oracle_fair": kept["oracle_fair"],
            "base_rate": np.full(len(y), base_rate),
        }
        metrics.update(_decile_metrics(name, truth, predictions["model"]))
        metrics[f"{name}_test_rows"] = float(len(y))
        # An athlete's neighbouring rows share most of their 28 days (weekly rows three of four weeks): the intervals
        # resample every fourth row or fewer, at a quarter of the cost, and only for the headline figures; point
        # estimates use every row.
        thinned = min(interval_rows or len(y), max(len(y) // 4, 1))
        return [Figures(name, y, predictions, codes, replicates, self.seed, thinned, headline_intervals=True)]

    def _importance(self, kind: str) -> pd.Series:
        label = label_column(kind)
        assert self._sample is not None
        rows = self._sample[self._sample[label].notna()]
        classifier = self.model.classifiers[kind]
        return permutation_importance(
            lambda frame: classifier.probability(frame[FEATURES].astype("float64")),
            rows,
            rows[label].to_numpy(dtype=float),
            list(FEATURES),
            self.seed,
            max_rows=self.importance_rows,
        )


def _keep(
    kept: dict[str, dict[str, list[np.ndarray]]],
    kept_codes: dict[str, list[np.ndarray]],
    kind: str,
    columns: dict[str, np.ndarray],
    codes: np.ndarray,
) -> None:
    """Append one chunk's columns of an injury (as float32) and their athletes' codes to what is kept."""
    store = kept.setdefault(kind, {name: [] for name in columns})
    for name, values in columns.items():
        store[name].append(values.astype(np.float32))
    kept_codes.setdefault(kind, []).append(codes.astype(np.int32))


def _released(
    kept: dict[str, dict[str, list[np.ndarray]]], kept_codes: dict[str, list[np.ndarray]], kind: str
) -> tuple[dict[str, np.ndarray], np.ndarray]:
    """One injury's kept chunks joined (float32, as kept) and released."""
    columns = {name: np.concatenate(parts) for name, parts in kept.pop(kind).items()}
    return columns, np.concatenate(kept_codes.pop(kind))


@dataclass(frozen=True)
class Figures:
    """What ``evaluate_injury`` needs to judge one injury over one horizon (columns as kept, float32; the base rate
    float64): small enough to send to a worker process."""

    name: str
    observed: np.ndarray
    predictions: dict[str, np.ndarray]
    codes: np.ndarray
    replicates: int
    seed: int
    interval_rows: int | None
    headline_intervals: bool = False


def injury_figures(figures: Figures) -> dict[str, float]:
    """``evaluate_injury`` of ``figures``, in float64; the true risk is the ``oracle`` prediction."""
    predictions = {name: values.astype(np.float64) for name, values in figures.predictions.items()}
    return evaluate_injury(
        figures.name,
        figures.observed.astype(np.float64),
        predictions,
        figures.codes,
        figures.replicates,
        figures.seed,
        predictions["oracle"],
        figures.interval_rows,
        figures.headline_intervals,
    )


def _decile_metrics(name: str, truth: np.ndarray, predicted: np.ndarray) -> dict[str, float]:
    """Mean predicted and mean true risk per decile of the predicted risk, as metrics named after ``name``."""
    metrics = {}
    for decile in truth_deciles(truth.astype(np.float64), predicted.astype(np.float64)):
        number = int(decile["decile"])
        metrics[f"{name}_truth_decile_{number}_mean_predicted"] = decile["mean_predicted"]
        metrics[f"{name}_truth_decile_{number}_mean_true"] = decile["mean_true"]
    return metrics


def onsets(rows: pd.DataFrame, label: str) -> int:
    """Distinct onsets ahead of the rows: each onset labels up to H rows before it, so an onset is a run of
    consecutive positive rows of an athlete."""
    positive = rows[label].to_numpy() == 1
    athlete = rows["athlete_id"].to_numpy()
    dates = rows["date"].to_numpy()
    starts = positive.copy()
    starts[1:] &= ~(positive[:-1] & (athlete[1:] == athlete[:-1]) & (dates[1:] - dates[:-1] == np.timedelta64(1, "D")))
    return int(starts.sum())

"""The promotion gate: the ``challenger`` becomes ``champion`` only if it is no worse on every injury, judged by the
expected ROC AUC and expected Brier score against the true risk.

Both versions are scored on the same frozen evaluation cohort: a simulation with its own seed (settings
``promotion_*``), so neither model trained on it and the comparison is the same whichever model trained when.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field

import mlflow
import numpy as np
import pandas as pd
from mlflow.exceptions import MlflowException
from sklearn.metrics import brier_score_loss, roc_auc_score

from training.domain.schema import INJURIES
from training.evaluation.truth import expected_auc, expected_brier
from training.fitting.labels import label_column, labelled_rows
from training.model.registry import run_of, use_tracking
from training.model.risk_model import InjuryRiskModel
from training.settings import Settings
from training.simulation.simulate import SimulationConfig, simulate

CHALLENGER_ALIAS = "challenger"


@dataclass
class PromotionDecision:
    challenger: str | None
    champion_before: str | None
    promoted: bool
    reason: str
    per_injury: dict[str, dict[str, float]] = field(default_factory=dict)


def frozen_rows(settings: Settings) -> pd.DataFrame:
    """Labelled rows of the frozen evaluation cohort, simulated once and cached under ``data_dir/promotion``."""
    path = (
        settings.data_dir
        / "promotion"
        / (
            f"rows-seed{settings.promotion_seed}-{settings.promotion_athletes}x{settings.promotion_days}"
            f"-h{settings.horizon_days}.parquet"
        )
    )
    if path.exists():
        return pd.read_parquet(path)
    simulation = simulate(
        SimulationConfig(
            athletes=settings.promotion_athletes, days=settings.promotion_days, seed=settings.promotion_seed
        )
    )
    rows = labelled_rows(simulation, settings.horizon_days, warmup_days=42)
    path.parent.mkdir(parents=True, exist_ok=True)
    rows.to_parquet(path, index=False)
    return rows


def compare(
    challenger: InjuryRiskModel, champion: InjuryRiskModel, rows: pd.DataFrame, settings: Settings
) -> dict[str, dict[str, float]]:
    """Both models per injury on the same rows, and whether the challenger passes.

    The headline figures decide: expected ROC AUC and expected Brier score against the simulator's true risk
    (``oracle_<kind>``), which are not at the mercy of a few hundred onsets; on rows without the truth, the ROC AUC and
    Brier score against the realised onsets. Both kinds are reported.
    """
    ours, theirs = challenger.predict_risk(rows), champion.predict_risk(rows)
    out = {}
    for kind in INJURIES:
        truth_column = f"oracle_{kind}"
        usable = rows[label_column(kind)].notna()
        if truth_column in rows:
            usable &= rows[truth_column].notna()
        usable_rows = rows[usable]
        y = usable_rows[label_column(kind)].to_numpy(dtype=float)
        truth = usable_rows[truth_column].to_numpy(dtype=float) if truth_column in rows else None
        result: dict[str, float] = {"onset_rows": float(y.sum())}
        for who, predicted in (("challenger", ours), ("champion", theirs)):
            p = predicted.loc[usable.to_numpy(), kind].to_numpy()
            result[f"{who}_roc_auc"] = float(roc_auc_score(y, p)) if 0 < y.sum() < len(y) else float("nan")
            result[f"{who}_brier"] = float(brier_score_loss(y, p))
            if truth is not None:
                result[f"{who}_expected_auc"] = expected_auc(truth, p)
                result[f"{who}_expected_brier"] = expected_brier(truth, p)
        ranking, loss = ("expected_auc", "expected_brier") if truth is not None else ("roc_auc", "brier")
        auc_ok = np.isnan(result[f"champion_{ranking}"]) or (
            result[f"challenger_{ranking}"] >= result[f"champion_{ranking}"] - settings.promotion_auc_tolerance
        )
        brier_ok = result[f"challenger_{loss}"] <= result[f"champion_{loss}"] * (1 + settings.promotion_brier_tolerance)
        result["passes"] = float(bool(auc_ok and brier_ok))
        out[kind] = result
    return out


def promote(
    settings: Settings, rows: pd.DataFrame | None = None, recent_rows: pd.DataFrame | None = None
) -> PromotionDecision:
    """Move the champion alias to the challenger if it is no worse on every injury; log the comparison to its run.

    ``recent_rows``: labelled rows of real athletes' recent outcomes, compared on too (``recent_*`` figures); an
    injury's comparison there decides only with ``monitoring_min_onsets_for_auc`` onsets, fewer say nothing."""
    client = use_tracking(settings)
    name, champion_alias = settings.model_name, settings.model_alias
    try:
        challenger = client.get_model_version_by_alias(name, CHALLENGER_ALIAS)
    except MlflowException:
        return PromotionDecision(None, None, False, "no challenger registered")
    try:
        champion = client.get_model_version_by_alias(name, champion_alias)
    except MlflowException:
        client.set_registered_model_alias(name, champion_alias, challenger.version)
        decision = PromotionDecision(str(challenger.version), None, True, "first model: no champion to compare with")
        _log(client, run_of(challenger), decision)
        return decision
    if champion.version == challenger.version:
        return PromotionDecision(
            str(challenger.version), str(champion.version), False, "challenger is already champion"
        )
    ours, theirs = _registered(name, challenger.version), _registered(name, champion.version)
    per_injury = compare(ours, theirs, frozen_rows(settings) if rows is None else rows, settings)
    if recent_rows is not None and len(recent_rows):
        for kind, recent in compare(ours, theirs, recent_rows, settings).items():
            judged = recent["onset_rows"] >= settings.monitoring_min_onsets_for_auc
            per_injury[kind].update({f"recent_{k}": v for k, v in recent.items()}, recent_judged=float(judged))
            if judged and not recent["passes"]:
                per_injury[kind]["passes"] = 0.0
    failing = [kind for kind, r in per_injury.items() if not r["passes"]]
    promoted = not failing
    if promoted:
        client.set_registered_model_alias(name, champion_alias, challenger.version)
    reason = "no worse on every injury" if promoted else f"worse than the champion on {', '.join(failing)}"
    decision = PromotionDecision(str(challenger.version), str(champion.version), promoted, reason, per_injury)
    _log(client, run_of(challenger), decision)
    return decision


def _registered(name: str, version: str) -> InjuryRiskModel:
    model: InjuryRiskModel = mlflow.pyfunc.load_model(f"models:/{name}/{version}").unwrap_python_model()
    return model


def _log(client: mlflow.MlflowClient, run_id: str, decision: PromotionDecision) -> None:
    for kind, figures in decision.per_injury.items():
        for key, value in figures.items():
            client.log_metric(run_id, f"promotion_{kind}_{key}", value)
    client.log_text(run_id, json.dumps(asdict(decision), indent=1), f"promotion/version-{decision.challenger}.json")
    client.set_tag(run_id, "promotion", f"{'promoted' if decision.promoted else 'kept champion'}: {decision.reason}")

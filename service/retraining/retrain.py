"""`injury-risk retrain`: a challenger trained on a simulated cohort plus the stored athletes of consented tenants
whose outcomes are known, judged by the promotion gate on the frozen simulated cohort and on the recent real
outcomes it did not learn from. Training logs the figures and the decision to the challenger's MLflow run."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from mlflow.tracking import MlflowClient

from service.db.session import Database
from service.retraining.outcome_rows import outcome_rows
from training.fitting.chunks import CohortSource
from training.fitting.train import TrainingConfig, TrainingResult, train_model
from training.model.registry import use_tracking
from training.settings import Settings
from training.simulation.simulate import Simulation


@dataclass(frozen=True)
class Retrained:
    training: TrainingResult
    promoted: bool
    tenants: list[str]
    athletes: int
    real_train_rows: int
    recent_rows: int


def retrain(
    settings: Settings,
    cohort: Simulation | CohortSource,
    config: TrainingConfig,
    today: dt.date | None = None,
) -> Retrained:
    """Train and gate a challenger; outcomes count up to yesterday (today's injuries may not be recorded yet)."""
    observed_until = (today or dt.datetime.now(dt.UTC).date()) - dt.timedelta(days=1)
    database = Database(settings, bounded=False)  # long reads, as the batch job's
    try:
        real = outcome_rows(database, settings, observed_until)
    finally:
        database.dispose()
    result = train_model(cohort, settings, config, real_rows=real.train, recent_rows=real.recent)
    client: MlflowClient = use_tracking(settings)
    for key, value in {
        "retrain_tenants": ",".join(real.tenants) or "-",
        "retrain_athletes": real.athletes,
        "retrain_recent_rows": len(real.recent),
        "retrain_observed_until": observed_until.isoformat(),
    }.items():
        client.log_param(result.run_id, key, value)
    champion = client.get_model_version_by_alias(settings.model_name, settings.model_alias)
    return Retrained(
        result,
        str(champion.version) == result.model_version,
        real.tenants,
        real.athletes,
        len(real.train),
        len(real.recent),
    )

"""MLflow tracking and registry access: where runs go and how the served model is found."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import mlflow
from mlflow.entities.model_registry import ModelVersion
from mlflow.exceptions import MlflowException
from mlflow.tracking import MlflowClient

from training.model.risk_model import InjuryRiskModel
from training.settings import Settings

MODEL_CARD_ARTIFACT = "model_card.md"


class ModelNotRegisteredError(RuntimeError):
    """No model version carries the alias the service is asked to serve."""


@dataclass(frozen=True)
class ServedModel:
    """A registered model version loaded for scoring, with what the API reports about it."""

    name: str
    version: str
    alias: str
    run_id: str
    trained_at: str
    metrics: dict[str, float]
    model: InjuryRiskModel
    model_card: str | None = None

    @property
    def feature_distribution(self) -> dict[str, dict[str, list[float]]]:
        """The training population's feature distribution that monitoring compares recent assessments with."""
        # A model pickled before distributions were saved has no such attribute.
        return getattr(self.model, "feature_distribution", {})


def use_tracking(settings: Settings) -> MlflowClient:
    """Point MLflow at the configured tracking store and make sure the experiment exists."""
    settings.mlruns_dir.mkdir(parents=True, exist_ok=True)
    mlflow.set_tracking_uri(settings.resolved_tracking_uri())
    mlflow.set_registry_uri(settings.resolved_tracking_uri())
    client = MlflowClient()
    if client.get_experiment_by_name(settings.experiment_name) is None:
        client.create_experiment(settings.experiment_name, artifact_location=settings.artifact_location())
    mlflow.set_experiment(settings.experiment_name)
    return client


def has_model(settings: Settings) -> bool:
    client = use_tracking(settings)
    try:
        client.get_model_version_by_alias(settings.model_name, settings.model_alias)
    except MlflowException:
        return False
    return True


def run_of(version: ModelVersion) -> str:
    """The run that logged ``version``: every version here is registered from a training run."""
    if version.run_id is None:
        raise MlflowException(f"model version {version.name}/{version.version} was not logged by a run")
    return version.run_id


def load_served_model(settings: Settings) -> ServedModel:
    """Load the version behind ``model_name@model_alias`` or raise ModelNotRegisteredError saying how to make one."""
    client = use_tracking(settings)
    try:
        version = client.get_model_version_by_alias(settings.model_name, settings.model_alias)
    except MlflowException as error:
        raise ModelNotRegisteredError(
            f"no model '{settings.model_name}' with alias '{settings.model_alias}' "
            f"in {settings.resolved_tracking_uri()}; "
            "train one with `injury-risk simulate` then `injury-risk train` (or run `make serve`)"
        ) from error
    pyfunc = mlflow.pyfunc.load_model(f"models:/{settings.model_name}@{settings.model_alias}")
    model = pyfunc.unwrap_python_model()
    for classifier in model.classifiers.values():
        classifier.tables  # noqa: B018 - compiled at load, not inside the first request or by each scoring thread
    run_id = run_of(version)
    run = client.get_run(run_id)
    return ServedModel(
        name=settings.model_name,
        version=str(version.version),
        alias=settings.model_alias,
        run_id=run_id,
        trained_at=_iso(run.info.end_time or run.info.start_time),
        metrics=dict(run.data.metrics),
        model=model,
        model_card=_model_card(run_id),
    )


def served_version(settings: Settings) -> str | None:
    """The version number the serving alias points at now, or None: a cheap check before reloading."""
    client = use_tracking(settings)
    try:
        return str(client.get_model_version_by_alias(settings.model_name, settings.model_alias).version)
    except MlflowException:
        return None


def _model_card(run_id: str) -> str | None:
    try:
        return mlflow.artifacts.load_text(f"runs:/{run_id}/{MODEL_CARD_ARTIFACT}")
    except (MlflowException, OSError):
        return None  # versions trained before model cards existed


def _iso(millis: int) -> str:
    return datetime.fromtimestamp(millis / 1000, tz=UTC).isoformat(timespec="seconds")

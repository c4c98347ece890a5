"""The one settings class of the product: every knob is an ``INJURY_RISK_*`` environment variable."""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Settings for training, serving and batch scoring, read from the environment (prefix ``INJURY_RISK_``)."""

    model_config = SettingsConfigDict(env_prefix="INJURY_RISK_", env_file=None, extra="ignore")

    data_dir: Path = Field(Path("data"), description="Where generated cohorts, imports and the SQLite database live.")
    mlruns_dir: Path = Field(Path("mlruns"), description="Local MLflow folder: tracking database and artifacts.")
    tracking_uri: str | None = Field(
        None,
        description="MLflow tracking URI; default is a SQLite store inside mlruns_dir. Set it for a remote server.",
    )
    experiment_name: str = Field("injury-risk", description="MLflow experiment that training runs are logged to.")
    model_name: str = Field("injury-risk", description="Registered model name in the MLflow registry.")
    model_alias: str = Field("champion", description="Registry alias the service serves.")
    horizon_days: int = Field(7, ge=1, le=28, description="Risk horizon: onset within this many days after as_of.")
    max_log_days: int = Field(366, ge=28, le=3660, description="Longest daily log POST /v1/risk accepts, in days.")
    max_activities: int = Field(3000, ge=1, description="Most runs plus strength sessions in one POST /v1/risk body.")
    host: str = Field("127.0.0.1", description="Address the API listens on.")
    port: int = Field(8000, ge=1, le=65535, description="Port the API listens on.")
    workers: int = Field(
        default_factory=lambda: available_cores(),
        ge=1,
        le=256,
        description="Server processes `injury-risk serve` starts (default: the cores this process may run on).",
    )
    bootstrap_athletes: int = Field(
        42000,
        ge=50,
        description="Cohort size make serve simulates (chunk by chunk, not stored) when no model exists: three "
        "quarters are test athletes, for at least 300 test onsets of each injury.",
    )
    bootstrap_days: int = Field(365, ge=90, description="Days per athlete make serve simulates when no model exists.")
    seed: int = Field(7, description="Seed for simulation and training when none is given.")
    promotion_auc_tolerance: float = Field(
        0.005,
        ge=0,
        description="Promotion gate: the challenger's expected ROC AUC (against the true risk) may be this much "
        "below the champion's.",
    )
    promotion_brier_tolerance: float = Field(
        0.01,
        ge=0,
        description="Promotion gate: the challenger's expected Brier score may be this fraction above the champion's.",
    )
    promotion_athletes: int = Field(2000, ge=50, description="Athletes of the frozen cohort the promotion gate uses.")
    promotion_days: int = Field(365, ge=90, description="Days of the frozen promotion cohort.")
    promotion_seed: int = Field(20240601, description="Seed of the frozen promotion cohort (unlike any training seed).")
    model_poll_seconds: float = Field(
        0, ge=0, description="The service re-reads the served alias this often and loads a new version; 0 = never."
    )
    monitoring_min_onsets_for_auc: int = Field(
        30,
        ge=1,
        description="Monitoring gives an injury's realised ROC AUC once its judged assessments hold this many onsets.",
    )
    monitoring_psi_threshold: float = Field(
        0.2,
        gt=0,
        description="Monitoring flags a feature whose population stability index (recent assessments against the "
        "training population) is above this.",
    )
    monitoring_drift_min_assessments: int = Field(
        100, ge=1, description="Assessments with stored features monitoring needs before it flags drift."
    )
    monitoring_metrics_window_days: int = Field(
        90,
        ge=0,
        le=3660,
        description="/metrics carries the monitoring figures of every tenant's assessments of this many last days "
        "(0: no monitoring figures in /metrics).",
    )
    monitoring_metrics_refresh_seconds: float = Field(
        300, ge=0, description="/metrics computes the monitoring figures again at most this often."
    )
    retrain_consented_tenants: list[str] = Field(
        default_factory=list,
        description="Tenants (by name) whose stored athletes `injury-risk retrain` may learn from and judge on, as a "
        "JSON list: '[\"acme\"]'. Empty: none.",
    )
    retrain_outcome_days: int = Field(
        365, ge=28, le=3660, description="Days of stored athletes' outcomes, up to yesterday, retrain reads."
    )
    retrain_recent_days: int = Field(
        56,
        ge=7,
        le=3660,
        description="The last of those days are kept out of the challenger's training: the promotion gate judges "
        "champion and challenger on them.",
    )
    strength_sessions_per_week_budget: int = Field(
        2, ge=1, le=14, description="Strength sessions a week the recommended exercises must fit into."
    )
    strength_minutes_per_session: int = Field(
        40, ge=10, le=180, description="Minutes of each budgeted strength session."
    )
    load_target_relative_risk: float = Field(
        2.0, gt=0, description="Load guidance keeps every injury's modelled relative risk below this (2 = 'high' band)."
    )
    batch_threads: int = Field(
        default_factory=lambda: os.cpu_count() or 1, ge=1, description="Threads the local batch engine scores on."
    )
    drivers_per_risk: int = Field(3, ge=0, le=20, description="Top drivers explained per injury risk.")
    what_if_max_days: int = Field(14, ge=1, le=28, description="Furthest day after as_of a what-if plan may reach.")
    database_url: str | None = Field(
        None,
        description="SQLAlchemy URL of the service database; default a SQLite file in data_dir. "
        "PostgreSQL: postgresql+psycopg://user@host:5432/name.",
    )
    database_connect_timeout_s: float = Field(
        1.0, gt=0, le=60, description="Seconds a new database connection may take before the request gets a 503."
    )
    database_round_trip_timeout_s: float = Field(
        1.5,
        gt=0,
        le=600,
        description="Seconds an API request waits for one answer of PostgreSQL (a query, a commit) before it gives "
        "the connection up and answers 503; keep it above database_statement_timeout_ms.",
    )
    database_ping_timeout_s: float = Field(
        0.3, gt=0, le=60, description="Seconds the check of a pooled PostgreSQL connection at checkout may take."
    )
    database_statement_timeout_ms: int = Field(
        1000, ge=0, description="PostgreSQL statement_timeout of API connections (0 = none); a slower query is a 503."
    )
    database_lock_timeout_ms: int = Field(
        500, ge=0, description="PostgreSQL lock_timeout of API connections: longest wait for a row or table lock."
    )
    database_idle_in_transaction_timeout_ms: int = Field(
        10000,
        ge=0,
        description="PostgreSQL idle_in_transaction_session_timeout: the server ends a session that a cut-off client "
        "left inside a transaction, releasing its locks.",
    )
    database_tcp_user_timeout_ms: int = Field(
        1500, ge=0, description="libpq tcp_user_timeout: the kernel drops a connection whose data goes unacknowledged."
    )
    database_keepalives_idle_s: int = Field(
        5, ge=1, description="Seconds an idle PostgreSQL connection waits before TCP keepalive probes (1 s apart, 3)."
    )
    database_readiness_timeout_s: float = Field(
        0.8, gt=0, le=60, description="Longest /readyz waits for the database check before it answers 503."
    )
    database_pool_size: int = Field(5, ge=1, le=100, description="Connections the API keeps open to PostgreSQL.")
    database_max_overflow: int = Field(
        10, ge=0, le=100, description="Connections beyond database_pool_size opened under load and closed after."
    )
    database_pool_timeout_s: float = Field(
        1.0, gt=0, le=60, description="Seconds a request waits for a free pooled connection before a 503."
    )
    database_pool_recycle_s: int = Field(
        1800, ge=-1, description="Connections older than this are replaced (-1 = never); below any idle cut-off."
    )
    import_max_file_mb: float = Field(
        25.0,
        gt=0,
        le=1024,
        description="Largest activity file accepted by activities:import, once decompressed (a .gz or a zip member).",
    )
    import_max_files: int = Field(
        1000, ge=1, le=100_000, description="Most activity files in one import (zips opened)."
    )
    import_max_request_mb: float = Field(
        200.0, gt=0, le=10_240, description="Largest activities:import request body (its files together), as sent."
    )
    import_max_archive_mb: float = Field(
        200.0, gt=0, le=10_240, description="Most bytes one .zip of activity files may decompress to, members together."
    )
    auth_enabled: bool = Field(True, description="Require an API key on /v1; turn off only for a local demo.")
    auth_key_cache_s: float = Field(
        5.0,
        ge=0,
        description="Seconds a server process trusts an API key it checked before asking the database again; a key "
        "revoked through another process (or rotated by `injury-risk keys rotate`) still works here for up to this "
        "long. 0 = ask every time.",
    )
    max_request_bytes: int = Field(
        16 * 1024 * 1024, ge=1024, description="Largest request body; a larger one is refused with 413."
    )
    request_body_timeout_s: float = Field(
        30.0, gt=0, description="Seconds a client may take to send a request body before a 408."
    )
    rate_limit_per_minute: int = Field(
        0, ge=0, description="Requests a minute one API key may make (bursts of as many), per process; 0 = no limit."
    )
    server_keep_alive_s: int = Field(
        5, ge=1, description="Seconds `injury-risk serve` keeps an idle client connection open (uvicorn)."
    )
    server_max_header_bytes: int = Field(
        16 * 1024, ge=1024, description="Largest request headers; larger ones are refused with 431."
    )
    server_limit_concurrency: int = Field(
        0, ge=0, description="Connections plus tasks over which `injury-risk serve` answers 503 at once; 0 = none."
    )
    server_gc_young_threshold: int = Field(
        50_000,
        ge=0,
        description="Allocations between two of the garbage collector's young passes in a server process, whose "
        "start-up objects (model, app) are frozen out of every pass; 0 = Python's defaults (700, nothing frozen).",
    )
    server_graceful_shutdown_s: float = Field(
        10.0, gt=0, description="On SIGTERM, seconds requests in flight get to finish before the server exits."
    )

    metrics_enabled: bool = Field(
        True, description="Count requests, risks, refused keys and database errors and answer GET /metrics."
    )
    batch_metrics_file: Path | None = Field(
        None,
        description="A node-exporter textfile `injury-risk score` updates after each run (runs, athlete-days scored, "
        "last success); unset = none.",
    )
    log_format: Literal["json", "text"] = Field(
        "json", description="`injury-risk serve` logs one JSON object a line (json) or plain lines (text)."
    )
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = Field(
        "INFO", description="Lowest level `injury-risk serve` logs; INFO includes one access line per request."
    )

    def resolved_tracking_uri(self) -> str:
        if self.tracking_uri:
            return self.tracking_uri
        return f"sqlite:///{(self.mlruns_dir / 'mlflow.db').resolve()}"

    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'injury-risk.db').resolve()}"

    def artifact_location(self) -> str:
        return (self.mlruns_dir / "artifacts").resolve().as_uri()


def available_cores() -> int:
    # The cores this process may use (a container's cpuset), not every core of the host.
    affinity = getattr(os, "sched_getaffinity", None)
    return len(affinity(0)) if affinity else os.cpu_count() or 1


@lru_cache
def get_settings() -> Settings:
    return Settings()

"""The service's Prometheus metrics: requests, risks answered, refused keys, database errors, the model served."""

from __future__ import annotations

from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Gauge, Histogram, generate_latest, values
from prometheus_client.multiprocess import MultiProcessCollector

# prometheus-client's own switch: with it set before the library is imported, every process writes its values to
# files there and a scrape sums them (`injury-risk serve` sets it when it starts several workers).
MULTIPROCESS_ENV = "PROMETHEUS_MULTIPROC_DIR"

# Latency buckets in seconds: a stored-athlete read takes milliseconds, a long log's risk with load guidance up to a
# second or two; the 503 paths answer within the database timeouts (about 2 s).
LATENCY_BUCKETS_S = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)

# Why a key was refused; the client is told only "unknown or revoked" or "expired", the operator sees which.
AUTH_FAILURE_REASONS = ("missing", "unknown", "revoked", "expired")


class ServiceMetrics:
    """The metrics of one app, in a registry of its own (so that several apps in one process, as in the tests, do
    not collide); with several workers prometheus-client keeps the values in files that a scrape sums."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        self.requests = Counter(
            "injury_risk_http_requests",
            "HTTP requests answered, by method, route template and status.",
            ["method", "route", "status"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "injury_risk_http_request_duration_seconds",
            "Seconds from the request's arrival to the end of its answer, by method and route template.",
            ["method", "route"],
            buckets=LATENCY_BUCKETS_S,
            registry=self.registry,
        )
        self.risks = Counter(
            "injury_risk_risk_answers",
            "Injury risks answered (POST /v1/risk and stored-athlete risk), by injury and band.",
            ["injury", "band"],
            registry=self.registry,
        )
        self.auth_failures = Counter(
            "injury_risk_auth_failures",
            "Requests refused for their API key, by reason: missing, unknown, revoked, expired.",
            ["reason"],
            registry=self.registry,
        )
        self.database_errors = Counter(
            "injury_risk_database_errors",
            "Requests answered 503 because the database was unavailable or not migrated.",
            ["reason"],
            registry=self.registry,
        )
        # The most recent value any worker set wins, so a version a worker stopped serving (set to 0) drops out.
        self.model = Gauge(
            "injury_risk_model_served",
            "1 for the registered model name and version this service scores with, 0 for one it stopped serving.",
            ["name", "version"],
            registry=self.registry,
            multiprocess_mode="mostrecent",
        )
        self._served: tuple[str, str] | None = None
        for reason in AUTH_FAILURE_REASONS:
            # Every reason shows as 0 from the start, so a rate() over a refused-key counter has a series to read.
            self.auth_failures.labels(reason)

    def serving(self, name: str, version: str) -> None:
        """Record the model now served, and that the one before it (if any) no longer is."""
        if self._served == (name, version):
            return
        if self._served is not None:
            self.model.labels(*self._served).set(0)
        self.model.labels(name, version).set(1)
        self._served = (name, version)

    def answered(self, risks: list[tuple[str, str]]) -> None:
        """Count the risks of one answer, each an (injury, band) pair; a risk not scored has its status as band."""
        for injury, band in risks:
            self.risks.labels(injury, band).inc()

    def exposition(self) -> tuple[bytes, str]:
        """The scrape's body and content type: this process's registry, or every worker's files summed."""
        if multiprocess_mode():
            registry = CollectorRegistry()
            MultiProcessCollector(registry)
            return generate_latest(registry), CONTENT_TYPE_LATEST
        return generate_latest(self.registry), CONTENT_TYPE_LATEST


def multiprocess_mode() -> bool:
    """Whether prometheus-client keeps values in files: it decided when it was imported, from MULTIPROCESS_ENV."""
    return values.ValueClass is not values.MutexValue

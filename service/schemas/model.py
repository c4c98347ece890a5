"""Body of GET /v1/model."""

from __future__ import annotations

from pydantic import BaseModel


class ModelPublic(BaseModel):
    name: str
    version: str
    alias: str
    run_id: str
    trained_at: str
    horizon_days: int
    features: list[str]
    base_rates: dict[str, float]
    metrics: dict[str, float]
    model_card: str | None = None  # markdown: data, metrics vs baselines and oracles, intended use, limits

"""Batch results into the service database: one ``risk_assessments`` row per athlete-day, replaced on a re-run.

A run is one transaction. Each chunk first deletes the rows of the same athlete, day, model name and version, then
inserts the new ones with Core inserts, so a re-run never duplicates an athlete-day, and a failed run rolls back to
the rows that were there before. The transaction stays open from the first chunk to ``commit``: on PostgreSQL that
locks only the replaced rows; on SQLite other writers (the API) wait for it, so schedule large runs off-peak.

Rows have the shape ``service/repositories/assessments.store`` writes for GET /v1/athletes/{id}/risk: probabilities
``p_<kind>``, relative risks ``rr_<kind>``, ``rr_max``, the model, and ``drivers`` as one entry per injury with its
top drivers, built from the ``driver_<rank>_<kind>`` columns of the results (an empty list when they have none).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

import pandas as pd
from sqlalchemy import Connection, Engine, RootTransaction, delete, insert, select

from service.db.models import Athlete, RiskAssessment
from training.domain.schema import INJURIES
from training.model.explain import driver, number
from training.model.scoring import risk_column

if TYPE_CHECKING:
    from pyspark.sql import DataFrame as SparkFrame

# Bound parameters per IN (...) list and rows per INSERT batch; well under SQLite's and PostgreSQL's limits.
CHUNK_ROWS = 1000
_TABLE = RiskAssessment.metadata.tables[RiskAssessment.__tablename__]


class DatabaseSink:
    """ResultSink writing to ``risk_assessments`` through ``engine``; nothing is visible before ``commit``."""

    def __init__(
        self, engine: Engine, feature_ranges: dict[str, tuple[float, float]] | None = None, chunk_rows: int = CHUNK_ROWS
    ) -> None:
        self.engine = engine
        self.feature_ranges = feature_ranges or {}
        self.chunk_rows = chunk_rows
        self._connection: Connection | None = None
        self._transaction: RootTransaction | None = None
        # One creation time for the whole run: its rows were all assessed together.
        self._created_at = dt.datetime.now(dt.UTC)

    def missing_athletes(self, athlete_ids: Iterable[str]) -> list[str]:
        """The ids that are not athletes of the database (assessments can only be stored for stored athletes)."""
        wanted = sorted(set(athlete_ids))
        found: set[str] = set()
        with self.engine.connect() as connection:
            for chunk in _chunks(wanted, self.chunk_rows):
                found.update(connection.scalars(select(Athlete.id).where(Athlete.id.in_(chunk))))
        return [a for a in wanted if a not in found]

    def already_scored(
        self, athlete_ids: Iterable[str], first_day: dt.date, last_day: dt.date, model_name: str, model_version: str
    ) -> pd.DataFrame:
        """Athlete-days (athlete_id, as_of) of first_day..last_day already stored for this model name and version."""
        rows: list[tuple[str, dt.date]] = []
        query = select(RiskAssessment.athlete_id, RiskAssessment.as_of).where(
            RiskAssessment.model_name == model_name,
            RiskAssessment.model_version == model_version,
            RiskAssessment.as_of >= first_day,
            RiskAssessment.as_of <= last_day,
        )
        with self.engine.connect() as connection:
            for chunk in _chunks(sorted(set(athlete_ids)), self.chunk_rows):
                rows.extend(connection.execute(query.where(RiskAssessment.athlete_id.in_(chunk))).tuples())
        scored = pd.DataFrame(rows, columns=["athlete_id", "as_of"]).drop_duplicates()
        scored["as_of"] = pd.to_datetime(scored["as_of"])
        return scored

    def write(self, result: pd.DataFrame) -> None:
        if result.empty:
            return
        rows = assessment_rows(result, self.feature_ranges)
        connection = self._begin()
        by_day: dict[dt.date, list[str]] = {}
        for row in rows:
            by_day.setdefault(row["as_of"], []).append(row["athlete_id"])
        for day, athletes in by_day.items():
            for chunk in _chunks(athletes, self.chunk_rows):
                connection.execute(
                    delete(_TABLE).where(
                        _TABLE.c.as_of == day,
                        _TABLE.c.athlete_id.in_(chunk),
                        _TABLE.c.model_name == rows[0]["model_name"],
                        _TABLE.c.model_version == rows[0]["model_version"],
                    )
                )
        for chunk in _chunks(rows, self.chunk_rows):
            connection.execute(insert(_TABLE), [{**row, "created_at": self._created_at} for row in chunk])

    def write_spark(self, result: SparkFrame) -> None:
        # Rows come to the driver a partition at a time: a database holds far fewer athlete-days than Spark can.
        columns, batch = result.columns, []
        for row in result.toLocalIterator():
            batch.append(tuple(row))
            if len(batch) >= self.chunk_rows:
                self.write(pd.DataFrame(batch, columns=columns))
                batch = []
        self.write(pd.DataFrame(batch, columns=columns))

    def commit(self) -> None:
        if self._transaction is not None:
            self._transaction.commit()
        self._close()

    def discard(self) -> None:
        """Roll back what was not committed and release the engine's connections (the run is over)."""
        if self._transaction is not None and self._transaction.is_active:
            self._transaction.rollback()
        self._close()
        self.engine.dispose()

    def _begin(self) -> Connection:
        if self._connection is None:
            self._connection = self.engine.connect()
            self._transaction = self._connection.begin()
        return self._connection

    def _close(self) -> None:
        if self._connection is not None:
            self._connection.close()
        self._connection, self._transaction = None, None


def assessment_rows(result: pd.DataFrame, feature_ranges: dict[str, tuple[float, float]]) -> list[dict[str, Any]]:
    """Results (training/batch.py RESULT_COLUMNS, maybe with driver columns) as risk_assessments values."""
    probabilities = result[[risk_column(k) for k in INJURIES]].astype("float64")
    relative = result[[f"relative_risk_{k}" for k in INJURIES]].astype("float64")
    rr_max = relative.max(axis=1, skipna=True)
    days = pd.to_datetime(result["as_of"]).dt.date.to_numpy()
    drivers = drivers_json(result, feature_ranges)
    return [
        {
            "athlete_id": str(result["athlete_id"].iat[i]),
            "as_of": days[i],
            "model_name": str(result["model_name"].iat[i]),
            "model_version": str(result["model_version"].iat[i]),
            **{f"p_{k}": number(probabilities.iat[i, j]) for j, k in enumerate(INJURIES)},
            **{f"rr_{k}": number(relative.iat[i, j]) for j, k in enumerate(INJURIES)},
            "rr_max": number(rr_max.iat[i]),
            "drivers": drivers[i],
        }
        for i in range(len(result))
    ]


def drivers_json(result: pd.DataFrame, feature_ranges: dict[str, tuple[float, float]]) -> list[list[dict[str, Any]]]:
    """Per row, ``[{"injury": kind, "drivers": [Driver fields]}]`` for every injury, as the API stores it.

    Driver columns per injury and rank: ``driver_<rank>_<kind>`` (feature name, null when there are fewer drivers),
    ``..._value`` and ``..._contribution`` (signed log-odds). Results without them give an empty list per row.
    """
    ranks = 0
    while f"driver_{ranks + 1}_{INJURIES[0]}" in result.columns:
        ranks += 1
    if ranks == 0:
        return [[] for _ in range(len(result))]
    columns = {
        (rank, kind): (
            result[f"driver_{rank}_{kind}"].to_numpy(dtype=object),
            result[f"driver_{rank}_{kind}_value"].to_numpy(dtype="float64", na_value=math.nan),
            result[f"driver_{rank}_{kind}_contribution"].to_numpy(dtype="float64", na_value=math.nan),
        )
        for rank in range(1, ranks + 1)
        for kind in INJURIES
    }
    entries = []
    for i in range(len(result)):
        per_injury = []
        for kind in INJURIES:
            drivers = []
            for rank in range(1, ranks + 1):
                features, values, contributions = columns[(rank, kind)]
                if features[i] is None or pd.isna(features[i]):
                    continue
                drivers.append(
                    dataclasses.asdict(driver(str(features[i]), values[i], float(contributions[i]), feature_ranges))
                )
            per_injury.append({"injury": kind, "drivers": drivers})
        entries.append(per_injury)
    return entries


def _chunks(items: list[Any], size: int) -> Iterable[list[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]

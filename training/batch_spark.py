"""The Spark batch engine: the same feature function per group of athletes, the registered model as a Spark UDF.

Features: ``groupBy(bucket).applyInPandas`` calls ``training.features.compute_features`` on every athlete of a bucket
together. All rows of an athlete share its bucket, and features only look at one athlete's rows, so a bucket of many
athletes gives exactly the rows one-athlete groups would, without one pandas call per athlete (tens of milliseconds
of fixed cost each, which would dominate). Model: ``mlflow.pyfunc.spark_udf`` on ``models:/<name>/<version>`` with
``env_manager="local"``: workers use the driver's Python environment, so on a cluster install this package there.
Rows are checked on the driver before they reach Spark (``training/log_rules.py``), as for the local engine.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

import training
from training.batch import RESULT_COLUMNS, result_frame
from training.batch_output import ResultSink
from training.batch_tally import HIGH_BANDS, Tally
from training.features import FEATURES, INJURED_COLUMNS
from training.registry import ServedModel
from training.schema import INJURIES, Cohort
from training.scoring import add_risk

if TYPE_CHECKING:
    from pyspark.sql import DataFrame as SparkFrame
    from pyspark.sql import SparkSession

DEFAULT_MASTER = "local[*]"
# Athletes per pandas call: large enough to amortise the call, small enough to keep a worker's memory modest.
DEFAULT_ATHLETES_PER_GROUP = 500
_TABLE = "_table"
_BUCKET = "_bucket"
_SPAN_COLUMNS = ["athlete_id", "start", "end"]


def spark_session(master: str = DEFAULT_MASTER) -> SparkSession:
    """The running Spark session, or a new one on ``master`` whose Python workers can import this package."""
    from pyspark.sql import SparkSession

    # Workers must run this interpreter (it has pandas, pyarrow, sklearn) and find the training package.
    os.environ["PYSPARK_PYTHON"] = sys.executable
    package_root = str(Path(training.__file__).resolve().parent.parent)
    return (
        SparkSession.builder.master(master)
        .appName("injury-risk-score")
        .config("spark.sql.execution.arrow.pyspark.enabled", "true")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.sql.timestampType", "TIMESTAMP_NTZ")
        .config("spark.executorEnv.PYTHONPATH", package_root)
        .config("spark.ui.enabled", "false")
        # The job prints its own summary; stage bars would garble logs of scheduled runs.
        .config("spark.ui.showConsoleProgress", "false")
        .getOrCreate()
    )


def score_spark(
    cohort: Cohort,
    spans: pd.DataFrame,
    served: ServedModel,
    sink: ResultSink,
    spark: SparkSession,
    athletes_per_group: int = DEFAULT_ATHLETES_PER_GROUP,
) -> Tally:
    """Score every athlete-day of ``spans`` on Spark and hand the result to ``sink.write_spark``."""
    from mlflow.pyfunc import spark_udf
    from pyspark.sql import functions as F

    log = _long_log(cohort, spans, athletes_per_group)
    buckets = int(log[_BUCKET].max()) + 1
    frame = spark.createDataFrame(log).repartition(buckets, _BUCKET)
    features = frame.groupBy(_BUCKET).applyInPandas(_features_of_bucket, schema=_feature_schema())
    model = spark_udf(
        spark,
        f"models:/{served.name}/{served.version}",
        result_type=", ".join(f"{kind} double" for kind in INJURIES),
        env_manager="local",
    )
    probable = features.withColumn("_probability", model(F.struct(*FEATURES)))
    probable = probable.select(
        "athlete_id", "date", *INJURED_COLUMNS, *[F.col(f"_probability.{k}").alias(f"_p_{k}") for k in INJURIES]
    )
    finish = _finisher(served)
    result = probable.mapInPandas(finish, schema=_result_schema()).withColumn("as_of", F.col("as_of").cast("date"))
    result = result.persist()
    try:
        sink.write_spark(result)
        return _tally(result)
    finally:
        result.unpersist()


def _long_log(cohort: Cohort, spans: pd.DataFrame, athletes_per_group: int) -> pd.DataFrame:
    """The four tables and the spans stacked into one frame, tagged by table and by the athlete's bucket."""
    parts = [
        table.assign(**{_TABLE: name})
        for name, table in zip(("profiles", "runs", "strength", "injuries"), cohort.tables(), strict=True)
    ]
    parts.append(spans[_SPAN_COLUMNS].assign(**{_TABLE: "spans"}))
    log = pd.concat([p for p in parts if len(p)], ignore_index=True)
    codes, _ = pd.factorize(spans["athlete_id"].astype(object))
    bucket_of = pd.Series(codes // max(athletes_per_group, 1), index=spans["athlete_id"].astype(object).to_numpy())
    bucket_of = bucket_of[~bucket_of.index.duplicated(keep="last")]
    log[_BUCKET] = bucket_of.reindex(log["athlete_id"].astype(object)).fillna(-1).astype("int64").to_numpy()
    log = log[log[_BUCKET] >= 0]
    for column in log.columns:
        if log[column].dtype == "string":
            log[column] = log[column].astype(object)
    return log.reset_index(drop=True)


def _features_of_bucket(log: pd.DataFrame) -> pd.DataFrame:
    from training.features import compute_features
    from training.schema import INJURY_COLUMNS, PROFILE_COLUMNS, RUN_COLUMNS, STRENGTH_COLUMNS

    def table(name: str, columns: list[str]) -> pd.DataFrame:
        return log.loc[log[_TABLE] == name, columns].reset_index(drop=True)

    cohort = Cohort(
        profiles=table("profiles", PROFILE_COLUMNS),
        runs=table("runs", RUN_COLUMNS),
        strength=table("strength", STRENGTH_COLUMNS),
        injuries=table("injuries", INJURY_COLUMNS),
    )
    rows = compute_features(cohort, table("spans", _SPAN_COLUMNS))
    rows["athlete_id"] = rows["athlete_id"].astype(object)
    return rows


def _finisher(served: ServedModel):
    name, version, base_rates = served.name, served.version, dict(served.model.base_rates)

    def finish(batches: Iterator[pd.DataFrame]) -> Iterator[pd.DataFrame]:
        for rows in batches:
            probabilities = pd.DataFrame({k: rows.pop(f"_p_{k}").to_numpy(dtype="float64") for k in INJURIES})
            probabilities.index = rows.index
            result = result_frame(add_risk(rows, probabilities, base_rates), name, version)
            result["athlete_id"] = result["athlete_id"].astype(object)
            yield result

    return finish


def _feature_schema() -> str:
    return ", ".join(
        [
            "athlete_id string",
            "date timestamp_ntz",
            *[f"{f} double" for f in FEATURES],
            *[f"{c} boolean" for c in INJURED_COLUMNS],
        ]
    )


def _result_schema() -> str:
    types = {"athlete_id": "string", "as_of": "timestamp_ntz", "model_name": "string", "model_version": "string"}
    return ", ".join(f"{c} {types.get(c, 'string' if c.startswith('band_') else 'double')}" for c in RESULT_COLUMNS)


def _tally(result: SparkFrame) -> Tally:
    from pyspark.sql import functions as F

    high = [
        F.countDistinct(F.when(F.col(f"band_{k}").isin(*HIGH_BANDS), F.col("athlete_id"))).alias(k) for k in INJURIES
    ]
    row = result.agg(F.countDistinct("athlete_id").alias("athletes"), F.count("*").alias("days"), *high).first()
    tally = Tally(athletes=int(row["athletes"]), athlete_days=int(row["days"]))
    tally.high_risk_athletes = {k: int(row[k]) for k in INJURIES}
    return tally

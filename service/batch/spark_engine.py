"""The Spark batch engine: the local engine's scoring function applied per group of athletes.

``groupBy(bucket).applyInPandas`` calls ``service.batch.frames.scored_results`` (features, the model's probabilities and
top drivers) on every athlete of a bucket together. All rows of an athlete share its bucket, and features only look
at one athlete's rows, so a bucket of many athletes gives exactly the rows one-athlete groups would, without one
pandas call per athlete (tens of milliseconds of fixed cost each, which would dominate).

Model: the registered model the driver loaded (``models:/<name>/<version>``) goes to the workers as a Spark broadcast
variable, which is what ``mlflow.pyfunc.spark_udf`` does with a model too. A UDF was used before; it returns only
``predict``'s probabilities, while the drivers come from the same pass over the trees, so the broadcast replaced it.
Workers run the driver's Python (``PYSPARK_PYTHON``), so on a cluster install this package there.
Rows are checked on the driver before they reach Spark (``training/log_rules.py``), as for the local engine.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

import training
from service.batch.frames import DRIVER_COLUMNS, RESULT_COLUMNS, scored_results
from service.batch.input import COLUMNS
from service.batch.output import ResultSink
from service.batch.tally import HIGH_BANDS, Tally
from training.domain.schema import INJURIES, Cohort
from training.model.registry import ServedModel

if TYPE_CHECKING:
    from pyspark import Broadcast
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
    # pyspark is an optional extra: imported only when the Spark engine runs.
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
    # pyspark is an optional extra: imported only when the Spark engine runs.
    from pyspark.sql import functions as F

    log = _long_log(cohort, spans, athletes_per_group)
    buckets = int(log[_BUCKET].max()) + 1
    frame = spark.createDataFrame(log).repartition(buckets, _BUCKET)
    model = spark.sparkContext.broadcast(served)
    scorer = _scorer(model)
    result = frame.groupBy(_BUCKET).applyInPandas(scorer, schema=_result_schema())
    result = result.withColumn("as_of", F.col("as_of").cast("date")).persist()
    try:
        sink.write_spark(result)
        return _tally(result)
    finally:
        result.unpersist()
        model.destroy()


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


def _scorer(served: Broadcast[ServedModel]) -> Callable[[pd.DataFrame], pd.DataFrame]:
    def score_bucket(log: pd.DataFrame) -> pd.DataFrame:
        def table(table_name: str, columns: list[str]) -> pd.DataFrame:
            return log.loc[log[_TABLE] == table_name, columns].reset_index(drop=True)

        cohort = Cohort(**{name: table(name, columns) for name, columns in COLUMNS.items()})
        result = scored_results(cohort, table("spans", _SPAN_COLUMNS), served.value)
        result["athlete_id"] = result["athlete_id"].astype(object)
        for column in result.columns:
            if isinstance(result[column].dtype, pd.CategoricalDtype):
                result[column] = result[column].astype(object)
        return result

    return score_bucket


def _result_schema() -> str:
    text = {"athlete_id", "model_name", "model_version"} | {c for c in RESULT_COLUMNS if c.startswith("band_")}
    text |= {c for c in DRIVER_COLUMNS if not c.endswith(("_value", "_contribution"))}
    types = {c: "string" for c in text} | {"as_of": "timestamp_ntz"}
    return ", ".join(f"{c} {types.get(c, 'double')}" for c in RESULT_COLUMNS)


def _tally(result: SparkFrame) -> Tally:
    # pyspark is an optional extra: imported only when the Spark engine runs.
    from pyspark.sql import functions as F

    high = [
        F.countDistinct(F.when(F.col(f"band_{k}").isin(*HIGH_BANDS), F.col("athlete_id"))).alias(k) for k in INJURIES
    ]
    row = result.agg(F.countDistinct("athlete_id").alias("athletes"), F.count("*").alias("days"), *high).first()
    assert row is not None  # an aggregate without grouping always has one row
    tally = Tally(athletes=int(row["athletes"]), athlete_days=int(row["days"]))
    tally.high_risk_athletes = {k: int(row[k]) for k in INJURIES}
    return tally

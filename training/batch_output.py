"""Where batch results go: a parquet dataset partitioned by day, replaced (never appended) on a re-run.

Layout: ``<out>/as_of=YYYY-MM-DD/part-*.parquet`` holding RESULT_COLUMNS except ``as_of`` (it is the partition
key), plus ``<out>/_summary.json`` and ``<out>/_rejects.csv``; readers of parquet datasets (pandas, pyarrow, Spark)
skip names that start with ``_``. A database sink for issue 3 implements the same ResultSink protocol.
"""

from __future__ import annotations

import shutil
import uuid
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

import pandas as pd
import pyarrow as pa
import pyarrow.dataset as ds

if TYPE_CHECKING:
    from pyspark.sql import DataFrame as SparkFrame

PARTITION = "as_of"


class ResultSink(Protocol):
    """Receives scored rows; ``commit`` makes them visible, replacing earlier results for the same days."""

    def write(self, result: pd.DataFrame) -> None: ...

    def write_spark(self, result: SparkFrame) -> None: ...

    def commit(self) -> None: ...


class ParquetSink:
    """Chunks are staged under ``<out>/_staging-<id>/`` and moved into place day by day only on ``commit``.

    A failed run therefore leaves the previous results of every day untouched, and a re-run replaces whole days.
    """

    def __init__(self, out: Path, flush_rows: int = 2_000_000) -> None:
        self.out = out
        self.flush_rows = flush_rows
        self._staging = out / f"_staging-{uuid.uuid4().hex[:12]}"
        self._chunk = 0
        self._buffer: list[pa.Table] = []
        self._buffered = 0

    def write(self, result: pd.DataFrame) -> None:
        if result.empty:
            return
        self._buffer.append(_arrow(result))
        self._buffered += len(result)
        if self._buffered >= self.flush_rows:
            self._flush()

    def _flush(self) -> None:
        # One write per many chunks: a year of days is 365 partitions, and files per partition cost more than rows.
        if not self._buffer:
            return
        table = pa.concat_tables(self._buffer)
        self._buffer, self._buffered = [], 0
        ds.write_dataset(
            table,
            self._staging,
            format="parquet",
            partitioning=ds.partitioning(pa.schema([(PARTITION, pa.date32())]), flavor="hive"),
            basename_template=f"part-{self._chunk:05d}-{{i}}.parquet",
            existing_data_behavior="overwrite_or_ignore",
            max_partitions=100_000,
        )
        self._chunk += 1

    def write_spark(self, result: SparkFrame) -> None:
        # Spark writes its own part files into the staging folder; commit moves whole days as for local chunks.
        result.write.mode("overwrite").partitionBy(PARTITION).parquet(str(self._staging))

    def commit(self) -> None:
        self._flush()
        self.out.mkdir(parents=True, exist_ok=True)
        if self._staging.is_dir():
            for day in sorted(self._staging.glob(f"{PARTITION}=*")):
                target = self.out / day.name
                if target.exists():
                    shutil.rmtree(target)
                day.rename(target)
        self.discard()

    def discard(self) -> None:
        self._buffer, self._buffered = [], 0
        shutil.rmtree(self._staging, ignore_errors=True)


def _arrow(result: pd.DataFrame) -> pa.Table:
    """Results as arrow, sorted by day, with plain string columns (repeated values are cheap as categories first)."""
    frame = result.sort_values(PARTITION, kind="stable")
    text = [c for c in frame.columns if c != "athlete_id" and frame[c].dtype == object]
    frame = frame.astype({c: "category" for c in text})
    table = pa.Table.from_pandas(frame, preserve_index=False)
    fields = [
        pa.field(f.name, pa.date32()) if f.name == PARTITION
        else pa.field(f.name, pa.string()) if pa.types.is_dictionary(f.type) or f.name == "athlete_id"
        else f
        for f in table.schema
    ]
    return table.cast(pa.schema(fields))


def write_rejects(rejects: pd.DataFrame, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    rejects.to_csv(path, index=False)


def read_results(out: Path) -> pd.DataFrame:
    """The stored results as one frame with ``as_of`` as a datetime column, sorted by day and athlete."""
    frame = pd.read_parquet(out)
    frame[PARTITION] = pd.to_datetime(frame[PARTITION].astype(str))
    return frame.sort_values([PARTITION, "athlete_id"]).reset_index(drop=True)

"""Where batch results go: a parquet dataset partitioned by day, replaced (never appended) on a re-run.

Layout: ``<out>/as_of=YYYY-MM-DD/part-*.parquet`` holding RESULT_COLUMNS except ``as_of`` (it is the partition
key), plus ``<out>/_summary.json`` and ``<out>/_rejects.csv``; readers of parquet datasets (pandas, pyarrow, Spark)
skip names that start with ``_``. ``training/batch_db_output.DatabaseSink`` implements the same ResultSink protocol
for ``risk_assessments``.
"""

from __future__ import annotations

import datetime as dt
import shutil
import uuid
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.dataset as ds
import pyarrow.parquet as pq

if TYPE_CHECKING:
    from pyspark.sql import DataFrame as SparkFrame

PARTITION = "as_of"


class ResultSink(Protocol):
    """Receives scored rows; ``commit`` makes them visible, replacing earlier results for the same days.

    ``already_scored`` lists the stored athlete-days of a model version (``--since-last-run``); ``discard`` drops
    whatever was not committed and is safe to call after ``commit``.
    """

    def already_scored(
        self, athlete_ids: Iterable[str], first_day: dt.date, last_day: dt.date, model_name: str, model_version: str
    ) -> pd.DataFrame: ...

    def write(self, result: pd.DataFrame) -> None: ...

    def write_spark(self, result: SparkFrame) -> None: ...

    def commit(self) -> None: ...

    def discard(self) -> None: ...


class ParquetSink:
    """Chunks are staged under ``<out>/_staging-<id>/`` and moved into place day by day only on ``commit``.

    A failed run therefore leaves the previous results of every day untouched, and a re-run replaces whole days.
    With ``keep_other_athletes`` (``--since-last-run``, which scores only some athletes of a day) a day's earlier
    rows of athletes this run did not score are kept in the replaced day.
    """

    def __init__(self, out: Path, flush_rows: int = 2_000_000, keep_other_athletes: bool = False) -> None:
        self.out = out
        self.flush_rows = flush_rows
        self.keep_other_athletes = keep_other_athletes
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
                    if self.keep_other_athletes:
                        _merge_earlier_rows(day, target)
                    shutil.rmtree(target)
                day.rename(target)
        self.discard()

    def discard(self) -> None:
        self._buffer, self._buffered = [], 0
        shutil.rmtree(self._staging, ignore_errors=True)

    def already_scored(
        self, athlete_ids: Iterable[str], first_day: dt.date, last_day: dt.date, model_name: str, model_version: str
    ) -> pd.DataFrame:
        """Athlete-days (athlete_id, as_of) of first_day..last_day in the dataset with this model name and version."""
        wanted = set(athlete_ids)
        frames = []
        for day in pd.date_range(first_day, last_day, freq="D"):
            folder = self.out / f"{PARTITION}={day.date()}"
            if not folder.is_dir():
                continue
            rows = ds.dataset(folder, format="parquet").to_table(columns=["athlete_id", "model_name", "model_version"])
            frame = rows.to_pandas()
            frame = frame[
                (frame["model_name"] == model_name) & (frame["model_version"] == model_version)
                & frame["athlete_id"].isin(wanted)
            ]
            frames.append(pd.DataFrame({"athlete_id": frame["athlete_id"].astype(object), PARTITION: day}))
        if not frames:
            return pd.DataFrame({"athlete_id": pd.Series(dtype=object), PARTITION: pd.Series(dtype="datetime64[ns]")})
        return pd.concat(frames, ignore_index=True)


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


def _merge_earlier_rows(staged_day: Path, earlier_day: Path) -> None:
    """Rewrite a staged day as one file holding its rows plus the earlier rows of athletes it does not hold.

    One file rather than an extra part: parts with different columns (results gained driver columns) would be read
    back with the columns of whichever part a reader opens first.
    """
    staged = ds.dataset(staged_day, format="parquet").to_table()
    earlier = ds.dataset(earlier_day, format="parquet").to_table()
    kept = earlier.filter(pc.invert(pc.is_in(earlier["athlete_id"], value_set=staged["athlete_id"])))
    if kept.num_rows == 0:
        return
    merged = pa.concat_tables([staged, kept], promote_options="permissive")
    parts = list(staged_day.iterdir())
    pq.write_table(merged, staged_day / "part-merged.parquet")
    for part in parts:
        part.unlink()

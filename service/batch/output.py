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
from collections.abc import Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

import numpy as np
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

    def __init__(
        self, out: Path, flush_rows: int = 2_000_000, keep_other_athletes: bool = False, threads: int = 1
    ) -> None:
        self.out = out
        self.flush_rows = flush_rows
        self.keep_other_athletes = keep_other_athletes
        self.threads = max(threads, 1)
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
        """One file per day for all buffered chunks: a year is 365 partitions, and files cost more than rows."""
        if not self._buffer:
            return
        tables, self._buffer, self._buffered = self._buffer, [], 0
        parts: dict[dt.date, list[pa.Table]] = {}
        for table in tables:
            for day, rows in _days_of(table):
                parts.setdefault(day, []).append(rows)
        name = f"part-{self._chunk:05d}.parquet"
        self._chunk += 1

        def write_day(day: dt.date) -> None:
            folder = self._staging / f"{PARTITION}={day.isoformat()}"
            folder.mkdir(parents=True, exist_ok=True)
            _write_file(pa.concat_tables(parts[day]), folder / name)

        # The parquet writer releases the GIL, so days are written side by side.
        with ThreadPoolExecutor(max_workers=self.threads, thread_name_prefix="write") as pool:
            list(pool.map(write_day, parts))

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
                (frame["model_name"] == model_name)
                & (frame["model_version"] == model_version)
                & frame["athlete_id"].isin(wanted)
            ]
            frames.append(pd.DataFrame({"athlete_id": frame["athlete_id"].astype(object), PARTITION: day}))
        if not frames:
            return pd.DataFrame({"athlete_id": pd.Series(dtype=object), PARTITION: pd.Series(dtype="datetime64[ns]")})
        return pd.concat(frames, ignore_index=True)


def _arrow(result: pd.DataFrame) -> pa.Table:
    """Results as arrow, sorted by day. Texts other than ``athlete_id`` (bands, driver names, the model) arrive as
    categoricals and stay dictionaries: the parquet writer then stores their codes as they are instead of hashing
    every text."""
    days = result[PARTITION].to_numpy(dtype="datetime64[ns]").view("int64")
    table = pa.Table.from_pandas(result, preserve_index=False)
    if len(days) and (np.diff(days) < 0).any():
        table = table.take(pa.array(np.argsort(days, kind="stable")))
    fields = [
        pa.field(f.name, pa.date32())
        if f.name == PARTITION
        else pa.field(f.name, pa.string())
        if f.name == "athlete_id"
        else f
        for f in table.schema
    ]
    return table.cast(pa.schema(fields))


def _days_of(table: pa.Table) -> Iterator[tuple[dt.date, pa.Table]]:
    """The rows of each day of a table sorted by day, without the day column (the partition holds it)."""
    days = table[PARTITION].combine_chunks().cast(pa.int32()).to_numpy()
    body = table.drop_columns([PARTITION])
    starts = np.flatnonzero(np.r_[True, days[1:] != days[:-1]])
    for start, end in zip(starts, [*starts[1:], len(days)], strict=True):
        yield _EPOCH + dt.timedelta(days=int(days[start])), body.slice(start, end - start)


_EPOCH = dt.date(1970, 1, 1)


def _write_file(table: pa.Table, path: Path) -> None:
    # Dictionary pages only pay off for the repeated texts (as dictionaries from _arrow, as plain strings when a day
    # is merged with rows read back); trying them on the scores' distinct doubles costs time for nothing. Without the
    # arrow schema in the file, readers see the texts as plain strings, as Spark writes them.
    text = [
        f.name
        for f in table.schema
        if f.name != "athlete_id" and (pa.types.is_dictionary(f.type) or pa.types.is_string(f.type))
    ]
    pq.write_table(table, path, use_dictionary=text, store_schema=False, row_group_size=1 << 20)


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
    _write_file(merged, staged_day / "part-merged.parquet")
    for part in parts:
        part.unlink()

"""The absent-days trap on the real Lövdal file: the same rows read as one complete log per athlete (unknown days as
rest, the earlier import path), as the import's logs (one per stretch of observed days, from its first day: what the
API and the batch score) and as one log per row from its window's first day (what training and evaluation read).

Prints, for the paper's test rows, the strongest single feature of each reading and whether the single-feature leak
guard stops it. The file is read from the path given (it is not shipped):

    .venv/bin/python benchmarks/lovdal_absent_days.py ../shared/data/lovdal/day_approach_maskedID_timeseries.csv.gz
"""

from __future__ import annotations

import argparse
from pathlib import Path

import pandas as pd

from training.evaluation.leak_guards import LeakError, check_single_features
from training.features import FEATURES, compute_features, days_to_score
from training.lovdal.importer import DAY_ZERO, WINDOW_DAYS, import_lovdal, paper_split, read_as_rest, read_day_file
from training.lovdal.row_logs import row_features


def rows_read_as_rest(path: Path, frame: pd.DataFrame) -> pd.DataFrame:
    """Each row's features from the imported days as one continuous log per athlete, absent days read as rest."""
    cohort = read_as_rest(import_lovdal(path))
    every = compute_features(cohort, days_to_score(cohort))
    scored = DAY_ZERO + pd.to_timedelta(frame["Date"] + WINDOW_DAYS - 1, unit="D")
    key = pd.DataFrame({"athlete_id": frame["Athlete ID"].astype(int).astype(str), "date": scored})
    return key.merge(every.assign(athlete_id=every["athlete_id"].astype(str)), on=["athlete_id", "date"], how="left")


def rows_of_stretches(path: Path, frame: pd.DataFrame) -> pd.DataFrame:
    """Each row's features from the import's logs: the stretch of observed days holding the row, from its start."""
    result = import_lovdal(path)
    spans = result.logs.drop(columns="athlete_id").rename(
        columns={"log_id": "athlete_id", "log_start": "start", "last_day": "end"}
    )
    every = compute_features(result.cohort, spans[["athlete_id", "start", "end"]])
    every = every.assign(athlete_id=every["athlete_id"].astype(str).str.split(":").str[0])
    scored = DAY_ZERO + pd.to_timedelta(frame["Date"] + WINDOW_DAYS - 1, unit="D")
    key = pd.DataFrame({"athlete_id": frame["Athlete ID"].astype(int).astype(str), "date": scored})
    return key.merge(every, on=["athlete_id", "date"], how="left")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path", type=Path)
    path = parser.parse_args().path
    frame = read_day_file(path)
    test, y = paper_split(frame), frame["injury"].to_numpy()
    as_rest = rows_read_as_rest(path, frame)
    print(f"km_prev_7d is 0 on {(as_rest.loc[y == 1, 'km_prev_7d'] == 0).mean():.1%} of injury rows read as rest")
    for name, rows in (
        ("absent days read as rest", as_rest),
        ("the import's logs, one per stretch of observed days", rows_of_stretches(path, frame)),
        ("each row a log from its window start", row_features(frame)),
    ):
        try:
            aucs = check_single_features(rows[test], y[test], FEATURES, name)
            best = max(aucs, key=aucs.__getitem__)
            print(f"{name}: passes; strongest single feature {best} at ROC AUC {aucs[best]:.3f}")
        except LeakError as error:
            print(f"{name}: STOPPED. {error}")


if __name__ == "__main__":
    main()

"""Stored athletes of consented tenants as labelled feature rows: each day scored as the service would have scored
it, labelled with the injuries recorded after it (the training label), split in time into rows a challenger learns
from and later rows the promotion gate judges on."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd

from service.batch.db_input import read_tenant
from service.batch.input import BatchInputError
from service.db.session import Database
from training.features import compute_features, days_to_score
from training.fitting.labels import onset_labels
from training.settings import Settings


@dataclass(frozen=True)
class OutcomeRows:
    train: pd.DataFrame  # labels end before the recent period starts
    recent: pd.DataFrame  # the last retrain_recent_days of outcomes
    tenants: list[str]  # consented tenants that had athletes
    athletes: int


def outcome_rows(database: Database, settings: Settings, observed_until: dt.date) -> OutcomeRows:
    """Rows of every consented tenant's athletes for the ``retrain_outcome_days`` whose horizon ends by
    ``observed_until``. Other tenants are never read."""
    horizon = settings.horizon_days
    last = observed_until - dt.timedelta(days=horizon)
    first = observed_until - dt.timedelta(days=settings.retrain_outcome_days)
    frames, read = [], []
    for tenant in settings.retrain_consented_tenants:
        try:
            cohort = read_tenant(database, tenant, first, observed_until, settings.max_log_days).cohort
        except BatchInputError:
            continue  # no such tenant, or no athletes: nothing to learn from
        spans = days_to_score(cohort, as_of=pd.Timestamp(last), start=pd.Timestamp(first))
        rows = compute_features(cohort, spans)
        if rows.empty:
            continue
        until = pd.Series(pd.Timestamp(observed_until), index=rows["athlete_id"].unique())
        labels = onset_labels(rows, cohort.injuries, until, horizon)
        frames.append(pd.concat([rows, labels], axis=1))
        read.append(tenant)
    if not frames:
        empty = pd.DataFrame()
        return OutcomeRows(empty, empty, read, 0)
    rows = pd.concat(frames, ignore_index=True)
    recent_start = pd.Timestamp(last - dt.timedelta(days=settings.retrain_recent_days - 1))
    # A training row's label window ends before the first recent day: the gate judges on outcomes not learned from.
    train = rows[rows["date"] + pd.Timedelta(days=horizon) < recent_start]
    recent = rows[rows["date"] >= recent_start]
    return OutcomeRows(train, recent, read, int(rows["athlete_id"].nunique()))

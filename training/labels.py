"""Labels: did an injury of each kind start within the horizon after a scored day."""

from __future__ import annotations

import numpy as np
import pandas as pd

from training.schema import INJURIES


def label_column(kind: str) -> str:
    return f"label_{kind}"


def onset_labels(rows: pd.DataFrame, injuries: pd.DataFrame, observed_until: pd.Series, horizon_days: int) -> pd.DataFrame:
    """``label_<kind>`` per row of ``rows`` (athlete_id, date, injured_<kind>): 1.0 if an onset of that kind falls in
    days t+1..t+horizon, 0.0 if not, NaN where the row cannot be labelled.

    A row is unlabelled for a kind while the athlete already has that injury, and when the horizon runs past
    ``observed_until`` (per athlete id), since an onset there would go unseen.
    """
    order = rows.sort_values("date", kind="stable").index
    left = rows.loc[order, ["athlete_id", "date"]]
    end = rows["athlete_id"].map(observed_until)
    censored = (rows["date"] + pd.Timedelta(days=horizon_days)) > end
    labels = pd.DataFrame(index=rows.index)
    for kind in INJURIES:
        onsets = injuries.loc[injuries["kind"] == kind, ["athlete_id", "onset"]].sort_values("onset")
        nxt = pd.merge_asof(
            left, onsets, left_on="date", right_on="onset", by="athlete_id",
            direction="forward", allow_exact_matches=False,
        )
        nxt.index = order
        nxt = nxt.reindex(rows.index)
        gap = (nxt["onset"] - nxt["date"]).dt.days
        label = (gap <= horizon_days).astype("float64")
        excluded = censored | rows[f"injured_{kind}"].astype(bool)
        labels[label_column(kind)] = np.where(excluded, np.nan, label)
    return labels

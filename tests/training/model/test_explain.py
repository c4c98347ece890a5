"""Drivers come from the model's own arithmetic: contributions plus the base rebuild the calibrated log-odds."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from service.batch.frames import BATCH_DRIVERS, scored_results
from tests.conftest import Trained
from training.domain.schema import INJURIES
from training.features import days_to_score
from training.model.explain import contributions, driver_column, top_drivers
from training.model.narration import describe
from training.model.registry import ServedModel
from training.model.scoring import score
from training.model.tree_tables import rank_contributions


@pytest.fixture(scope="module")
def scored_rows(trained: Trained) -> pd.DataFrame:
    cohort = trained.simulation.cohort
    athletes = cohort.profiles["athlete_id"].iloc[:6].tolist()
    day = pd.Timestamp(trained.simulation.config.start_date) + pd.Timedelta(days=150)
    few = cohort.for_athletes(athletes)
    return score(few, days_to_score(few, as_of=day, start=day - pd.Timedelta(days=2)), trained.result.model)


@pytest.mark.parametrize("kind", INJURIES)
def test_contributions_plus_base_reconstruct_the_calibrated_log_odds(trained: Trained, scored_rows, kind: str):
    model = trained.result.model
    explained = contributions(model, scored_rows, kind)
    expected = model.classifiers[kind].log_odds(scored_rows.reindex(columns=model.features).astype("float64"))
    assert len(scored_rows) >= 12
    np.testing.assert_allclose(explained.log_odds().to_numpy(), expected, rtol=0, atol=1e-6)


def test_contributions_differ_between_athletes(trained: Trained, scored_rows):
    values = contributions(trained.result.model, scored_rows, "mtss").values
    assert values.abs().sum().sum() > 0
    assert not np.allclose(values.iloc[0].to_numpy(), values.iloc[-1].to_numpy())


def test_top_drivers_are_the_largest_contributions_with_direction_range_and_sentence(trained: Trained, scored_rows):
    model = trained.result.model
    row = scored_rows.iloc[0]
    drivers = top_drivers(model, row, "pfps", count=3)
    everything = contributions(model, row.to_frame().T, "pfps").values.iloc[0]
    assert [d.feature for d in drivers] == everything.abs().sort_values(ascending=False).index[: len(drivers)].tolist()
    for driver in drivers:
        assert driver.direction == ("raises" if driver.contribution > 0 else "lowers")
        assert (driver.usual_low, driver.usual_high) == pytest.approx(model.feature_ranges[driver.feature])
        assert driver.sentence.endswith(f"this {driver.direction} your risk.")


def test_spike_driver_reads_as_a_sentence_about_the_longest_run():
    sentence = describe("longest_run_spike_pct", 0.45, 0.0, 0.3, "raises")
    assert sentence == (
        "Your longest run this week was 45% longer than any in the previous 30 days (above the usual range); "
        "this raises your risk."
    )


def test_batch_driver_columns_name_the_drivers_the_api_gives_for_the_same_row(trained: Trained):
    model, cohort = trained.result.model, trained.simulation.cohort
    few = cohort.for_athletes(cohort.profiles["athlete_id"].iloc[:6].tolist())
    day = pd.Timestamp(trained.simulation.config.start_date) + pd.Timedelta(days=150)
    spans = days_to_score(few, as_of=day, start=day - pd.Timedelta(days=2))
    results = scored_results(few, spans, ServedModel("injury-risk", "1", "champion", "", "", {}, model))
    rows = score(few, spans, model)
    assert results["athlete_id"].tolist() == rows["athlete_id"].tolist()
    compared = 0
    for (_, row), (_, result) in zip(rows.iterrows(), results.iterrows(), strict=True):
        for kind in INJURIES:
            single = [] if row[f"injured_{kind}"] else top_drivers(model, row, kind, count=BATCH_DRIVERS)
            names = [result[driver_column(kind, rank)] for rank in range(1, BATCH_DRIVERS + 1)]
            assert [n for n in names if isinstance(n, str)] == [d.feature for d in single]
            for rank, driver in enumerate(single, start=1):
                assert result[driver_column(kind, rank, "contribution")] == driver.contribution
                # A driver whose feature is missing has no value: None in the API, NaN in a batch column.
                expected = float("nan") if driver.value is None else driver.value
                assert result[driver_column(kind, rank, "value")] == pytest.approx(expected, nan_ok=True)
            compared += len(single)
    assert compared >= len(rows) * 2


def test_ranking_takes_largest_magnitudes_first_breaks_ties_by_feature_order_and_skips_zeros():
    values = np.array([[0.1, -0.5, 0.5, 0.0], [0.0, 0.0, 0.0, 0.0], [0.0, 0.0, 0.0, -2.0]])
    features, chosen = rank_contributions(values, 3)
    assert features.tolist() == [[1, 2, 0], [-1, -1, -1], [3, -1, -1]]
    np.testing.assert_array_equal(chosen, [[-0.5, 0.5, 0.1], [np.nan] * 3, [-2.0, np.nan, np.nan]])

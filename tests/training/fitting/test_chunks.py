"""Cohorts in chunks: each chunk made again identically, roles per chunk, rows of a chunk as of the whole cohort."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from training.domain.schema import INJURIES
from training.fitting.chunk_work import ChunkRecipe, ChunkWorkers, FittingWork, ScoringWork, sample_rows
from training.fitting.chunks import ChunkedCohort, Shares, chunk_roles, chunks, periods
from training.fitting.held_out import WEIGHT
from training.fitting.labels import label_column, labelled_rows, labelled_span, scored_days
from training.simulation.simulate import Simulation, SimulationConfig, simulate

SHARES = Shares(seed=1, test_share=0.75, calibration_share=0.1, test_period_share=0.6)


def test_a_chunk_simulated_again_is_the_same_and_ids_never_repeat_across_chunks():
    cohort = ChunkedCohort(SimulationConfig(athletes=25, days=60, seed=3), chunk_athletes=10)
    first, again = simulate(cohort.chunk_config(1)), simulate(cohort.chunk_config(1))
    pd.testing.assert_frame_equal(first.oracle, again.oracle)
    pd.testing.assert_frame_equal(first.cohort.runs, again.cohort.runs)
    ids = [set(simulate(cohort.chunk_config(k)).cohort.profiles["athlete_id"]) for k in range(cohort.count)]
    assert sum(len(i) for i in ids) == 25 and len(set().union(*ids)) == 25
    assert cohort.chunk_config(0).seed != cohort.chunk_config(1).seed


def test_chunk_roles_follow_the_shares_and_give_every_role_a_chunk():
    roles = chunk_roles(20, SHARES)
    assert (roles.count("test"), roles.count("calibration"), roles.count("train")) == (15, 2, 3)
    assert sorted(chunk_roles(3, SHARES)) == ["calibration", "test", "train"]


def test_training_passes_never_simulate_a_test_chunk():
    cohort = ChunkedCohort(SimulationConfig(athletes=40, days=60, seed=3), chunk_athletes=10)
    seen = [set(chunk.roles) for chunk in chunks(cohort, SHARES, frozenset({"train", "calibration"}))]
    assert seen and all(roles <= {"train", "calibration"} for roles in seen)
    assert len(seen) == chunk_roles(cohort.count, SHARES).count("train") + 1


def test_rows_of_some_athletes_and_days_are_those_of_the_whole_cohort(simulation: Simulation):
    whole = labelled_rows(simulation, 7, warmup_days=42)
    athletes = pd.Index(simulation.cohort.profiles["athlete_id"].iloc[::7].astype(object))
    first, last = pd.Timestamp("2024-04-01"), pd.Timestamp("2024-06-30")
    part = labelled_span(simulation, 7, first, last, athletes)
    expected = whole[whole["athlete_id"].isin(athletes) & whole["date"].between(first, last)]
    # The true risks are differences of running sums over other athletes' days too: equal to rounding.
    pd.testing.assert_frame_equal(part.reset_index(drop=True), expected.reset_index(drop=True), rtol=1e-9, atol=1e-15)


def test_sampled_rows_keep_every_onset_and_weights_restore_the_totals(simulation: Simulation):
    rows = labelled_rows(simulation, 7, warmup_days=42)
    sample = sample_rows(rows, 0.2, np.random.default_rng(0))
    for kind in INJURIES:
        label = label_column(kind)
        assert (sample[label] == 1).sum() == (rows[label] == 1).sum()
    assert sample[WEIGHT].sum() == pytest.approx(len(rows), rel=0.02)
    assert all(sample[f].dtype == np.float32 for f in ("km_7d", "acwr_ewma"))


def test_chunks_made_by_worker_processes_give_the_rows_made_in_process():
    cohort = ChunkedCohort(SimulationConfig(athletes=48, days=120, seed=5), chunk_athletes=6)
    span = periods(cohort.config, warmup_days=42, test_period_share=0.6)
    recipe = ChunkRecipe(cohort, SHARES, log_start_share=0.3, seed=1, horizon_days=7, span=span)
    fitting = cohort.plan(SHARES, frozenset({"train", "calibration"}))
    tests = cohort.plan(SHARES, frozenset({"test"}))
    made = {}
    for workers in (1, 2):
        with ChunkWorkers(cohort, workers, chunks=len(fitting) + len(tests)) as pool:
            assert pool.workers == workers
            made[workers] = (
                list(pool.map(FittingWork(recipe, 0.2), fitting)),
                list(pool.map(ScoringWork(recipe, day_stride=7), tests)),
            )
    (sampled, tested), (pooled_sampled, pooled_tested) = made[1], made[2]
    assert [s.counts for s in sampled] == [s.counts for s in pooled_sampled]
    for alone, pooled in zip(sampled, pooled_sampled, strict=True):
        assert alone.parts.keys() == pooled.parts.keys()
        for role in alone.parts:
            pd.testing.assert_frame_equal(alone.parts[role], pooled.parts[role])
    assert sum(len(rows) for rows in tested) > 0
    for alone, pooled in zip(tested, pooled_tested, strict=True):
        pd.testing.assert_frame_equal(alone, pooled)


def test_scored_days_keep_one_day_in_seven_of_each_athlete_whatever_the_chunking(simulation: Simulation):
    rows = labelled_rows(simulation, 7, warmup_days=42)
    whole = scored_days(rows, 7)
    first = rows["athlete_id"].isin(rows["athlete_id"].unique()[:5])
    parts = pd.concat([scored_days(rows[first], 7), scored_days(rows[~first], 7)])
    pd.testing.assert_frame_equal(whole, parts.loc[whole.index])
    assert len(parts) == len(whole)
    per_athlete = rows.groupby("athlete_id", observed=True).size()
    kept = whole.groupby("athlete_id", observed=True).size()
    assert ((kept - per_athlete / 7).abs() <= 1).all()
    pd.testing.assert_frame_equal(scored_days(whole, 7), whole)

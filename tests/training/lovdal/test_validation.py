"""The product's pipeline on Lövdal-format files: each row a log from its window start, every learner on the paper
split and in grouped cross-validation, the leak guards, and a simulator model's transfer."""

from __future__ import annotations

import math
from pathlib import Path

import mlflow
import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import roc_auc_score

from tests.conftest import Trained, store_settings
from training.features import FEATURES
from training.known_log import FEATURE_WINDOW_DAYS
from training.lovdal.importer import METRICS, WINDOW_DAYS, column, read_day_file, synthetic_day_file
from training.lovdal.learners import LEARNERS
from training.lovdal.marginal_plots import PLOT_FILES
from training.lovdal.report import run_lovdal
from training.lovdal.row_logs import row_cohort, row_features
from training.lovdal.validation import validate_lovdal


def test_each_row_is_scored_from_its_own_window_only(shared_head: Path):
    frame = read_day_file(shared_head)
    rows = row_features(frame)
    assert len(rows) == len(frame)
    week = frame[[column("total km", d) for d in range(WINDOW_DAYS)]].sum(axis=1)
    np.testing.assert_allclose(rows["km_7d"], week, atol=1e-9)
    for name, window in FEATURE_WINDOW_DAYS.items():
        assert rows[name].isna().all() == (window > WINDOW_DAYS), name
    assert len(METRICS) * WINDOW_DAYS == 70


# The protocol is tested with the two cheapest learners; the tree baselines are pinned on their own below.
QUICK = [learner for learner in LEARNERS if learner.name in ("product", "logistic")]


@pytest.mark.slow
def test_learners_are_reported_on_the_paper_split_and_in_grouped_cv(day_file: Path, trained: Trained):
    result = validate_lovdal(
        day_file, folds=2, repeats=1, replicates=30, transfer_model=trained.result.model, learners=QUICK
    )
    metrics = result.metrics
    for learner in QUICK:
        auc = metrics[f"{learner.name}_paper_roc_auc"]
        assert (
            metrics[f"{learner.name}_paper_roc_auc_ci_low"] <= auc <= metrics[f"{learner.name}_paper_roc_auc_ci_high"]
        )
        assert metrics[f"{learner.name}_cv_roc_auc_folds"] == 2
    # The generated injuries follow the 7-day load, which the product's 7-day features see.
    assert metrics["product_paper_roc_auc"] > 0.6
    assert 0.0 <= metrics["transfer_paper_roc_auc"] <= 1.0 and not math.isnan(metrics["transfer_all_roc_auc"])
    assert metrics["leak_guard_max_single_auc"] <= 0.85
    assert result.data["test_rows"] == int(
        (pd.read_csv(day_file)["Athlete ID"] >= 14).sum()
    )  # the 10 highest of ids 0..23
    assert result.data["strongest_single_feature"] in [*FEATURES, *(column(m, d) for d in range(7) for m in METRICS)]


@pytest.mark.parametrize("name", ["raw_trees", "bagged"])
def test_tree_baselines_learn_injuries_that_follow_the_windows_load(name: str):
    frame = synthetic_day_file(athletes=10, days=80, seed=3)
    load = frame[[column("total km", d) for d in range(WINDOW_DAYS)]].sum(axis=1)
    y = (load > load.quantile(0.75)).to_numpy(dtype=int)  # enough injury rows for balanced bags to split
    x, groups = frame.astype("float64"), frame["Athlete ID"].to_numpy()
    train = groups < 7
    learner = next(learner for learner in LEARNERS if learner.name == name)
    scores = learner.fit(x[train], y[train], groups[train], 1)(x[~train])
    assert ((scores >= 0) & (scores <= 1)).all()
    assert roc_auc_score(y[~train], scores) > 0.8


def test_the_lovdal_run_is_logged_to_mlflow_with_its_model_card_section(day_file: Path, tmp_path: Path):
    settings = store_settings(tmp_path)
    run = run_lovdal(day_file, settings, folds=2, repeats=1, replicates=10, simulated_athletes=30, learners=QUICK[:1])
    logged = mlflow.get_run(run.run_id)
    assert logged.data.metrics["product_paper_roc_auc"] == pytest.approx(
        run.validation.metrics["product_paper_roc_auc"]
    )
    assert "Real runners" in mlflow.artifacts.load_text(f"runs:/{run.run_id}/real_runners.md")
    assert run.transfer_version is None and "no simulator-trained model" in run.section
    assert "| weekly_km_p50 |" in mlflow.artifacts.load_text(
        f"runs:/{run.run_id}/simulator_vs_real/simulator_vs_real.md"
    )
    logged_files = {Path(a.path).name for a in mlflow.MlflowClient().list_artifacts(run.run_id, "simulator_vs_real")}
    assert set(PLOT_FILES) <= logged_files


def test_a_lovdal_window_sent_to_the_api_reads_no_unobserved_day_as_rest(client, shared_head: Path):
    frame = read_day_file(shared_head).iloc[:3]
    rows = row_features(frame)
    cohort, spans = row_cohort(frame)
    for i, (athlete_id, day) in enumerate(zip(spans["athlete_id"], spans["end"], strict=True)):
        runs = cohort.runs[cohort.runs["athlete_id"] == athlete_id]
        body = {
            "athlete": {"age": 25, "sex": "M", "years_running": 8},
            "runs": [
                {
                    "id": f"r{j}",
                    "date": str(r.date.date()),
                    "km": r.km,
                    "km_threshold": r.km_threshold,
                    "km_interval": r.km_interval,
                    "km_sprint": r.km_sprint,
                }
                for j, r in enumerate(runs.itertuples())
            ],
            "as_of": str(day.date()),
            "log_start": str(cohort.profiles.set_index("athlete_id").loc[athlete_id, "log_start"].date()),
        }
        answer = client.post("/v1/risk", json=body)
        assert answer.status_code == 200, answer.text
        load = answer.json()["load"]
        assert load["km_28d"] is None and load["acwr_rolling"] is None and load["week_change_pct"] is None
        for name in ("km_7d", "longest_run_7d_km", "monotony_7d"):
            assert load[name] == pytest.approx(rows.loc[i, name], abs=1e-9), name

"""The product's pipeline on Lövdal-format files: each row a log from its window start, every learner on the paper
split and in grouped cross-validation, the leak guards, and a simulator model's transfer."""

from __future__ import annotations

import math
from pathlib import Path

import mlflow
import numpy as np
import pandas as pd
import pytest

from tests.conftest import Trained, store_settings
from training.features import FEATURES
from training.known_log import FEATURE_WINDOW_DAYS
from training.lovdal.importer import METRICS, WINDOW_DAYS, column, read_day_file, synthetic_day_file
from training.lovdal.learners import LEARNERS
from training.lovdal.report import run_lovdal
from training.lovdal.row_logs import row_features
from training.lovdal.validation import validate_lovdal

SHARED_FIXTURE = Path(__file__).resolve().parents[4] / "shared" / "data" / "lovdal_day_head.csv"


@pytest.fixture(scope="module")
def generated_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("lovdal-validation") / "day_approach.csv"
    synthetic_day_file(athletes=24, days=120, seed=2).to_csv(path, index=False)
    return path


@pytest.mark.skipif(not SHARED_FIXTURE.exists(), reason=f"shared Lövdal fixture not found at {SHARED_FIXTURE}")
def test_each_row_is_scored_from_its_own_window_only():
    frame = read_day_file(SHARED_FIXTURE)
    rows = row_features(frame)
    assert len(rows) == len(frame)
    week = frame[[column("total km", d) for d in range(WINDOW_DAYS)]].sum(axis=1)
    np.testing.assert_allclose(rows["km_7d"], week, atol=1e-9)
    for name, window in FEATURE_WINDOW_DAYS.items():
        assert rows[name].isna().all() == (window > WINDOW_DAYS), name
    assert len(METRICS) * WINDOW_DAYS == 70


def test_every_learner_is_reported_on_the_paper_split_and_in_grouped_cv(generated_file: Path, trained: Trained):
    result = validate_lovdal(generated_file, folds=3, repeats=1, replicates=30, transfer_model=trained.result.model)
    metrics = result.metrics
    for learner in LEARNERS:
        auc = metrics[f"{learner.name}_paper_roc_auc"]
        assert (
            metrics[f"{learner.name}_paper_roc_auc_ci_low"] <= auc <= metrics[f"{learner.name}_paper_roc_auc_ci_high"]
        )
        assert metrics[f"{learner.name}_cv_roc_auc_folds"] == 3
    # The generated injuries follow the 7-day load, which the product's 7-day features see.
    assert metrics["product_paper_roc_auc"] > 0.6
    assert 0.0 <= metrics["transfer_paper_roc_auc"] <= 1.0 and not math.isnan(metrics["transfer_all_roc_auc"])
    assert metrics["leak_guard_max_single_auc"] <= 0.85
    assert result.data["test_rows"] == int((pd.read_csv(generated_file)["Athlete ID"] >= 14).sum())
    assert result.data["strongest_single_feature"] in [*FEATURES, *(column(m, d) for d in range(7) for m in METRICS)]


def test_the_lovdal_run_is_logged_to_mlflow_with_its_model_card_section(generated_file: Path, tmp_path: Path):
    settings = store_settings(tmp_path)
    run = run_lovdal(generated_file, settings, folds=2, repeats=1, replicates=10)
    logged = mlflow.get_run(run.run_id)
    assert logged.data.metrics["product_paper_roc_auc"] == pytest.approx(
        run.validation.metrics["product_paper_roc_auc"]
    )
    assert "Real runners" in mlflow.artifacts.load_text(f"runs:/{run.run_id}/real_runners.md")
    assert run.transfer_version is None and "no simulator-trained model" in run.section

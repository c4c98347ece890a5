"""The batch runs' node-exporter textfile: every `injury-risk score` adds its run, athlete-days and last success."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from prometheus_client.parser import text_string_to_metric_families

from service.batch.job import ExitCode
from service.batch.run_metrics import read_totals, record_run
from tests.conftest import Trained
from tests.service.batch.test_input import score, write_folder


def samples(path: Path) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    return {
        (s.name, frozenset(s.labels.items())): s.value
        for family in text_string_to_metric_families(path.read_text(encoding="utf-8"))
        for s in family.samples
    }


def test_each_score_run_adds_to_the_textfile_and_only_a_run_with_results_is_a_success(
    trained: Trained, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    textfile = tmp_path / "textfile" / "injury_risk_batch.prom"
    monkeypatch.setenv("INJURY_RISK_BATCH_METRICS_FILE", str(textfile))
    sound = write_folder(tmp_path / "sound", "A1,r1,2026-03-01,10,2,0,0,60,5\n")
    before = time.time()
    first = score(trained, sound, tmp_path / "risk", monkeypatch)
    assert first.exit_code == ExitCode.ok, first.output
    scored = json.loads(first.stdout)["athlete_days_scored"]
    assert scored > 0
    after_first = samples(textfile)
    success = after_first[("injury_risk_batch_last_success_timestamp_seconds", frozenset())]
    assert before <= success <= time.time()

    second = score(trained, sound, tmp_path / "risk", monkeypatch)
    assert second.exit_code == ExitCode.ok, second.output
    empty = write_folder(tmp_path / "empty", "", profiles="athlete_id,age,sex,years_running,body_mass_kg,height_cm\n")
    third = score(trained, empty, tmp_path / "risk2", monkeypatch)
    assert third.exit_code == ExitCode.bad_input, third.output

    totals = samples(textfile)
    assert totals[("injury_risk_batch_runs_total", frozenset({("outcome", "ok")}))] == 2
    assert totals[("injury_risk_batch_runs_total", frozenset({("outcome", "bad_input")}))] == 1
    assert totals[("injury_risk_batch_athlete_days_scored_total", frozenset())] == 2 * scored
    # The failed run is the last one; the last success is still the second run's.
    last = totals[("injury_risk_batch_last_success_timestamp_seconds", frozenset())]
    assert success <= last <= time.time()
    assert totals[("injury_risk_batch_last_run_duration_seconds", frozenset())] >= 0


def test_without_the_setting_no_textfile_is_written(trained: Trained, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.chdir(tmp_path)
    result = score(
        trained, write_folder(tmp_path / "in", "A1,r1,2026-03-01,10,2,0,0,60,5\n"), tmp_path / "risk", monkeypatch
    )
    assert result.exit_code == ExitCode.ok, result.output
    assert not list(tmp_path.rglob("*.prom"))


def test_a_textfile_that_cannot_be_read_starts_the_totals_again(tmp_path: Path):
    textfile = tmp_path / "batch.prom"
    textfile.write_text("this is { not the text format\n", encoding="utf-8")
    record_run(textfile, "failed", 0, 1.5, ended=100.0)
    totals = read_totals(textfile)
    assert totals.runs == {"failed": 1}
    assert totals.athlete_days == 0 and totals.last_success is None and totals.last_duration_s == 1.5
    record_run(textfile, "rows_rejected", 40, 2.0, ended=200.0)
    totals = read_totals(textfile)
    assert totals.runs == {"failed": 1, "rows_rejected": 1}
    assert totals.athlete_days == 40 and totals.last_success == 200.0

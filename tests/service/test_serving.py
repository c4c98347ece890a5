"""Serving: a model answers only once its scoring path has run, polling survives a failed poll, and the server uses
every core by default."""

from __future__ import annotations

import asyncio
import logging
import os

import pytest

from service.assessment.log_assessment import warm_up
from service.model_holder import ModelHolder, poll_model
from tests.conftest import Trained
from training.model.registry import ServedModel
from training.model.tree_tables import _evaluate
from training.settings import Settings


def test_a_loaded_model_serves_only_after_its_full_answer_has_run_once(trained: Trained):
    seen: list[ServedModel | None] = []
    holder: ModelHolder

    def warm(served: ServedModel) -> None:
        # While the model warms up, the holder still has nothing to serve.
        seen.append(holder.served)
        warm_up(served, trained.settings)

    holder = ModelHolder(trained.settings, warm=warm)
    served = holder.load()
    assert seen == [None]
    assert served is not None and holder.served is served
    # The trees' kernel has a compiled version for the rows the answers send.
    assert _evaluate.signatures


def test_workers_default_to_the_cores_this_process_may_use():
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    assert Settings().workers == cores
    assert Settings(workers=3).workers == 3


def test_a_failed_model_poll_is_logged_and_polling_goes_on(trained: Trained, caplog):
    holder = ModelHolder(trained.settings)
    holder.load()
    serving = holder.served
    polls = 0

    def unreachable_registry() -> None:
        nonlocal polls
        polls += 1
        if polls == 3:
            raise asyncio.CancelledError  # ends the test's poller after two failed polls
        raise ConnectionError("tracking server unreachable")

    holder.reload_if_changed = unreachable_registry  # type: ignore[method-assign]
    with caplog.at_level(logging.ERROR, logger="service.model_holder"), pytest.raises(asyncio.CancelledError):
        asyncio.run(poll_model(holder, 0.001))
    assert polls == 3
    failures = [r for r in caplog.records if r.getMessage().startswith("model poll failed")]
    assert len(failures) == 2 and "unreachable" in str(failures[0].exc_info[1])
    assert holder.served is serving

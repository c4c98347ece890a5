"""Serving: a model answers only once its scoring path has run, and the server uses every core by default."""

from __future__ import annotations

import os

from service.assessment.log_assessment import warm_up
from service.model_holder import ModelHolder
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

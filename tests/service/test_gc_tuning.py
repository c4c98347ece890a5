"""The server's garbage-collector tuning: on while it runs, undone when it stops."""

from __future__ import annotations

import gc

from service.gc_tuning import long_lived_heap


def test_the_server_freezes_its_start_up_objects_and_spaces_young_passes_while_it_runs() -> None:
    before = gc.get_threshold()
    with long_lived_heap(50_000):
        assert gc.get_threshold()[0] == 50_000
        assert gc.get_freeze_count() > 0
    assert gc.get_threshold() == before
    assert gc.get_freeze_count() == 0


def test_a_zero_threshold_leaves_the_collector_as_python_sets_it() -> None:
    before = gc.get_threshold()
    with long_lived_heap(0):
        assert gc.get_threshold() == before
        assert gc.get_freeze_count() == 0

"""The garbage collector of a server process, tuned for many short requests over a large, long-lived heap.

With Python's defaults (a young pass every 700 allocations, a full pass every 100 young ones) a full answer, which
builds thousands of small objects, triggers several passes, and each full pass walks the model and the app as well:
on `benchmarks/serve_vs_mlflow.py` those pauses made up most of the 99th percentile (292 ms at 8 connections against
42-43 ms with this tuning, and 326 against 451-487 requests/s, on an idle 2-core machine). Objects alive once the server
has started are frozen out of every pass, and young passes come every ``young_threshold`` allocations.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

# Older generations are passed over a little less often too: the requests' own garbage is short-lived and freed by
# reference counting; the passes only look for cycles.
_OLDER_THRESHOLDS = (20, 100)


@contextmanager
def long_lived_heap(young_threshold: int) -> Iterator[None]:
    """While the server runs: what is alive now is frozen and young passes are ``young_threshold`` allocations
    apart; afterwards the defaults come back and the frozen objects can be collected again (0: nothing changes)."""
    if young_threshold <= 0:
        yield
        return
    before = gc.get_threshold()
    gc.collect()
    gc.freeze()
    gc.set_threshold(young_threshold, *_OLDER_THRESHOLDS)
    try:
        yield
    finally:
        gc.set_threshold(*before)
        gc.unfreeze()

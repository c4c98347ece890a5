"""The one thread per server process that computes answers: CPU-bound work, queued first come, first served.

An answer (features, trees, guidance) is Python and numpy holding the interpreter lock almost throughout, so answers
in several threads of one process do not run in parallel: they take turns at the lock, each request waits for all of
them to finish, and every turn the event loop waits for the lock too before it can read or send anything. In one
thread they queue instead: each answer runs to its end and is sent at once. Measured with 8 connections on 2
processes (docs/operations.md), p99 fell from 51-58 ms to 27-31 ms and requests/s rose 4-28%.
"""

from __future__ import annotations

import asyncio
import contextvars
import functools
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import ParamSpec, TypeVar

P = ParamSpec("P")
T = TypeVar("T")


class AnswerThread:
    """Runs ``function(*args)`` on the process's answer thread, with the caller's context (its request id and tenant
    for the log lines the answer writes)."""

    def __init__(self) -> None:
        # Made on the first answer and dropped when the app shuts down (``close``): an app started again gets a new one.
        self._executor: ThreadPoolExecutor | None = None

    async def run(self, function: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
        if self._executor is None:
            self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="answer")
        context = contextvars.copy_context()
        call = functools.partial(context.run, function, *args, **kwargs)
        return await asyncio.get_running_loop().run_in_executor(self._executor, call)

    def close(self) -> None:
        # Answers already running finish; queued ones are dropped (their callers are gone with the server).
        executor, self._executor = self._executor, None
        if executor is not None:
            executor.shutdown(wait=False, cancel_futures=True)

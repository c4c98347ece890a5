"""Answers run one at a time on one thread per process, with the caller's context, and survive an app restart."""

from __future__ import annotations

import asyncio
import contextvars
import threading
import time

from service.api.answer_thread import AnswerThread

_request = contextvars.ContextVar("request", default="none")


def test_answers_queue_on_one_thread_in_the_order_they_came():
    answers = AnswerThread()
    running: list[int] = []
    overlaps = 0

    def answer(i: int) -> tuple[int, str]:
        nonlocal overlaps
        running.append(i)
        overlaps += len(running) > 1
        time.sleep(0.01)
        running.remove(i)
        return i, threading.current_thread().name

    async def many() -> list[tuple[int, str]]:
        return list(await asyncio.gather(*(answers.run(answer, i) for i in range(6))))

    done = asyncio.run(many())
    answers.close()
    assert [i for i, _ in done] == list(range(6))
    assert overlaps == 0
    assert len({name for _, name in done}) == 1 and done[0][1].startswith("answer")


def test_an_answer_sees_its_requests_context_and_raises_its_errors():
    answers = AnswerThread()

    async def one(name: str) -> str:
        _request.set(name)
        return await answers.run(_request.get)

    def broken() -> None:
        raise ValueError("bad log")

    async def both() -> tuple[str, str, str]:
        a, b = await asyncio.gather(one("a"), one("b"))
        try:
            await answers.run(broken)
        except ValueError as error:
            return a, b, str(error)
        return a, b, "no error"

    assert asyncio.run(both()) == ("a", "b", "bad log")
    answers.close()


def test_a_closed_answer_thread_answers_again_when_the_app_starts_again():
    answers = AnswerThread()
    assert asyncio.run(answers.run(lambda: 1)) == 1
    answers.close()
    assert asyncio.run(answers.run(lambda: 2)) == 2
    answers.close()

"""The server's event loop takes one new connection per pass, so processes sharing the socket share the connections."""

from __future__ import annotations

import asyncio
import socket

import pytest

from service.cli import server_options
from service.server_loop import OneAcceptLoop
from training.settings import Settings


def _accepted_after_each_pass(loop: asyncio.AbstractEventLoop, clients: int, passes: int) -> list[int]:
    made: list[asyncio.BaseTransport] = []

    class Counting(asyncio.Protocol):
        def connection_made(self, transport: asyncio.BaseTransport) -> None:
            made.append(transport)

    server = loop.run_until_complete(loop.create_server(Counting, "127.0.0.1", 0))
    port = server.sockets[0].getsockname()[1]
    # Connected by the kernel (the listen queue) before the loop looks: a burst, as a client's new pool makes.
    waiting = [socket.create_connection(("127.0.0.1", port)) for _ in range(clients)]
    counts = []
    try:
        for _ in range(passes):
            loop.run_until_complete(asyncio.sleep(0))
            counts.append(len(made))
    finally:
        server.close()
        for client in waiting:
            client.close()
        for transport in made:
            transport.close()
        loop.run_until_complete(asyncio.sleep(0))
        loop.close()
    return counts


def test_a_burst_of_connections_is_taken_one_per_pass_and_none_is_lost():
    counts = _accepted_after_each_pass(OneAcceptLoop(), clients=3, passes=6)
    assert counts[0] == 1
    assert counts[-1] == 3


def test_asyncio_alone_takes_the_whole_burst_at_once():
    # Why the loop above exists: the first process to wake would keep every connection of the burst.
    assert _accepted_after_each_pass(asyncio.SelectorEventLoop(), clients=3, passes=1) == [3]


@pytest.mark.parametrize("workers", [1, 2])
def test_serve_runs_on_the_one_accept_loop(workers):
    options = server_options(Settings(workers=workers))
    assert options["loop"] == "service.server_loop:OneAcceptLoop"

"""The server's event loop: asyncio's, taking one new connection per pass so that every process gets its share."""

from __future__ import annotations

import asyncio
import socket
from typing import Any


class OneAcceptLoop(asyncio.SelectorEventLoop):
    """asyncio's selector loop, accepting at most one pending connection each time the listening socket is ready.

    The server processes share one listening socket. asyncio (and uvloop) accept every pending connection as soon as
    one process wakes, so a burst of new connections (a client opening its pool) lands on whichever process woke
    first, and keep-alive keeps them there: measured, 6 of 8 connections on one of two processes. Taking one per pass
    lets the other processes, woken by the same readiness, take theirs. It makes an even share likely, not certain:
    a process that is slow to wake still misses its turn (docs/operations.md has the counts).
    """

    def _accept_connection(
        self,
        protocol_factory: Any,
        sock: socket.socket,
        sslcontext: Any = None,
        server: Any = None,
        backlog: int = 100,
        *timeouts: Any,
    ) -> None:
        super()._accept_connection(protocol_factory, sock, sslcontext, server, 1, *timeouts)  # type: ignore[misc]

"""The app behind a real uvicorn server in a thread, with the options `injury-risk serve` uses."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import uvicorn
from fastapi import FastAPI

from service.cli import server_options
from tests.tcp_proxy import free_port


@contextmanager
def serving(app: FastAPI) -> Iterator[tuple[str, int]]:
    """Requests run concurrently and reach the server over TCP, as in production; yields (base URL, port)."""
    port = free_port(8400, 8499)
    options = server_options(app.state.settings, "127.0.0.1", port)
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", **options))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        if not thread.is_alive():
            raise RuntimeError(f"uvicorn did not start on port {port}")
        time.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{port}", port
    finally:
        server.should_exit = True
        thread.join(10)

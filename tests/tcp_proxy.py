"""A TCP forwarder the tests switch on and off, to make a real database server unreachable and bring it back."""

from __future__ import annotations

import contextlib
import socket
import threading


def free_port(first: int = 8300, last: int = 8399) -> int:
    """A free port in the range this project's tests may use."""
    for port in range(first, last + 1):
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError(f"no free port in {first}-{last}")


class TcpProxy:
    """Forwards a local port to ``target``; ``stop`` is a crash (connections reset), ``blackhole`` a partition."""

    def __init__(self, listen_port: int, target: tuple[str, int]) -> None:
        self.listen_port = listen_port
        self.target = target
        self._server: socket.socket | None = None
        self._open: list[socket.socket] = []
        self._lock = threading.Lock()
        # Cleared while blackholed: bytes and closes wait in the proxy, as they would in a cut network.
        self._flowing = threading.Event()
        self._flowing.set()

    def start(self) -> None:
        server = socket.socket()
        server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        server.bind(("127.0.0.1", self.listen_port))
        server.listen()
        self._server = server
        threading.Thread(target=self._accept, args=(server,), daemon=True).start()

    def blackhole(self) -> None:
        """Stop forwarding in both directions without closing anything: no replies and no resets, like a partition.

        New connections are accepted (the kernel does that anyway) but reach the server only after ``resume``."""
        self._flowing.clear()

    def resume(self) -> None:
        """The network is back: what waited is delivered, as TCP retransmission would deliver it."""
        self._flowing.set()

    def stop(self) -> None:
        """Refuse new connections and cut the open ones, as a crashed server would."""
        if self._server is not None:
            # shutdown wakes the thread blocked in accept(); close alone would leave the port listening on Linux.
            with contextlib.suppress(OSError):
                self._server.shutdown(socket.SHUT_RDWR)
            self._server.close()
            self._server = None
        with self._lock:
            for sock in self._open:
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)
                sock.close()
            self._open.clear()
        self._flowing.set()  # wakes the pumps so that they see their sockets closed

    def _accept(self, server: socket.socket) -> None:
        while True:
            try:
                client, _ = server.accept()
            except OSError:
                return
            with self._lock:
                self._open.append(client)
            threading.Thread(target=self._connect, args=(client,), daemon=True).start()

    def _connect(self, client: socket.socket) -> None:
        self._flowing.wait()
        try:
            upstream = socket.create_connection(self.target)
        except OSError:
            client.close()
            return
        with self._lock:
            self._open.append(upstream)
        threading.Thread(target=self._pump, args=(client, upstream), daemon=True).start()
        threading.Thread(target=self._pump, args=(upstream, client), daemon=True).start()

    def _pump(self, source: socket.socket, sink: socket.socket) -> None:
        try:
            while True:
                data = source.recv(65536)
                self._flowing.wait()
                if not data:
                    break
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for sock in (source, sink):
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)

"""A TCP relay that breaks the connection between a station and the server once, mid-way."""

from __future__ import annotations

import selectors
import socket
import sys
import threading


class CuttingProxy:
    """Relays 127.0.0.1:port to the server; once armed, breaks the connection after `cut_after` bytes one way.

    `direction` "up" counts what the station sends (the cut falls inside a request), "down" what the server
    answers (inside a response, after the server has acted). Bytes are counted over all connections since `arm`;
    each arming cuts once.
    """

    def __init__(self, target_port: int) -> None:
        self.target_port = target_port
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._listener.settimeout(0.2)  # accept() wakes up to notice close()
        self.port = int(self._listener.getsockname()[1])
        self._lock = threading.Lock()
        self._stop = False
        self.direction = "up"
        self.cut_after: int | None = None
        self.passed = {"up": 0, "down": 0}
        self.cuts = 0
        self._workers: list[threading.Thread] = []
        self._acceptor = threading.Thread(target=self._accept, daemon=True)
        self._acceptor.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def arm(self, direction: str, cut_after: int | None) -> None:
        with self._lock:
            self.direction, self.cut_after = direction, cut_after
            self.passed = {"up": 0, "down": 0}
            self.cuts = 0

    def _accept(self) -> None:
        while not self._stop:
            try:
                client, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            client.settimeout(None)
            worker = threading.Thread(target=self._relay, args=(client,), daemon=True)
            self._workers = [t for t in self._workers if t.is_alive()] + [worker]
            worker.start()

    def _relay(self, client: socket.socket) -> None:
        upstream: socket.socket | None = None
        try:
            upstream = socket.create_connection(("127.0.0.1", self.target_port), timeout=30)
            peers = {client: (upstream, "up"), upstream: (client, "down")}
            with selectors.DefaultSelector() as selector:
                for sock in peers:
                    selector.register(sock, selectors.EVENT_READ)
                while not self._stop:
                    for key, _ in selector.select(timeout=0.5):
                        source: socket.socket = key.fileobj  # type: ignore[assignment]
                        target, direction = peers[source]
                        data = source.recv(65536)
                        if not data:
                            return
                        data, cut = self._allow(direction, data)
                        if data:
                            target.sendall(data)
                        if cut:  # RST, not FIN: both ends see a broken connection
                            linger = (1).to_bytes(4, sys.byteorder) + (0).to_bytes(4, sys.byteorder)
                            for sock in (client, upstream):
                                sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, linger)
                            return
        except OSError:
            return
        finally:
            client.close()
            if upstream is not None:
                upstream.close()

    def _allow(self, direction: str, data: bytes) -> tuple[bytes, bool]:
        with self._lock:
            before = self.passed[direction]
            self.passed[direction] += len(data)
            if direction != self.direction or self.cut_after is None or self.passed[direction] <= self.cut_after:
                return data, False
            keep = max(0, self.cut_after - before)
            self.cut_after = None
            self.cuts += 1
            return data[:keep], True

    def close(self) -> None:
        self._stop = True
        self._listener.close()
        self._acceptor.join(timeout=5)
        for worker in self._workers:
            worker.join(timeout=5)

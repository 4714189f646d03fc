"""A small fault-injecting HTTP/1.1 proxy on 127.0.0.1, for testing sync over real (loopback) sockets.

The proxy understands just enough HTTP/1.1 to apply faults per request: the request line, the headers and a
`Content-Length` body (what httpx sends), and the upstream's response, which it reads to the end (every request
goes upstream on a fresh connection with `Connection: close`). Client connections are kept alive across
requests, as httpx expects, until a fault ends one.

Faults are queued (`add`) and apply to the next request whose path contains `Fault.path`, or come from
`schedule`, a function of the request called when the queue has none for it. `latency` delays every request
(`slowed` counts them); `down(seconds)` makes the server unreachable for a while. `applied` counts what was
actually done, so a test can show the faults really happened; `wait_until` waits for the counters to get there.
"""

from __future__ import annotations

import socket
import struct
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

HOST = "127.0.0.1"
MAX_HEAD = 64 * 1024
POLL = 0.05  # how often blocked threads look at the stop flag

# What a fault does; `applied` counts these names.
LATENCY = "latency"  # wait `delay` seconds, then forward normally
RESET_REQUEST = "reset_request"  # forward the head and `after_bytes` of the body, then RST both sides
RESET_RESPONSE = "reset_response"  # forward the request (the server commits), send `after_bytes` of the answer, RST
TRUNCATE = "truncate"  # full Content-Length header, part of the body, then close (FIN)
TRUNCATE_JSON = "truncate_json"  # part of the body with a Content-Length that matches it: valid HTTP, broken JSON
STATUS = "status"  # answer `status` with Retry-After and an HTML page, never contacting the server
DOWN = "down"  # this request and all for `duration` more seconds get no answer (see `Proxy.down`)
HOOK = "hook"  # call `hook()` (e.g. kill the server) before forwarding; with `after_commit`, after the server
# answered, and then reset the client: the server committed and "died" before its answer got out
KINDS = (LATENCY, RESET_REQUEST, RESET_RESPONSE, TRUNCATE, TRUNCATE_JSON, STATUS, DOWN, HOOK)

REASONS = {429: "Too Many Requests", 500: "Internal Server Error", 502: "Bad Gateway", 503: "Service Unavailable"}


@dataclass(frozen=True)
class Fault:
    kind: str
    path: str = ""  # applies to a request whose path contains this ("" = any)
    after_bytes: int = 0  # RESET_REQUEST: body bytes forwarded; RESET_RESPONSE / TRUNCATE*: response bytes sent
    delay: float = 0.0  # LATENCY
    status: int = 503  # STATUS
    retry_after: str = "0"  # STATUS
    duration: float = 0.0  # DOWN
    mode: str = "blackhole"  # DOWN: "blackhole" (hold the request, then drop it) or "refuse" (RST at once)
    hook: Callable[[], None] | None = None  # HOOK
    after_commit: bool = False  # HOOK

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(self.kind)


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    index: int  # 0 for the first request the proxy saw


class Closed(Exception):
    """The peer closed the connection (or the proxy is stopping)."""


Schedule = Callable[[Request], "Fault | None"]


class Proxy:
    """Listens on 127.0.0.1 (a free port) and forwards to 127.0.0.1:`upstream_port`. Use as a context manager."""

    def __init__(self, upstream_port: int, *, connect_timeout: float = 2.0, read_timeout: float = 60.0) -> None:
        self.upstream = (HOST, upstream_port)
        self.connect_timeout = connect_timeout
        self.read_timeout = read_timeout
        self.latency: float = 0.0
        self.schedule: Schedule | None = None
        self.applied: Counter[str] = Counter()
        self.requests: list[str] = []  # "METHOD path" of every request received, in order
        self.answered: Counter[str] = Counter()  # path -> answers the server gave (whatever became of them)
        self.slowed = 0  # requests held for `latency` before they went on
        self.errors: list[Exception] = []  # anything unexpected in a connection thread
        self._queue: list[Fault] = []
        self._down_until = 0.0
        self._down_mode = "blackhole"
        self._lock = threading.Lock()
        self._counted = threading.Condition(self._lock)  # notified whenever `answered` or `applied` grows
        self._stop = threading.Event()
        self._threads: set[threading.Thread] = set()
        self._sockets: set[socket.socket] = set()
        self._listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._listener.bind((HOST, 0))
        self._listener.listen(64)
        self._listener.settimeout(POLL)
        self.port: int = self._listener.getsockname()[1]
        self.url = f"http://{HOST}:{self.port}"
        self._acceptor = threading.Thread(target=self._accept_loop, name=f"fault-proxy-{self.port}", daemon=True)

    # --- control ------------------------------------------------------------------------------------------

    def start(self) -> Proxy:
        self._acceptor.start()
        return self

    def stop(self) -> None:
        """Stop accepting, cut every open connection and wait for every thread."""
        self._stop.set()
        if self._acceptor.is_alive():
            self._acceptor.join(timeout=5)
        self._listener.close()
        with self._lock:
            sockets, threads = list(self._sockets), list(self._threads)
        for sock in sockets:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        for thread in threads:
            thread.join(timeout=5)
        leftover = [t.name for t in threads if t.is_alive()]
        if leftover:
            raise RuntimeError(f"fault proxy threads did not stop: {leftover}")

    def __enter__(self) -> Proxy:
        return self.start()

    def __exit__(self, *_: object) -> None:
        self.stop()

    def add(self, fault: Fault, times: int = 1) -> None:
        with self._lock:
            self._queue.extend([fault] * times)

    def pending(self) -> int:
        with self._lock:
            return len(self._queue)

    def down(self, seconds: float, mode: str = "blackhole") -> None:
        """From now on for `seconds`, no request reaches the server: held unanswered and dropped, or refused."""
        with self._lock:
            self._down_until = time.monotonic() + seconds
            self._down_mode = mode

    def total_faults(self) -> int:
        return sum(self.applied.values())

    def wait_until(self, reached: Callable[[], bool], timeout: float = 10.0) -> bool:
        """Wait until `reached()` (a test of the counters) holds; False if it still does not after `timeout`."""
        with self._counted:
            return self._counted.wait_for(reached, timeout)

    # --- connections --------------------------------------------------------------------------------------

    def _accept_loop(self) -> None:
        while not self._stop.is_set():
            try:
                client, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError as err:
                if not self._stop.is_set():
                    self.errors.append(err)
                return
            thread = threading.Thread(target=self._serve_connection, args=(client,), daemon=True)
            with self._lock:
                self._threads.add(thread)
            thread.name = f"fault-proxy-{self.port}-conn{len(self._threads)}"
            thread.start()

    def _track(self, sock: socket.socket) -> socket.socket:
        with self._lock:
            self._sockets.add(sock)
        return sock

    def _forget(self, sock: socket.socket, *, reset: bool = False) -> None:
        with self._lock:
            self._sockets.discard(sock)
        if reset:
            # SO_LINGER on with a zero timeout: close() sends RST instead of FIN.
            try:
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            except OSError:
                pass
        sock.close()

    def _serve_connection(self, client: socket.socket) -> None:
        self._track(client)
        client.settimeout(POLL)
        reset = False
        try:
            buffer = bytearray()
            while not self._stop.is_set():
                keep_open = self._one_request(client, buffer)
                if not keep_open:
                    reset = True
                    return
        except Closed:
            pass
        except OSError:
            # The client went away (reset, broken pipe) while we talked to it: nothing to clean up but the socket.
            pass
        except Exception as err:  # recorded for the test; a thread must not die with an exception
            self.errors.append(err)
        finally:
            self._forget(client, reset=reset)
            with self._lock:
                self._threads.discard(threading.current_thread())

    def _one_request(self, client: socket.socket, buffer: bytearray) -> bool:
        """Serve one request from `client`. False when the fault ended the connection (the caller resets it)."""
        head = self._read_head(client, buffer)
        method, path, headers = parse_head(head, request=True)
        length = int(headers.get("content-length", "0") or "0")
        if "chunked" in headers.get("transfer-encoding", "").lower():
            raise ValueError("chunked request bodies are not supported by the fault proxy")
        with self._lock:
            request = Request(method, path, len(self.requests))
            self.requests.append(f"{method} {path}")
            fault = self._take_fault(request)
            down, down_mode = self._down_until - time.monotonic(), self._down_mode
        if fault is not None and fault.kind == DOWN:
            # This request is lost, and the ones that follow for `duration` more seconds.
            self.down(fault.duration, fault.mode)
            down, down_mode, is_down = fault.duration, fault.mode, True
        else:
            is_down = down > 0
        if self.latency:
            self._wait(self.latency)
            with self._lock:
                self.slowed += 1
        if is_down:
            self._count(DOWN)
            if down_mode == "blackhole":
                self._wait(down)  # the client times out meanwhile, or gives up when we drop it
            return False
        if fault is not None and fault.kind == LATENCY:
            self._count(LATENCY)
            self._wait(fault.delay)
        if fault is not None and fault.kind == HOOK and not fault.after_commit:
            self._count(HOOK)
            assert fault.hook is not None
            fault.hook()
        if fault is not None and fault.kind == STATUS:
            self._read_body(client, buffer, length)
            self._count(STATUS)
            client.sendall(error_page(fault.status, fault.retry_after))
            return True

        out_head = rewrite_head(head, {"connection": "close"})
        try:
            upstream = self._track(socket.create_connection(self.upstream, timeout=self.connect_timeout))
        except OSError:
            # The server is not there (killed, restarting): to the client it looks like a refused connection.
            self._read_body(client, buffer, length)
            self._count("upstream_unavailable")
            return False
        upstream_reset = False
        try:
            upstream.settimeout(self.read_timeout)
            if fault is not None and fault.kind == RESET_REQUEST:
                # Always cut before the request is complete: part of the body, or part of the head if none.
                upstream_reset = True
                if length == 0:
                    upstream.sendall(out_head[: len(out_head) // 2])
                else:
                    upstream.sendall(out_head)
                    upstream.sendall(self._read_body(client, buffer, min(fault.after_bytes, length - 1)))
                self._count(RESET_REQUEST)
                return False
            upstream.sendall(out_head)
            upstream.sendall(self._read_body(client, buffer, length))
            answer = read_to_end(upstream)
            with self._counted:
                self.answered[path] += 1
                self._counted.notify_all()
        except OSError:
            self._count("upstream_failed")
            return False
        finally:
            self._forget(upstream, reset=upstream_reset)
        return self._answer(client, path, answer, fault)

    def _answer(self, client: socket.socket, path: str, answer: bytes, fault: Fault | None) -> bool:
        split = answer.find(b"\r\n\r\n")
        if split < 0:
            self._count("upstream_garbled")
            return False
        head, body = answer[: split + 4], answer[split + 4 :]
        _, _, headers = parse_head(head, request=False)
        if "chunked" in headers.get("transfer-encoding", "").lower():
            body = dechunk(body)
        # We read the upstream answer to its end, so we frame it ourselves (Content-Length) and keep the client
        # connection open for the next request.
        changes: dict[str, str | None] = {"connection": None, "transfer-encoding": None}
        changes["content-length"] = str(len(body))
        kind = fault.kind if fault is not None else None
        after = fault.after_bytes if fault is not None else 0
        if kind == TRUNCATE_JSON:
            cut = min(after, max(len(body) - 1, 0))
            changes["content-length"] = str(cut)
            client.sendall(rewrite_head(head, changes) + body[:cut])
            self._count(TRUNCATE_JSON)
            return True
        new_head = rewrite_head(head, changes)
        full = new_head + body
        if kind == TRUNCATE:
            cut = min(len(new_head) + after, len(full) - 1)
            client.sendall(full[:cut])
            self._count(TRUNCATE)
            client.shutdown(socket.SHUT_WR)  # FIN, not RST: the client reads what was sent, then end of file
            self._drain(client)
            raise Closed
        if kind == RESET_RESPONSE:
            client.sendall(full[: min(after, len(full) - 1)])
            self._count(RESET_RESPONSE)
            return False
        if kind == HOOK and fault is not None and fault.after_commit:
            self._count(HOOK)
            assert fault.hook is not None
            fault.hook()
            return False
        client.sendall(full)
        return True

    def _count(self, kind: str) -> None:
        with self._counted:
            self.applied[kind] += 1
            self._counted.notify_all()

    def _take_fault(self, request: Request) -> Fault | None:
        for index, fault in enumerate(self._queue):
            if fault.path in request.path:
                del self._queue[index]
                return fault
        return self.schedule(request) if self.schedule is not None else None

    # --- reading ------------------------------------------------------------------------------------------

    def _recv(self, sock: socket.socket) -> bytes:
        """Wait for bytes from `sock`, looking at the stop flag; Closed at the end of the stream."""
        while True:
            if self._stop.is_set():
                raise Closed
            try:
                data = sock.recv(65536)
            except TimeoutError:
                continue
            if not data:
                raise Closed
            return data

    def _read_head(self, client: socket.socket, buffer: bytearray) -> bytes:
        while b"\r\n\r\n" not in buffer:
            if len(buffer) > MAX_HEAD:
                raise ValueError("request head too large")
            buffer += self._recv(client)
        end = buffer.index(b"\r\n\r\n") + 4
        head = bytes(buffer[:end])
        del buffer[:end]
        return head

    def _read_body(self, client: socket.socket, buffer: bytearray, length: int) -> bytes:
        while len(buffer) < length:
            buffer += self._recv(client)
        body = bytes(buffer[:length])
        del buffer[:length]
        return body

    def _drain(self, client: socket.socket) -> None:
        """After our FIN, wait (briefly) for the client to close its side, so our close does not turn into RST."""
        deadline = time.monotonic() + 2
        while time.monotonic() < deadline and not self._stop.is_set():
            try:
                if not client.recv(65536):
                    return
            except TimeoutError:
                continue
            except OSError:
                return

    def _wait(self, seconds: float) -> None:
        self._stop.wait(seconds)
        if self._stop.is_set():
            raise Closed


def read_to_end(sock: socket.socket) -> bytes:
    chunks: list[bytes] = []
    while True:
        data = sock.recv(65536)
        if not data:
            return b"".join(chunks)
        chunks.append(data)


def dechunk(body: bytes) -> bytes:
    """The payload of a chunked body (trailers ignored)."""
    out, position = bytearray(), 0
    while True:
        line_end = body.index(b"\r\n", position)
        size = int(body[position:line_end].split(b";")[0], 16)
        if size == 0:
            return bytes(out)
        out += body[line_end + 2 : line_end + 2 + size]
        position = line_end + 2 + size + 2


def parse_head(head: bytes, *, request: bool) -> tuple[str, str, dict[str, str]]:
    """(method, path, headers) of a request head, or (version, status, headers) of a response head."""
    lines = head.decode("latin-1").split("\r\n")
    first = lines[0].split(" ", 2)
    if len(first) < 2:
        raise ValueError(f"not HTTP: {lines[0]!r}")
    headers: dict[str, str] = {}
    for line in lines[1:]:
        if not line:
            continue
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    if request:
        return first[0], first[1].split("?", 1)[0], headers
    return first[0], first[1], headers


def rewrite_head(head: bytes, changes: dict[str, str | None]) -> bytes:
    """The head with the named headers replaced (or dropped when None), the others untouched."""
    lines = head.decode("latin-1").split("\r\n")
    kept = [lines[0]]
    for line in lines[1:]:
        if line and line.partition(":")[0].strip().lower() not in changes:
            kept.append(line)
    kept += [f"{name.title()}: {value}" for name, value in changes.items() if value is not None]
    return ("\r\n".join(kept) + "\r\n\r\n").encode("latin-1")


def error_page(status: int, retry_after: str) -> bytes:
    """What a reverse proxy or load balancer answers: an HTML page, not the server's JSON error."""
    body = f"<html><body><h1>{status} {REASONS.get(status, 'Error')}</h1><hr>nginx</body></html>".encode()
    head = (
        f"HTTP/1.1 {status} {REASONS.get(status, 'Error')}\r\n"
        "Content-Type: text/html\r\n"
        f"Content-Length: {len(body)}\r\n"
        f"Retry-After: {retry_after}\r\n"
        "\r\n"
    )
    return head.encode("latin-1") + body

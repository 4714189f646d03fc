"""How many pushes a worker works on at once, and what the others are told.

A push of 1 000 events is about 1 MB of JSON, and several times that once parsed into models. Before this, a
worker read and parsed every push that arrived: with 100 stations pushing at once, the heavy 200-station run
(benchmarks/README.md, issue 18) peaked at 913 MB in one worker. Every push also shared the worker's CPU with all
the others, so each took about as long as all of them together — longer than a desk's 30 s timeout, and a desk
that gives up sends the same batch again.

So a worker takes `concurrency` pushes at a time, first come first served; the others wait before their body is
read (uvicorn stops reading a connection whose body nobody asks for, so a waiting push costs a socket, not
memory). A push that has waited `max_wait_s` has its body read and dropped chunk by chunk, and is answered 503
`server.busy` with a Retry-After of about when its turn would come (the pushes waiting × how long a push takes
here ÷ `concurrency`), which the desk honours and jitters upwards (sync/retry.py). A refused push changed
nothing; the desk resends the same batch, which the server takes idempotently.
"""

from __future__ import annotations

import asyncio
import math
import time
from collections.abc import Callable, MutableMapping
from typing import Any

from gridstation.server.api.errors import RETRY_AFTER_BUSY_S, busy_response
from gridstation.server.api.middleware import ASGIApp

PUSH_PATH = "/api/v1/sync/push"
# The longest Retry-After a refused push is given: a desk's sync retries a few times, each after at least this long.
MAX_RETRY_AFTER_S = 60
# How much a new push's duration moves the running estimate (an exponentially weighted mean).
DURATION_WEIGHT = 0.2


class PushAdmission:
    """At most `concurrency` pushes in the app at once per process; the rest wait (FIFO) up to `max_wait_s`."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        concurrency: int,
        max_wait_s: float,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        if concurrency < 1:
            raise ValueError("concurrency must be at least 1")
        self.app = app
        self.concurrency = concurrency
        self.max_wait_s = max_wait_s
        self._monotonic = monotonic
        self._slots: asyncio.Semaphore | None = None  # made on the worker's event loop, at its first push
        self.waiting = 0
        self.running = 0
        self.push_seconds = 0.0  # running mean of an admitted push's time in the app; 0 until one finished

    async def __call__(self, scope: MutableMapping[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http" or scope["path"] != PUSH_PATH or scope.get("method") != "POST":
            await self.app(scope, receive, send)
            return
        if self._slots is None:
            self._slots = asyncio.Semaphore(self.concurrency)
        if not await self._admitted(self._slots):
            retry_after = self.retry_after()
            await _discard_body(receive)
            await busy_response(retry_after)(scope, receive, send)
            return
        started = self._monotonic()
        self.running += 1
        try:
            await self.app(scope, receive, send)
        finally:
            self.running -= 1
            self._slots.release()
            self._note_duration(self._monotonic() - started)

    async def _admitted(self, slots: asyncio.Semaphore) -> bool:
        if not slots.locked():
            await slots.acquire()  # a free slot: taken at once
            return True
        self.waiting += 1
        try:
            await asyncio.wait_for(slots.acquire(), timeout=self.max_wait_s)
            return True
        except TimeoutError:
            return False
        finally:
            self.waiting -= 1

    def retry_after(self) -> int:
        """Seconds until a refused push's turn would likely come: the queue ahead of it, served `concurrency` at a
        time; never less than the busy database's answer, never more than `MAX_RETRY_AFTER_S`."""
        expected = (self.waiting + 1) * self.push_seconds / self.concurrency
        return int(min(MAX_RETRY_AFTER_S, max(RETRY_AFTER_BUSY_S, math.ceil(expected))))

    def _note_duration(self, seconds: float) -> None:
        if self.push_seconds == 0.0:
            self.push_seconds = seconds
        else:
            self.push_seconds += DURATION_WEIGHT * (seconds - self.push_seconds)


async def _discard_body(receive: Any) -> None:
    """Read the refused push's body chunk by chunk and drop it: a desk still sending it would otherwise see its
    connection reset instead of the answer that says when to come back."""
    while True:
        message = await receive()
        if message["type"] != "http.request" or not message.get("more_body", False):
            return

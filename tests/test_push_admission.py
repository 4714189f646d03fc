"""The push admission (server/api/admission.py): a worker works on a bounded number of pushes at once; the rest
wait first come first served before their body is read, and one that waited too long is told when to come back.

Driven at the ASGI level with an inner app that holds each push until the test lets it go, so no test depends on
timing: a wait that must time out is given no time at all (`max_wait_s=0`), one that must be served is given
plenty and released by the test.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import MutableMapping
from typing import Any, cast

import pytest

from gridstation.domain.errors import DomainError
from gridstation.server.api.admission import MAX_RETRY_AFTER_S, PUSH_PATH, PushAdmission
from gridstation.server.settings import ServerSettings

BODY = b'{"events": []}'


class HeldApp:
    """The inner app: records each request it gets and answers 200 only when the test releases that request."""

    def __init__(self) -> None:
        self.entered: list[str] = []
        self.bodies: list[bytes] = []
        self.release: dict[str, asyncio.Event] = {}

    async def __call__(self, scope: MutableMapping[str, Any], receive: Any, send: Any) -> None:
        name = dict(scope["headers"])[b"x-name"].decode()
        self.entered.append(name)
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        self.bodies.append(body)
        await self.release.setdefault(name, asyncio.Event()).wait()
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"{}"})

    def let_go(self, name: str) -> None:
        self.release.setdefault(name, asyncio.Event()).set()


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


class Request:
    """One request through the middleware; `received` counts the body chunks it read."""

    def __init__(self, name: str, path: str = PUSH_PATH, method: str = "POST", chunks: int = 2) -> None:
        self.scope = {"type": "http", "path": path, "method": method, "headers": [(b"x-name", name.encode())]}
        self.chunks = chunks
        self.received = 0
        self.sent: list[MutableMapping[str, Any]] = []

    async def receive(self) -> MutableMapping[str, Any]:
        self.received += 1
        more = self.received < self.chunks
        return {"type": "http.request", "body": BODY if self.received == 1 else b"", "more_body": more}

    async def send(self, message: MutableMapping[str, Any]) -> None:
        self.sent.append(message)

    @property
    def status(self) -> int | None:
        starts = [m for m in self.sent if m["type"] == "http.response.start"]
        return starts[0]["status"] if starts else None

    def header(self, name: bytes) -> str | None:
        start = next(m for m in self.sent if m["type"] == "http.response.start")
        return dict(start["headers"]).get(name, b"").decode() or None

    def json(self) -> Any:
        return json.loads(b"".join(m.get("body", b"") for m in self.sent if m["type"] == "http.response.body"))


async def settle() -> None:
    """Let every task that can run, run (the middleware's waits are all on the event loop)."""
    for _ in range(20):
        await asyncio.sleep(0)


def start(admission: PushAdmission, request: Request) -> asyncio.Task[None]:
    return asyncio.ensure_future(admission(request.scope, request.receive, request.send))


def test_pushes_beyond_the_limit_wait_their_turn_in_order() -> None:
    async def scenario() -> None:
        inner = HeldApp()
        admission = PushAdmission(inner, concurrency=2, max_wait_s=60)
        requests = {name: Request(name) for name in ("a", "b", "c", "d")}
        tasks = {}
        for name, request in requests.items():
            tasks[name] = start(admission, request)
            await settle()
        assert inner.entered == ["a", "b"]
        # The waiting pushes' bodies are not read while they wait.
        assert requests["c"].received == 0 and requests["d"].received == 0
        assert admission.waiting == 2 and admission.running == 2

        inner.let_go("b")
        await tasks["b"]
        await settle()
        assert inner.entered == ["a", "b", "c"]  # first come, first served
        inner.let_go("a")
        await tasks["a"]
        await settle()
        assert inner.entered == ["a", "b", "c", "d"]
        for name in ("c", "d"):
            inner.let_go(name)
            await tasks[name]
        assert [requests[name].status for name in "abcd"] == [200, 200, 200, 200]
        assert inner.bodies == [BODY] * 4
        assert admission.waiting == 0 and admission.running == 0

    asyncio.run(scenario())


def test_a_push_that_waited_too_long_is_told_when_to_come_back_and_its_body_is_drained() -> None:
    async def scenario() -> None:
        inner = HeldApp()
        clock = Clock()
        admission = PushAdmission(inner, concurrency=1, max_wait_s=0, monotonic=clock)
        # A first push that took 30 s teaches the estimate how long a push takes here.
        first = Request("first")
        task = start(admission, first)
        await settle()
        clock.now += 30
        inner.let_go("first")
        await task
        assert admission.push_seconds == pytest.approx(30)

        holding = Request("holding")
        held = start(admission, holding)
        await settle()
        refused = Request("refused", chunks=3)
        await admission(refused.scope, refused.receive, refused.send)

        assert refused.status == 503
        assert refused.json()["error"]["code"] == "server.busy"
        assert "正忙" in refused.json()["error"]["message"]
        # One push ahead of it at 30 s a push, one at a time: come back in about 30 s.
        assert refused.header(b"retry-after") == "30"
        # The whole body was read (and dropped) before the answer, so a desk still sending it gets the answer.
        assert refused.received == 3
        assert "refused" not in inner.entered

        inner.let_go("holding")
        await held
        assert holding.status == 200

    asyncio.run(scenario())


def test_retry_after_stays_between_the_busy_answer_and_a_minute() -> None:
    admission = PushAdmission(HeldApp(), concurrency=2, max_wait_s=0)
    assert admission.retry_after() == 2  # nothing measured yet: the busy database's answer
    admission.push_seconds = 0.4
    admission.waiting = 3
    assert admission.retry_after() == 2  # (3 + 1) × 0.4 / 2 = 0.8 s, but never under the busy answer
    admission.waiting = 39
    assert admission.retry_after() == 8  # (39 + 1) × 0.4 / 2
    admission.waiting = 1000
    assert admission.retry_after() == MAX_RETRY_AFTER_S


def test_other_requests_pass_while_every_push_slot_is_taken() -> None:
    async def scenario() -> None:
        inner = HeldApp()
        admission = PushAdmission(inner, concurrency=1, max_wait_s=0)
        push = Request("push")
        held = start(admission, push)
        await settle()
        others = [
            Request("pull", path="/api/v1/sync/pull", method="GET"),
            Request("receipt", path="/api/v1/sync/receipt"),
            Request("get-push", method="GET"),
        ]
        for request in others:
            inner.let_go(request.scope["headers"][0][1].decode())
            await admission(request.scope, request.receive, request.send)
            assert request.status == 200
        inner.let_go("push")
        await held

    asyncio.run(scenario())


def test_a_failing_push_gives_its_slot_back() -> None:
    class Failing:
        async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
            raise RuntimeError("boom")

    async def scenario() -> None:
        admission = PushAdmission(Failing(), concurrency=1, max_wait_s=0)
        for _ in range(3):
            request = Request("x")
            with pytest.raises(RuntimeError):
                await admission(request.scope, request.receive, request.send)
        assert admission.running == 0 and admission.waiting == 0

    asyncio.run(scenario())


def test_the_limits_are_server_settings(monkeypatch: pytest.MonkeyPatch, tmp_path: Any) -> None:
    monkeypatch.setenv("GRIDSTATION_SERVER_PUSH_CONCURRENCY", "3")
    monkeypatch.setenv("GRIDSTATION_SERVER_PUSH_WAIT_SECONDS", "5")
    settings = ServerSettings.load(config=None, data_dir=tmp_path)
    assert (settings.push_concurrency, settings.push_wait_seconds) == (3, 5.0)
    monkeypatch.setenv("GRIDSTATION_SERVER_PUSH_WAIT_SECONDS", "40")  # past a desk's 30 s timeout
    with pytest.raises(DomainError, match="push_wait_seconds"):
        ServerSettings.load(config=None, data_dir=tmp_path)


def test_the_served_app_admits_pushes_with_the_settings(tmp_path: Any) -> None:
    from gridstation.server.serving import app_of

    settings = ServerSettings.load(config=None, data_dir=tmp_path, push_concurrency=7, push_wait_seconds=3)
    app = app_of(cast(Any, object()), settings)
    admission = [m for m in app.user_middleware if m.cls is PushAdmission]
    assert len(admission) == 1
    assert admission[0].kwargs == {"concurrency": 7, "max_wait_s": 3.0}

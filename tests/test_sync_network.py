"""A flaky network only slows sync down: a real server process, a real station, a fault-injecting proxy between.

Every test runs `gridstation-server serve` on 127.0.0.1 with its SQLite database, enrols the station through
`tests.support.fault_proxy.Proxy` and syncs through it while the proxy delays, resets, truncates, refuses or answers for
the server. Each sync must still end ok, with every station event exactly once on the server, nothing unsent and
both databases intact; the proxy's counters show the faults really happened, and the same faults with a single
attempt make a sync fail.
"""

from __future__ import annotations

import itertools
import random
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import select, text

from gridstation.domain.enums import EventType
from gridstation.domain.errors import DomainError
from gridstation.server.db import open_database
from gridstation.server.models import ServerEventRow
from gridstation.server.service import ServerService
from gridstation.services.staff import StaffMember
from gridstation.services.station import StationService
from gridstation.storage.models import EventRow
from gridstation.sync import engine
from gridstation.sync.engine import SyncService
from gridstation.sync.enrol import enrol_attempt
from gridstation.sync.errors import SyncError
from gridstation.sync.retry import RetryPolicy
from gridstation.sync.summary import SyncSummary
from gridstation.sync.transport import ServerTransport
from tests.support.clock import FakeClock
from tests.support.complaints import complaint
from tests.support.fault_proxy import (
    DOWN,
    HOOK,
    LATENCY,
    RESET_REQUEST,
    RESET_RESPONSE,
    STATUS,
    TRUNCATE,
    TRUNCATE_JSON,
    Fault,
    Proxy,
    Request,
)
from tests.support.live_server import LiveServer
from tests.support.staff import ADMIN_NAME, ADMIN_PIN

PUSH = "/api/v1/sync/push"
PULL = "/api/v1/sync/pull"
RECEIPT = "/api/v1/sync/receipt"
CONFLICTS = "/api/v1/conflicts"

PATIENT = RetryPolicy(attempts=12, first_delay=0.01, max_delay=0.05)
TIMEOUT = httpx.Timeout(10.0, connect=2.0)
SHORT_TIMEOUT = httpx.Timeout(1.0, connect=1.0)  # for the tests where the server goes silent


class RecordingTransport(ServerTransport):
    """The real HTTP client, noting each failed call's path and error code for the test.

    `asks_separately`: the pull does not ask for the receipt and the heads, as with a server from before issue 18,
    so the day's receipt and the conflicts are requests of their own (for the faults aimed at them)."""

    def __init__(
        self,
        url: str,
        credential: str,
        failures: list[tuple[str, str]],
        timeout: httpx.Timeout,
        asks_separately: bool = False,
    ) -> None:
        super().__init__(url, credential, timeout=timeout)
        self.failures = failures
        self.asks_separately = asks_separately

    def pull(self, **kwargs: Any) -> Any:
        if self.asks_separately:
            kwargs.update(heads=False, receipt=None)
        return super().pull(**kwargs)

    def _call(self, method: str, path: str, parse: Callable[[Any], Any], **kwargs: Any) -> Any:
        try:
            return super()._call(method, path, parse, **kwargs)
        except SyncError as err:
            self.failures.append((path, err.code))
            raise


@dataclass
class Desk:
    station: StationService
    clerk: StaffMember
    code: str
    live: LiveServer
    centre: ServerService  # the server's database, opened in the test process to check what it holds
    proxy: Proxy
    failures: list[tuple[str, str]] = field(default_factory=list)
    sleeps: list[float] = field(default_factory=list)
    timeout: httpx.Timeout = field(default_factory=lambda: TIMEOUT)
    on_sleep: Callable[[int], None] = lambda count: None
    asks_separately: bool = False  # see RecordingTransport

    def sync(self, retry: RetryPolicy = PATIENT, seed: int = 7) -> SyncService:
        def transport(url: str, credential: str) -> RecordingTransport:
            return RecordingTransport(url, credential, self.failures, self.timeout, self.asks_separately)

        return SyncService(
            self.station,
            transport_factory=transport,
            retry=retry,
            sleep=self._sleep,
            rng=random.Random(seed),
        )

    def _sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        time.sleep(seconds)
        self.on_sleep(len(self.sleeps))

    def work(self, cases: int, notes: int = 0) -> int:
        """Register `cases` walk-ins, each with a first contact and `notes` notes; the number of events."""
        for index in range(cases):
            case = self.station.register_case(self.clerk, complaint(index))
            self.station.record(self.clerk, case.id, EventType.FIRST_CONTACT, {"note": "已电话联系居民"})
            for note in range(notes):
                self.station.record(self.clerk, case.id, EventType.NOTE_ADDED, {"note": f"第 {note + 1} 次跟进"})
        return cases * (2 + notes)

    def local_events(self) -> set[tuple[str, str]]:
        with self.station.reading() as session:
            rows = session.execute(
                select(EventRow.id, EventRow.content_hash).where(EventRow.station_seq.is_not(None))
            ).all()
        return {(event_id, digest) for event_id, digest in rows}

    def server_events(self) -> list[tuple[str, str]]:
        """(id, content_hash) of every event the server holds from this station, from its database file."""
        with self.centre.reading() as session:
            assert session.execute(text("PRAGMA integrity_check")).scalar() == "ok"
            rows = session.execute(
                select(ServerEventRow.id, ServerEventRow.content_hash).where(ServerEventRow.station_code == self.code)
            ).all()
        return [(event_id, digest) for event_id, digest in rows]

    def assert_exactly_once(self, summary: SyncSummary, events: int) -> None:
        """The sync ended ok, and every station event is on the server exactly once, with nothing left to send."""
        assert summary.ok, (summary.error_code, summary.error, self.failures)
        assert summary.error_code == ""
        assert summary.unsent_after == 0
        assert summary.receipt is not None and summary.receipt.matches
        assert summary.receipt.local_events == summary.receipt.server_held == events
        assert summary.rejected == [] and summary.mismatched == []
        held = self.server_events()
        assert len(held) == len({event_id for event_id, _ in held}) == events  # no event twice
        assert set(held) == self.local_events()  # the same events, with the same content
        assert self.centre.quarantined(self.code) == []
        assert self.station.integrity_ok()
        with self.station.reading() as session:
            unacknowledged = session.scalar(
                select(EventRow.id).where(EventRow.station_seq.is_not(None), EventRow.acknowledged_at.is_(None))
            )
        assert unacknowledged is None


@pytest.fixture(scope="module")
def centre_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    return f"sqlite:///{tmp_path_factory.mktemp('centre') / 'centre.db'}"


@pytest.fixture(scope="module")
def running_server(centre_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """One server process for the module (starting one takes seconds); each test enrols its own station."""
    server = LiveServer(centre_url, tmp_path_factory.mktemp("centre-data"))
    server.start()
    yield server
    server.kill()
    # Whatever the faults did to the connections, the server logged no crash.
    assert "Traceback" not in server.log.read_text(encoding="utf-8", errors="replace")


@pytest.fixture
def live(running_server: LiveServer) -> LiveServer:
    if not running_server.running():
        running_server.kill()  # a test that stopped it and failed before starting it again
        running_server.start()
    return running_server


@pytest.fixture(scope="module")
def centre(centre_url: str, running_server: LiveServer) -> Iterator[ServerService]:
    database = open_database(centre_url)
    yield ServerService(database)
    database.dispose()


@pytest.fixture
def proxy(live: LiveServer) -> Iterator[Proxy]:
    with Proxy(live.port) as running:
        yield running
    assert running.errors == []


STATION_CODES = (f"NW{number:02d}" for number in itertools.count(1))


@pytest.fixture
def desk(live: LiveServer, centre: ServerService, proxy: Proxy, tmp_path: Path, clock: FakeClock) -> Iterator[Desk]:
    code = next(STATION_CODES)
    station = StationService(tmp_path / "station", now=clock)
    station.initialise(
        code=code,
        name="枫林居委会民情快办工作站",
        admin_name=ADMIN_NAME,
        admin_pin=ADMIN_PIN,
        sub_district="湖南路街道",
        contact_phone="021-64331234",
    )
    try:
        admin = station.sign_in(ADMIN_NAME, ADMIN_PIN)
        made = Desk(station, admin, code, live, centre, proxy)
        enrolment = centre.add_station(code, "枫林居委会民情快办工作站")
        made.sync().enrol(admin, proxy.url, enrolment)  # through the proxy: the station only knows its address
        assert made.sync().server_url() == proxy.url
        proxy.requests.clear()
        proxy.answered.clear()
        yield made
    finally:
        station.close()


@pytest.fixture
def small_batches(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(engine, "PUSH_BATCH", 25)
    monkeypatch.setattr(engine, "PULL_PAGE", 40)


def count(proxy: Proxy, path: str) -> int:
    return sum(1 for request in proxy.requests if request.endswith(path))


def on_pushes(proxy: Proxy, faults: dict[int, Fault]) -> Callable[[Request], Fault | None]:
    """A schedule: `faults[n]` for the n-th push request (1-based, counting resends)."""
    return lambda request: faults.get(count(proxy, PUSH)) if request.path == PUSH else None


# --- one fault at a time ------------------------------------------------------------------------------------


def test_a_clean_network_needs_no_retries(desk: Desk) -> None:
    events = desk.work(cases=4)
    summary = desk.sync().run()
    desk.assert_exactly_once(summary, events)
    assert summary.retries == 0 and desk.proxy.total_faults() == 0
    assert summary.outcomes == {"applied": events}
    assert count(desk.proxy, PUSH) == 1 and desk.proxy.answered[PUSH] == 1


def test_latency_on_every_request_only_slows_sync_down(desk: Desk, small_batches: None) -> None:
    events = desk.work(cases=15)  # 30 events: two pushes, a pull page, receipt, conflicts
    desk.asks_separately = True
    desk.proxy.latency = 0.15

    summary = desk.sync().run()

    desk.assert_exactly_once(summary, events)
    assert summary.retries == 0 and summary.outcomes == {"applied": events}
    assert len(desk.proxy.requests) >= 5
    assert desk.proxy.slowed == len(desk.proxy.requests)  # every request waited its 0.15 s before it went on


def test_a_request_delayed_past_the_timeout_is_retried_and_the_late_copy_is_a_duplicate(
    desk: Desk, small_batches: None
) -> None:
    events = desk.work(cases=15)
    desk.timeout = SHORT_TIMEOUT
    # The first push reaches the server only after the client gave up on it and sent it again.
    desk.proxy.add(Fault(LATENCY, path=PUSH, delay=2.0))

    summary = desk.sync().run()

    desk.assert_exactly_once(summary, events)
    assert desk.proxy.applied[LATENCY] == 1
    assert summary.retries >= 1 and (PUSH, "sync.timeout") in desk.failures
    # The late copy reaches the server after the resend went through: its events are duplicates, stored once.
    desk.proxy.wait_until(lambda: desk.proxy.answered[PUSH] >= count(desk.proxy, PUSH))
    assert desk.proxy.answered[PUSH] == count(desk.proxy, PUSH) >= 3  # two batches, and the first one twice
    desk.assert_exactly_once(summary, events)


def test_a_reset_in_the_middle_of_the_request_body_is_retried(desk: Desk, small_batches: None) -> None:
    events = desk.work(cases=20, notes=1)  # 60 events, three pushes
    desk.asks_separately = True
    desk.proxy.add(Fault(RESET_REQUEST, path=PUSH, after_bytes=200), times=3)
    desk.proxy.add(Fault(RESET_REQUEST, path=RECEIPT, after_bytes=10))

    summary = desk.sync().run()

    desk.assert_exactly_once(summary, events)
    assert desk.proxy.applied[RESET_REQUEST] == 4
    assert summary.retries == 4
    assert {code for _, code in desk.failures} == {"sync.offline"}
    # The server never saw a whole request: nothing was stored twice, nothing needed resending as duplicate.
    assert summary.outcomes == {"applied": events}


def test_a_reset_after_the_server_committed_makes_duplicates_that_are_recognised(
    desk: Desk, small_batches: None
) -> None:
    events = desk.work(cases=20, notes=1)  # 60 events: batches of 25, 25, 10
    # The first try of the first and of the second batch (push requests 1 and 3; 2 is the first one's resend).
    desk.proxy.schedule = on_pushes(
        desk.proxy,
        {
            1: Fault(RESET_RESPONSE, after_bytes=0),  # nothing of the answer
            3: Fault(RESET_RESPONSE, after_bytes=100),  # the status line and some headers
        },
    )
    desk.proxy.add(Fault(RESET_RESPONSE, path=PULL, after_bytes=300))  # part of the first page

    summary = desk.sync().run()

    desk.assert_exactly_once(summary, events)
    assert desk.proxy.applied[RESET_RESPONSE] == 3
    assert summary.retries == 3
    # The two lost answers were for committed batches of 25: the resends are duplicates, stored once (the
    # station only hears the resend's answer, so it counts those 50 as duplicates rather than applied).
    assert summary.outcomes == {"applied": events - 50, "duplicate": 50}
    assert summary.pushed == events


def test_truncated_responses_are_retried(desk: Desk, small_batches: None) -> None:
    events = desk.work(cases=20, notes=1)
    desk.asks_separately = True
    # Headers with the full Content-Length, part of the body, then the end of the stream.
    desk.proxy.add(Fault(TRUNCATE, path=PUSH, after_bytes=50))
    desk.proxy.add(Fault(TRUNCATE, path=PULL, after_bytes=0))
    # A cut JSON body whose Content-Length was fixed up to match (a broken middlebox): valid HTTP, invalid JSON.
    # It hits the resend of the first batch: the server answers it (committed) twice, the station hears neither.
    desk.proxy.add(Fault(TRUNCATE_JSON, path=PUSH, after_bytes=20))
    desk.proxy.add(Fault(TRUNCATE_JSON, path=RECEIPT, after_bytes=30))
    desk.proxy.add(Fault(TRUNCATE_JSON, path=CONFLICTS, after_bytes=1))

    summary = desk.sync().run()

    desk.assert_exactly_once(summary, events)
    assert desk.proxy.applied[TRUNCATE] == 2 and desk.proxy.applied[TRUNCATE_JSON] == 3
    assert summary.retries == 5
    assert sorted(desk.failures) == sorted(
        [
            (PUSH, "sync.offline"),
            (PULL, "sync.offline"),
            (PUSH, "sync.bad_response"),
            (RECEIPT, "sync.bad_response"),
            (CONFLICTS, "sync.bad_response"),
        ]
    )
    assert summary.outcomes == {"applied": events - 25, "duplicate": 25}
    assert desk.proxy.answered[PUSH] == 5  # three tries of the first batch, then two


def test_busy_and_failing_answers_are_retried_after_retry_after(desk: Desk, small_batches: None) -> None:
    events = desk.work(cases=15)
    desk.asks_separately = True
    desk.proxy.add(Fault(STATUS, path=PUSH, status=429, retry_after="1"))
    desk.proxy.add(Fault(STATUS, path=PUSH, status=503, retry_after="0"))
    desk.proxy.add(Fault(STATUS, path=PULL, status=500, retry_after="0"))
    desk.proxy.add(Fault(STATUS, path=RECEIPT, status=503, retry_after="1"))

    summary = desk.sync().run()

    desk.assert_exactly_once(summary, events)
    assert desk.proxy.applied[STATUS] == 4 and summary.retries == 4
    assert desk.failures == [(PUSH, "http.429"), (PUSH, "http.503"), (PULL, "http.500"), (RECEIPT, "http.503")]
    # Retry-After: 1 is honoured, jittered upwards (1 to 1.5 s: stations told the same do not return in step);
    # the jitter alone would wait at most a few hundredths of a second.
    told = sorted(desk.sleeps)[-2:]
    assert all(1.0 <= wait <= 1.5 for wait in told) and told[0] != told[1]
    assert max(sorted(desk.sleeps)[:-2]) < 0.1
    # The proxy answered for the server: the refused requests never reached it.
    assert summary.outcomes == {"applied": events}


def test_a_silent_server_times_out_and_the_sync_waits_it_out(desk: Desk, small_batches: None) -> None:
    events = desk.work(cases=15)
    desk.timeout = SHORT_TIMEOUT
    # From the second push on, nothing gets through for 2 s: connections open, no answer comes.
    desk.proxy.schedule = on_pushes(desk.proxy, {2: Fault(DOWN, duration=2.5)})

    summary = desk.sync().run()

    desk.assert_exactly_once(summary, events)
    assert desk.proxy.applied[DOWN] >= 2
    assert summary.retries >= 2
    # Each try waits for an answer until the client's timeout; one still held when the outage ends is dropped.
    assert (PUSH, "sync.timeout") in desk.failures
    assert {code for _, code in desk.failures} <= {"sync.timeout", "sync.offline"}


def test_a_refusing_server_is_retried_until_it_is_back(desk: Desk, small_batches: None) -> None:
    events = desk.work(cases=15)
    desk.proxy.add(Fault(DOWN, path=PULL, duration=0.5, mode="refuse"))

    # Refused connections fail at once: back off long enough (jitter up to 0.05, 0.1, 0.2, 0.2 ... s) to outlast it.
    summary = desk.sync(retry=RetryPolicy(attempts=15, first_delay=0.05, max_delay=0.2)).run()

    desk.assert_exactly_once(summary, events)
    assert desk.proxy.applied[DOWN] >= 2 and summary.retries >= 2
    assert {code for _, code in desk.failures} == {"sync.offline"}


def test_a_server_restart_in_the_middle_of_a_multi_batch_push(desk: Desk, small_batches: None) -> None:
    events = desk.work(cases=20, notes=3)  # 100 events: four pushes of 25
    first_pid = desk.live.process.pid if desk.live.process else None
    # The server commits the third batch and dies before its answer gets out.
    desk.proxy.schedule = on_pushes(desk.proxy, {3: Fault(HOOK, hook=desk.live.kill, after_commit=True)})

    def restart_after_three_failed_retries(sleeps: int) -> None:
        if sleeps == 4:
            assert desk.live.process is None
            desk.live.start()  # a new process on the same database file and port

    desk.on_sleep = restart_after_three_failed_retries

    summary = desk.sync().run()

    desk.assert_exactly_once(summary, events)
    assert desk.live.process is not None and desk.live.process.pid != first_pid
    assert desk.proxy.applied[HOOK] == 1
    assert desk.proxy.applied["upstream_unavailable"] == 3  # the retries while it was down
    assert summary.retries == 4
    # The third batch was committed before the crash; its resend to the new process is 25 duplicates.
    assert summary.outcomes == {"applied": events - 25, "duplicate": 25}


# --- everything at once ---------------------------------------------------------------------------------------


# How likely each fault is, when one happens: resets and error answers twice as often as the rest.
MIX = (
    LATENCY,
    RESET_REQUEST,
    RESET_REQUEST,
    RESET_RESPONSE,
    RESET_RESPONSE,
    TRUNCATE,
    TRUNCATE_JSON,
    STATUS,
    STATUS,
    DOWN,
)


def random_faults(seed: int, rate: float) -> Callable[[Request], Fault | None]:
    """Each request: a fault with probability `rate`, else a little latency. The same seed gives the same run: the
    engine's requests depend only on what happened to the ones before (no fault here depends on timing)."""
    rng = random.Random(seed)

    def schedule(request: Request) -> Fault | None:
        if rng.random() >= rate:
            return Fault(LATENCY, delay=rng.uniform(0.0, 0.02))
        kind = rng.choice(MIX)
        if kind == LATENCY:
            return Fault(LATENCY, delay=rng.uniform(0.05, 0.2))
        if kind == STATUS:
            return Fault(STATUS, status=rng.choice([429, 500, 503]), retry_after=rng.choice(["0", "0", "0", "1"]))
        if kind == DOWN:
            return Fault(DOWN, mode="refuse")  # just this connection: reset at once, unanswered
        return Fault(kind, after_bytes=rng.randrange(0, 2000 if kind == RESET_REQUEST else 300))

    return schedule


def test_a_bigger_day_through_a_random_mix_of_faults(desk: Desk, small_batches: None) -> None:
    events = desk.work(cases=60, notes=3)  # 300 events: 12 pushes of 25, 8 pull pages of 40
    # This seed puts about 18 faults of every kind on the first sync, at most three in a row on one request.
    desk.proxy.schedule = random_faults(seed=20261167, rate=0.35)

    summary = desk.sync(retry=RetryPolicy(attempts=15, first_delay=0.01, max_delay=0.1)).run()

    desk.assert_exactly_once(summary, events)
    faults = {kind: n for kind, n in desk.proxy.applied.items() if kind != LATENCY}
    assert set(faults) == {RESET_REQUEST, RESET_RESPONSE, TRUNCATE, TRUNCATE_JSON, STATUS, DOWN}, faults
    assert sum(faults.values()) >= 15
    assert summary.retries == sum(faults.values())  # every fault cost exactly one retry, none was fatal
    # Answers lost after the server committed make the station hear "duplicate" for those events.
    assert set(summary.outcomes) <= {"applied", "duplicate"} and summary.pushed == events
    assert count(desk.proxy, PUSH) >= 12 and count(desk.proxy, PULL) >= 8

    # The next sync, still through the same faults, has nothing to do and changes nothing.
    again = desk.sync(retry=RetryPolicy(attempts=15, first_delay=0.01, max_delay=0.1), seed=8).run()
    assert again.ok and again.pushed == 0 and again.pulled == 0
    desk.assert_exactly_once(again, events)


# --- the faults are real: with one attempt the same faults make the sync fail -------------------------------


@pytest.mark.parametrize(
    ("fault", "error_code"),
    [
        pytest.param(Fault(RESET_REQUEST, path=PUSH, after_bytes=100), "sync.offline", id="reset-request"),
        pytest.param(Fault(RESET_RESPONSE, path=PUSH, after_bytes=0), "sync.offline", id="reset-response"),
        pytest.param(Fault(TRUNCATE, path=PUSH, after_bytes=10), "sync.offline", id="truncate"),
        pytest.param(Fault(TRUNCATE_JSON, path=PULL, after_bytes=10), "sync.bad_response", id="truncate-json"),
        pytest.param(Fault(STATUS, path=PUSH, status=429), "http.429", id="429"),
        pytest.param(Fault(STATUS, path=RECEIPT, status=500), "http.500", id="500"),
        pytest.param(Fault(STATUS, path=CONFLICTS, status=503), "http.503", id="503"),
        pytest.param(Fault(DOWN, path=PUSH, duration=3.0), "sync.timeout", id="down-silent"),
        pytest.param(Fault(DOWN, path=PUSH, duration=3.0, mode="refuse"), "sync.offline", id="down-refusing"),
    ],
)
def test_with_a_single_attempt_the_fault_fails_the_sync(desk: Desk, fault: Fault, error_code: str) -> None:
    events = desk.work(cases=2)
    desk.asks_separately = True  # the receipt and the conflicts as requests of their own, for the faults on them
    if fault.kind == DOWN:
        desk.timeout = SHORT_TIMEOUT
    desk.proxy.add(fault)

    summary = desk.sync(retry=RetryPolicy(attempts=1)).run()

    assert not summary.ok and summary.error_code == error_code
    assert summary.retries == 0 and desk.proxy.total_faults() >= 1 and desk.proxy.pending() == 0
    if fault.path == PUSH and fault.kind in (RESET_REQUEST, STATUS, DOWN):
        assert desk.sync().status().unsent == events  # the server never saw them
    assert desk.station.integrity_ok()

    desk.proxy.down(0)  # a server that was "down" is back
    desk.assert_exactly_once(desk.sync().run(), events)


# --- enrolment ------------------------------------------------------------------------------------------------


def test_a_lost_enrol_answer_does_not_cost_the_enrolment_code(
    live: LiveServer, centre: ServerService, proxy: Proxy, tmp_path: Path, clock: FakeClock
) -> None:
    code = next(STATION_CODES)
    station = StationService(tmp_path / "station", now=clock)
    try:
        station.initialise(
            code=code,
            name="枫林居委会民情快办工作站",
            admin_name=ADMIN_NAME,
            admin_pin=ADMIN_PIN,
            sub_district="湖南路街道",
            contact_phone="021-64331234",
        )
        admin = station.sign_in(ADMIN_NAME, ADMIN_PIN)
        enrolment = centre.add_station(code, "枫林居委会民情快办工作站")
        proxy.add(Fault(RESET_RESPONSE, path="/api/v1/enrol", after_bytes=0))  # the server enrolled; answer lost

        SyncService(station, retry=PATIENT, sleep=lambda seconds: None).enrol(admin, proxy.url, enrolment)

        assert proxy.applied[RESET_RESPONSE] == 1
        assert SyncService(station).status().enrolled
        # The credential from the retry works; the code itself cannot be used again without the attempt id.
        assert SyncService(station, retry=PATIENT, sleep=lambda seconds: None).run(check_receipt=False).ok
        with pytest.raises(DomainError):
            centre.enrol(enrolment)
    finally:
        station.close()


def test_a_desk_killed_after_the_server_used_the_code_can_enrol_again_with_it(
    live: LiveServer, centre: ServerService, tmp_path: Path, clock: FakeClock
) -> None:
    code = next(STATION_CODES)
    station = StationService(tmp_path / "station", now=clock)
    try:
        station.initialise(code=code, name="枫林居委会民情快办工作站", admin_name=ADMIN_NAME, admin_pin=ADMIN_PIN)
        admin = station.sign_in(ADMIN_NAME, ADMIN_PIN)
        enrolment = centre.add_station(code, "枫林居委会民情快办工作站")
        sync = SyncService(station, retry=PATIENT, sleep=lambda seconds: None)
        attempt = enrol_attempt(station, enrolment)  # what the first run stored before it asked, then died
        centre.enrol(enrolment, "前台电脑", attempt)  # the server used the code; the answer never arrived

        sync.enrol(admin, live.url, enrolment)  # the clerk simply runs it again

        assert SyncService(station).status().enrolled
        assert sync.run(check_receipt=False).ok
    finally:
        station.close()

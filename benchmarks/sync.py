#!/usr/bin/env python
"""A station's sync with the sub-district server, each figure as a ratio against a baseline measured in the same run.

    .venv/bin/python benchmarks/sync.py                    # 300-case day, 50 000-case initial pull, no-op sync
    .venv/bin/python benchmarks/sync.py --quick            # smoke size: 30-case day, 1 000-case pull, under a minute
    .venv/bin/python benchmarks/sync.py --reps 3 --pull-cases 20000 --json out.json

The station side is the real sync engine (`SyncService.run`) on a real station database (`StationService`);
the server side is a real `gridstation-server serve` subprocess on a free 127.0.0.1 port with a SQLite database
(helpers shared with benchmarks/server.py).

1. Station day. A station holding one day of work (300 cases, 3 000 events: registrations, receipts, first
   contact, dispatch, on site, disposal, close, follow-ups, notes, a few tier changes, corrections and
   conference flags; recorded through `StationService.register_case` / `record` with the clock set to each
   event's moment) runs `SyncService.run("end_of_day")`: push, pull, day receipt, conflicts. Each repetition uses
   a fresh copy of the prepared station and a fresh server database and process (warmed up by another station's
   small sync first). Baseline: the same events, exactly the bytes of the station's PushRequest bodies joined
   into one JSON array, POSTed in one request to a minimal stdlib HTTP sink on loopback that reads the body and
   answers 200: the cost of moving the bytes. Medians, the two sides alternating.
2. Initial pull of a 50 000-case station. A server database holding one station's 50 000 cases (500 000
   events, ~250 cases a day), built once in-process with `ServerService.push`. A brand-new station (fresh data
   directory, initialised with the same code, enrolled with a fresh code) pulls everything:
   `SyncService.run(check_receipt=False)`. Baseline: the same pull pages fetched over HTTP with httpx (second
   enrolment's credential), each parsed only to follow the cursor, nothing applied.
3. No-op sync. An up-to-date enrolled station runs `SyncService.run()` again (nothing to push or pull; receipt
   on). Baseline: one GET /api/v1/info round trip on the same server, on an open connection.

Every answer is checked (summary.ok, outcomes, receipt.matches, pulled count equals what the server holds); a
wrong answer stops the script with exit status 1. Generated data is cached under benchmarks/.cache/ (gitignored).
See benchmarks/README.md, section "Sync".
"""

from __future__ import annotations

import argparse
import itertools
import json
import multiprocessing
import os
import platform
import shutil
import sqlite3
import statistics
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from datetime import time as day_time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, ClassVar

HERE = Path(__file__).resolve().parent
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))

import httpx  # noqa: E402
import server as server_bench  # noqa: E402  (puts the repository root on sys.path)
from server import (  # noqa: E402
    CACHE,
    ROOT,
    SYNC_DAY,
    ZONE,
    BenchmarkError,
    Server,
    StationData,
    aligned_table,
    running_server,
)
from sqlalchemy import func, select  # noqa: E402

from gridstation.domain.case import Intake  # noqa: E402
from gridstation.domain.enums import Channel, EventType, Role, Tier  # noqa: E402
from gridstation.domain.lifecycle import contacted_at_registration  # noqa: E402
from gridstation.protocol import PROTOCOL_HEADER, PROTOCOL_VERSION, PushRequest, receipt_digest  # noqa: E402
from gridstation.server.db import open_database  # noqa: E402
from gridstation.server.service import ServerService  # noqa: E402
from gridstation.services.staff import StaffMember  # noqa: E402
from gridstation.services.station import StationService  # noqa: E402
from gridstation.storage import sync_inbox, sync_store  # noqa: E402
from gridstation.storage.models import CaseRow, EventRow  # noqa: E402
from gridstation.sync.engine import PULL_PAGE, PUSH_BATCH, SyncService  # noqa: E402
from gridstation.sync.retry import RetryPolicy  # noqa: E402
from gridstation.sync.summary import SyncSummary  # noqa: E402
from gridstation.sync.transport import ServerTransport  # noqa: E402
from gridstation.sync.wire import pushed_events  # noqa: E402

GENERATOR_VERSION = 2  # bump when the prepared station or server database changes, so caches are rebuilt
CODE = "JA01"
NAME = "枫林居委会民情快办工作站"
ADMIN = ("王芳", "246810")
STAFF = (("李明", Role.CLERK, "1357"), ("周丽", Role.GRID_CHIEF, "8642"))  # the other names server.py's events use
EVENTS_PER_CASE = 10  # the day's shape (3 000 events for 300 cases), also for the big station's history
CASES_PER_DAY = 250
CHUNK_CASES = 5000  # the big station's history is generated in slices of 20 days, in worker processes
WORK = CACHE / f"sync-g{GENERATOR_VERSION}-s{server_bench.GENERATOR_VERSION}"


# ---------------------------------------------------------------------------------------------- reporting


@dataclass
class Figure:
    label: str
    seconds: float
    baseline_label: str
    baseline_seconds: float
    events: int = 0  # events moved, for the rate columns (0: no rate)
    note: str = ""

    @property
    def ratio(self) -> float:
        return self.seconds / self.baseline_seconds if self.baseline_seconds > 0 else float("inf")


@dataclass
class Report:
    figures: list[Figure] = field(default_factory=list)

    def add(self, figure: Figure) -> None:
        self.figures.append(figure)
        f = figure
        line = (
            f"{f.label}: {fmt(f.seconds)}{rate_note(f.events, f.seconds)} vs {f.baseline_label} "
            f"{fmt(f.baseline_seconds)}{rate_note(f.events, f.baseline_seconds)} -> {f.ratio:.1f}x"
        )
        print(line + (f"   [{f.note}]" if f.note else ""), flush=True)

    def table(self) -> str:
        rows = [("figure", "GridStation", "ev/s", "baseline", "baseline", "ev/s", "ratio")]
        for f in self.figures:
            rows.append(
                (
                    f.label,
                    fmt(f.seconds),
                    rate(f.events, f.seconds),
                    f.baseline_label,
                    fmt(f.baseline_seconds),
                    rate(f.events, f.baseline_seconds),
                    f"{f.ratio:.1f}x",
                )
            )
        return aligned_table(rows, right=(1, 2, 4, 5, 6))


def fmt(seconds: float) -> str:
    ms = seconds * 1000
    if ms < 10:
        return f"{ms:.2f} ms"
    if ms < 1000:
        return f"{ms:.0f} ms"
    return f"{seconds:.2f} s" if seconds < 100 else f"{seconds:.0f} s"


def rate(events: int, seconds: float) -> str:
    return "" if not events else f"{events / seconds:,.0f}" if seconds > 0 else "inf"


def rate_note(events: int, seconds: float) -> str:
    return f" ({rate(events, seconds)} ev/s)" if events else ""


def mb(size: int) -> str:
    return f"{size / 1e6:.2f} MB"


def load_average() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


# ---------------------------------------------------------------------------------------------- the station


def station_clock(day: date, at: day_time = day_time(18, 30)) -> Callable[[], datetime]:
    """The station's clock on `day` (Shanghai) from `at` on, running at real speed: its receipt covers that day."""
    start = datetime.combine(day, at, ZONE).astimezone(UTC)
    origin = time.monotonic()
    return lambda: start + timedelta(seconds=time.monotonic() - origin)


@dataclass
class PreparedDay:
    path: Path  # a station data directory, copied fresh for every repetition
    cases: int
    events: int
    digest: str  # receipt_digest over the station's own (station_seq, content_hash)


def prepare_day(cases: int, *, fresh: bool) -> PreparedDay:
    """A station that recorded one day of work, through StationService, cached under benchmarks/.cache/."""
    events = cases * EVENTS_PER_CASE
    directory = WORK / f"day-{cases}c-{events}e-{SYNC_DAY:%Y%m%d}"
    meta_path = directory / "meta.json"
    if fresh and directory.exists():
        shutil.rmtree(directory)
    if not meta_path.exists():
        shutil.rmtree(directory, ignore_errors=True)
        started = time.perf_counter()
        print(f"recording a {cases}-case day through StationService in {directory.relative_to(ROOT)} (cached)…")
        tmp = directory.with_name(directory.name + ".tmp")
        shutil.rmtree(tmp, ignore_errors=True)
        _record_day(tmp / "station", cases, events)
        tmp.rename(directory)
        station = StationService(directory / "station", now=station_clock(SYNC_DAY))
        try:
            with station.reading() as session:
                local = sync_inbox.station_events_between(session, 1, events)
                held_cases = session.scalar(select(func.count()).select_from(CaseRow))
        finally:
            station.close()
        if len(local) != events or held_cases != cases:
            raise BenchmarkError(f"the prepared day holds {len(local)} events and {held_cases} cases")
        meta = {"cases": cases, "events": events, "digest": receipt_digest(local)}
        meta_path.write_text(json.dumps(meta), encoding="utf-8")
        print(f"  recorded in {time.perf_counter() - started:.0f} s", flush=True)
    meta = json.loads(meta_path.read_text(encoding="utf-8"))
    return PreparedDay(directory / "station", meta["cases"], meta["events"], meta["digest"])


def _record_day(data_dir: Path, cases: int, events: int) -> None:
    """Replay server.py's generated day (the domain's own decisions) at the desk, event by event, at its moment.

    Each registration is `register_case` (a 当场办 case is closed in the same step, and a walk-in's or a call's
    先联 is recorded with it, so the generated close or contact is not recorded again); every other event is
    `record` with the generated payload, by the same person (a clerk's tier change or conference flag is recorded
    by the admin: clerks may not).
    """
    wire = server_bench.station_events(CODE, cases, events, SYNC_DAY, 1, seed=20261123)
    moment = [datetime.fromisoformat(wire[0]["occurred_at"]) - timedelta(hours=1)]
    station = StationService(data_dir, now=lambda: moment[0])
    try:
        admin = station.initialise(code=CODE, name=NAME, admin_name=ADMIN[0], admin_pin=ADMIN[1])
        staff = {ADMIN[0]: admin} | {name: station.add_staff(admin, name, role, pin) for name, role, pin in STAFF}
        answers = {
            e["case_id"]: e["payload"]["answer"]
            for e in wire
            if e["type"] == EventType.CLOSED and e["payload"].get("on_the_spot")
        }
        case_ids: dict[str, str] = {}
        contacted: set[str] = set()  # cases whose 先联 register_case recorded
        for e in wire:
            moment[0] = datetime.fromisoformat(e["occurred_at"])
            actor = staff[e["actor_name"]]
            payload = dict(e["payload"])
            kind = EventType(e["type"])
            if kind is EventType.REGISTERED:
                del payload["number"]  # the station numbers the case itself
                intake = Intake(
                    channel=Channel(payload.pop("channel")),
                    tier=Tier(payload.pop("tier")),
                    answer=answers.get(e["case_id"], ""),
                    **payload,
                )
                case_ids[e["case_id"]] = station.register_case(actor, intake).id
                if contacted_at_registration(intake) and intake.tier is not Tier.ON_THE_SPOT:
                    contacted.add(e["case_id"])
            elif kind is EventType.CLOSED and payload.get("on_the_spot"):
                continue
            elif kind is EventType.FIRST_CONTACT and e["case_id"] in contacted:
                contacted.discard(e["case_id"])
            else:
                if kind in (EventType.TIER_CHANGED, EventType.CONFERENCE_FLAGGED) and actor.role is Role.CLERK:
                    actor = admin
                station.record(actor, case_ids[e["case_id"]], kind, payload)
    finally:
        station.close()


def open_station(data_dir: Path, clock: Callable[[], datetime] | None = None) -> tuple[StationService, StaffMember]:
    station = StationService(data_dir, now=clock) if clock else StationService(data_dir)
    return station, station.sign_in(*ADMIN)


def push_bodies_of(station_dir: Path) -> list[bytes]:
    """The request bodies the station's push sends: its unsent events in batches of PUSH_BATCH with the count still
    waiting, as httpx encodes `ServerTransport.push`'s `json=` argument."""
    station = StationService(station_dir, now=station_clock(SYNC_DAY))
    try:
        with station.reading() as session:
            events = sync_store.unsent_events(session, 10**9)
    finally:
        station.close()
    bodies = []
    for i in range(0, len(events), PUSH_BATCH):
        # `unsent`: what the station still had waiting when it sent the batch, this batch included (issue 19).
        request = PushRequest(events=pushed_events(events[i : i + PUSH_BATCH]), unsent=len(events) - i)
        bodies.append(httpx.Request("POST", "http://sink/", json=request.model_dump(mode="json")).content)
    return bodies


# ---------------------------------------------------------------------------------------------- sync plumbing


class CountingTransport(httpx.HTTPTransport):
    """httpx's own transport, counting requests and bytes each way (from Content-Length) per endpoint."""

    def __init__(self, tally: Counter[str], *, verify: bool = True) -> None:
        super().__init__(verify=verify)
        self.tally = tally

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        response = super().handle_request(request)
        what = f"{request.method} {request.url.path}"
        self.tally[f"{what} requests"] += 1
        self.tally[f"{what} sent"] += len(request.content)
        self.tally[f"{what} received"] += int(response.headers.get("content-length", 0))
        return response


def traffic(tally: Counter[str]) -> tuple[int, int, int]:
    """(requests, bytes sent, bytes received)."""
    pick = [sum(v for k, v in tally.items() if k.endswith(s)) for s in (" requests", " sent", " received")]
    return pick[0], pick[1], pick[2]


def make_sync(station: StationService, tally: Counter[str]) -> SyncService:
    def factory(url: str, credential: str) -> ServerTransport:
        # Certificates as ServerTransport's own client loads them: none for plain http (the benchmark's loopback).
        counting = CountingTransport(tally, verify=url.startswith("https://"))
        return ServerTransport(url, credential, transport=counting)

    return SyncService(station, transport_factory=factory, retry=RetryPolicy())


@dataclass
class TimedSync:
    summary: SyncSummary
    seconds: float
    stages: dict[str, float]  # seconds spent in each stage
    pulled_items: int  # feed items fetched (own events included), from the progress reports
    tally: Counter[str]
    server_cpu: float | None
    client_cpu: float
    pull_points: list[tuple[float, int]]  # (seconds since the start, feed items pulled so far), once per page

    def pull_rates(self) -> tuple[float, float]:
        """Events/s over the first and the last tenth of the pull (equal when the pull is linear)."""
        points = [(0.0, 0), *self.pull_points] if self.pull_points else []
        if len(points) < 3:
            return float("nan"), float("nan")
        total = points[-1][1]
        head = next(p for p in points if p[1] >= total / 10)
        tail = next(p for p in reversed(points) if p[1] <= total * 9 / 10)
        if head[0] <= points[0][0] or points[-1][0] <= tail[0]:
            return float("nan"), float("nan")
        return head[1] / (head[0] - points[0][0]), (total - tail[1]) / (points[-1][0] - tail[0])


def timed_run(
    sync: SyncService, tally: Counter[str], server: Server, *, echo_pull: bool = False, **options: Any
) -> TimedSync:
    marks: dict[str, float] = {}
    pulled = [0]
    points: list[tuple[float, int]] = []
    shown = [0.0]

    def progress(stage: str, done: int, total: int) -> None:
        now = time.perf_counter()
        marks.setdefault(stage, now)
        if stage == "pull" and done:
            pulled[0] = max(pulled[0], done)
            points.append((now - marks["pull"], done))
            if echo_pull and total and (done / total >= shown[0] + 0.1 or done == total):
                shown[0] = done / total
                elapsed = now - marks["pull"]
                print(f"    pulled {done:,} of {total:,} in {elapsed:.0f} s ({done / elapsed:,.0f} ev/s)", flush=True)

    tally.clear()
    cpu_before, client_before = server.cpu_seconds(), time.process_time()
    started = time.perf_counter()
    summary = sync.run(progress=progress, **options)
    seconds = time.perf_counter() - started
    cpu_after, client_after = server.cpu_seconds(), time.process_time()
    order = [s for s in ("connect", "push", "pull", "receipt", "conflicts", "done") if s in marks]
    stages = {stage: marks[after] - marks[stage] for stage, after in itertools.pairwise(order)}
    stages["connect"] = stages.get("connect", 0.0) + marks.get("connect", started) - started  # lock, settings
    server_cpu = cpu_after - cpu_before if cpu_after is not None and cpu_before is not None else None
    return TimedSync(
        summary, seconds, stages, pulled[0], Counter(tally), server_cpu, client_after - client_before, points
    )


def check(condition: bool, what: str, summary: SyncSummary | None = None) -> None:
    if not condition:
        detail = ""
        if summary is not None:
            receipt = summary.receipt
            detail = (
                f"; summary: ok={summary.ok} error={summary.error_code} {summary.error!r} pushed={summary.pushed} "
                f"outcomes={summary.outcomes} pulled={summary.pulled} mismatched={summary.mismatched[:3]} "
                f"receipt={'none' if receipt is None else (receipt.matches, receipt.server_held, receipt.local_events)}"
            )
        raise BenchmarkError(what + detail)


def server_holds(url: str, code: str = CODE) -> tuple[int, int]:
    """(events in the station's feed, of which the station's own) as the server database says."""
    database = open_database(url)
    try:
        for summary in ServerService(database).stations():
            if summary.code == code:
                return summary.feed_head, summary.pushed_seq
        raise BenchmarkError(f"the server does not know station {code}")
    finally:
        database.dispose()


def new_enrolment_code(url: str, code: str = CODE) -> str:
    """What `gridstation-server station add CODE --new-code` does (the server may be running)."""
    database = open_database(url)
    try:
        return ServerService(database).add_station(code, "", new_code=True)
    finally:
        database.dispose()


def enrolled_client(base: str, enrolment: str) -> httpx.Client:
    client = httpx.Client(base_url=base, headers={PROTOCOL_HEADER: str(PROTOCOL_VERSION)}, timeout=120.0)
    answer = client.post("/api/v1/enrol", json={"code": enrolment, "device_name": "benchmark"})
    if answer.status_code != 200:
        raise BenchmarkError(f"enrolling: {answer.status_code} {answer.text[:300]}")
    client.headers["Authorization"] = f"Bearer {answer.json()['credential']}"
    return client


def cpu_text(run: TimedSync) -> str:
    return server_bench.cpu_note(run.server_cpu, run.client_cpu, run.seconds)


def stage_text(stages: Sequence[dict[str, float]]) -> str:
    names = ("connect", "push", "pull", "receipt", "conflicts")
    parts = [f"{n} {fmt(statistics.median(s.get(n, 0.0) for s in stages))}" for n in names]
    return (
        "median per stage: "
        + ", ".join(parts)
        + " (connect: lock, settings, new HTTP client; conflicts: + recording the run)"
    )


# ---------------------------------------------------------------------------------------------- the sink


class _Sink(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    received: ClassVar[list[int]] = []

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        _Sink.received.append(len(body))
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"{}")

    def log_message(self, format: str, *args: Any) -> None:
        pass


class Sink:
    """A minimal HTTP server in a thread: reads the body, answers 200."""

    def __enter__(self) -> str:
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Sink)
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()
        return f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def __exit__(self, *_: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


# ---------------------------------------------------------------------------------------------- 1. station day


def warm_up(server: Server, station: StationData, enrolment: str) -> None:
    """Another station's small day synced first: the server has compiled its statements, as in real life."""
    client = server_bench.connect(server.base, station, enrolment)
    try:
        server_bench.sync_station(client)
    finally:
        client.http.close()


def bench_day(report: Report, day: PreparedDay, warm: StationData, workdir: Path, reps: int) -> dict[str, Any]:
    bodies = push_bodies_of(day.path)
    raw = b"[" + b",".join(bodies) + b"]"
    json.loads(raw)  # one valid JSON document
    subject = StationData(CODE, NAME, day.cases, day.events, [], day.digest)
    runs: list[TimedSync] = []
    baseline: list[float] = []

    def gridstation(rep: int) -> None:
        url = f"sqlite:///{workdir / f'day-{rep}.db'}"
        enrolments = server_bench.prepare_server_db(url, [subject, warm])
        copy = workdir / f"day-{rep}-station"
        shutil.copytree(day.path, copy)
        with running_server(url, workdir / f"day-{rep}-server") as server:
            warm_up(server, warm, enrolments[warm.code])
            station, admin = open_station(copy, station_clock(SYNC_DAY))
            tally: Counter[str] = Counter()
            try:
                sync = make_sync(station, tally)
                sync.enrol(admin, server.base, enrolments[CODE], "benchmark")
                run = timed_run(sync, tally, server, kind="end_of_day", check_receipt=True)
            finally:
                station.close()
        s = run.summary
        check(s.ok, "station day: the sync failed", s)
        check(s.pushed == day.events and s.outcomes == {"applied": day.events}, "station day: push outcomes", s)
        check(s.receipt is not None and s.receipt.matches, "station day: the receipt does not match", s)
        assert s.receipt is not None
        check(
            (s.receipt.from_seq, s.receipt.to_seq, s.receipt.server_held) == (1, day.events, day.events)
            and s.receipt.server_digest == day.digest,
            "station day: the receipt does not cover the day",
            s,
        )
        feed, own = server_holds(url)
        check(run.pulled_items == feed == own == day.events, f"station day: pulled {run.pulled_items} of {feed}", s)
        check(s.pulled == 0 and s.unsent_after == 0 and not s.rejected, "station day: left something behind", s)
        pushed_bytes = run.tally["POST /api/v1/sync/push sent"]
        check(pushed_bytes == sum(map(len, bodies)), f"the push sent {pushed_bytes} B, the baseline's bodies differ", s)
        runs.append(run)

    def raw_post(_rep: int) -> None:
        with Sink() as base, httpx.Client(base_url=base, timeout=120.0) as client:
            _Sink.received.clear()
            started = time.perf_counter()
            answer = client.post("/sync", content=raw, headers={"Content-Type": "application/json"})
            answer.read()
            seconds = time.perf_counter() - started
        if answer.status_code != 200 or _Sink.received != [len(raw)]:
            raise BenchmarkError(f"the sink answered {answer.status_code}, received {_Sink.received}")
        baseline.append(seconds)

    for rep in range(reps):
        for side in (gridstation, raw_post) if rep % 2 == 0 else (raw_post, gridstation):
            side(rep)
    seconds = statistics.median(r.seconds for r in runs)
    requests, sent, received = traffic(runs[0].tally)
    retries = sum(r.summary.retries for r in runs)
    report.add(
        Figure(
            f"station day: {day.events:,} events pushed, pulled, receipted",
            seconds,
            "one raw POST of the same bytes",
            statistics.median(baseline),
            day.events,
            f"median of {reps}; the sync sent {mb(sent)} and received {mb(received)} in {requests} requests, "
            f"the raw POST {mb(len(raw))}; {cpu_text(runs[len(runs) // 2])}; "
            + ("no retries" if not retries else f"RETRIES {retries}"),
        )
    )
    print(f"  {stage_text([r.stages for r in runs])}")
    print(
        "  per request: "
        + ", ".join(f"{k.removesuffix(' requests')} x{v}" for k, v in runs[0].tally.items() if k.endswith("requests"))
    )
    return {
        "cases": day.cases,
        "events": day.events,
        "sync_seconds": [round(r.seconds, 4) for r in runs],
        "raw_post_seconds": [round(x, 5) for x in baseline],
        "stages_seconds": [{k: round(v, 4) for k, v in r.stages.items()} for r in runs],
        "traffic": dict(runs[0].tally),
        "raw_bytes": len(raw),
        "retries": retries,
    }


# ---------------------------------------------------------------------------------------------- 2. initial pull


def _history_chunk(job: tuple[int, int, str, int]) -> list[dict[str, Any]]:
    cases, days, first_day, seed = job
    return server_bench.station_events(CODE, cases, cases * EVENTS_PER_CASE, date.fromisoformat(first_day), days, seed)


def prepare_history(cases: int, *, fresh: bool) -> tuple[Path, int]:
    """A server database holding one station's `cases` cases (EVENTS_PER_CASE each), pushed in-process."""
    events = cases * EVENTS_PER_CASE
    path = WORK / f"history-{cases}c-{events}e.db"
    meta_path = path.with_suffix(".meta.json")
    if fresh:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        meta_path.unlink(missing_ok=True)
    if meta_path.exists() and path.exists():
        return path, json.loads(meta_path.read_text(encoding="utf-8"))["events"]
    started = time.perf_counter()
    print(f"building a server database with {cases} cases / {events} events in {path.relative_to(ROOT)} (cached)…")
    WORK.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    for suffix in ("", "-wal", "-shm"):
        Path(f"{tmp}{suffix}").unlink(missing_ok=True)
    # Slices of CHUNK_CASES cases over consecutive days (about CASES_PER_DAY a day), generated in worker
    # processes by server.py's generator; each slice's station_seq continues where the previous one ended.
    days_total = max(1, -(-cases // CASES_PER_DAY))
    first = SYNC_DAY - timedelta(days=days_total)
    jobs = []
    done_cases = 0
    while done_cases < cases:
        n = min(CHUNK_CASES, cases - done_cases)
        start_day = first + timedelta(days=done_cases // CASES_PER_DAY)
        jobs.append((n, max(1, -(-n // CASES_PER_DAY)), start_day.isoformat(), 4242 + len(jobs)))
        done_cases += n
    database = open_database(f"sqlite:///{tmp}")
    try:
        service = ServerService(database)
        service.add_station(CODE, NAME)
        seq = 0
        methods = multiprocessing.get_all_start_methods()
        context = multiprocessing.get_context("fork" if "fork" in methods else "spawn")
        with context.Pool(max(1, min(2, (os.cpu_count() or 1)))) as pool:
            for chunk in pool.imap(_history_chunk, jobs):
                for e in chunk:
                    e["station_seq"] += seq
                for i in range(0, len(chunk), server_bench.BATCH):
                    request = PushRequest.model_validate({"events": chunk[i : i + server_bench.BATCH]})
                    answer = service.push(CODE, request)
                    outcomes = Counter(r.outcome for r in answer.results)
                    if set(outcomes) != {"applied"}:
                        raise BenchmarkError(f"building the history: push outcomes {dict(outcomes)}")
                seq += len(chunk)
                print(f"  {seq} events pushed ({time.perf_counter() - started:.0f} s)", flush=True)
        feed = next(s.feed_head for s in service.stations() if s.code == CODE)
        if feed != events or seq != events:
            raise BenchmarkError(f"building the history: the feed holds {feed} events, expected {events}")
    finally:
        database.dispose()
    with sqlite3.connect(tmp) as connection:
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    for suffix in ("-wal", "-shm"):
        Path(f"{tmp}{suffix}").unlink(missing_ok=True)
    tmp.rename(path)
    meta_path.write_text(json.dumps({"cases": cases, "events": events}), encoding="utf-8")
    print(f"  built in {time.perf_counter() - started:.0f} s, {mb(path.stat().st_size)}", flush=True)
    return path, events


def bench_pull(report: Report, history: Path, cases: int, events: int, workdir: Path, reps: int) -> dict[str, Any]:
    db = workdir / "history.db"
    shutil.copyfile(history, db)
    url = f"sqlite:///{db}"
    runs: list[TimedSync] = []
    baseline: list[float] = []
    fetched: list[tuple[int, int]] = []
    station_sizes: list[int] = []
    with running_server(url, workdir / "history-server") as server:
        feed, own = server_holds(url)
        check(feed == own == events, f"the history database holds {feed} events, expected {events}")

        def gridstation(rep: int) -> None:
            data_dir = workdir / f"new-station-{rep}"
            station = StationService(data_dir)
            tally: Counter[str] = Counter()
            try:
                admin = station.initialise(code=CODE, name=NAME, admin_name=ADMIN[0], admin_pin=ADMIN[1])
                sync = make_sync(station, tally)
                sync.enrol(admin, server.base, new_enrolment_code(url), "benchmark")
                run = timed_run(sync, tally, server, echo_pull=True, kind="manual", check_receipt=False)
                with station.reading() as session:
                    held = session.scalar(select(func.count()).select_from(EventRow))
                    held_cases = session.scalar(select(func.count()).select_from(CaseRow))
            finally:
                station.close()
            s = run.summary
            check(s.ok, "initial pull: the sync failed", s)
            check(s.pushed == 0 and s.pulled == events == run.pulled_items, f"initial pull: pulled {s.pulled}", s)
            check(held == events and held_cases == cases, f"initial pull: the station holds {held} events", s)
            station_sizes.append(sum(p.stat().st_size for p in data_dir.iterdir() if p.is_file()))
            runs.append(run)
            shutil.rmtree(data_dir, ignore_errors=True)

        def fetch(_rep: int) -> None:
            client = enrolled_client(server.base, new_enrolment_code(url))
            try:
                epoch = 0
                cursor, items, size = 0, 0, 0
                started = time.perf_counter()
                while True:
                    answer = client.get(
                        "/api/v1/sync/pull", params={"after": cursor, "epoch": epoch, "limit": PULL_PAGE}
                    )
                    if answer.status_code != 200:
                        raise BenchmarkError(f"pull page after {cursor}: {answer.status_code} {answer.text[:300]}")
                    size += len(answer.content)
                    page = json.loads(answer.content)
                    items += len(page["items"])
                    cursor, epoch = page["cursor"], page["epoch"]
                    if not page["has_more"]:
                        break
                seconds = time.perf_counter() - started
            finally:
                client.close()
            if items != events:
                raise BenchmarkError(f"initial pull baseline: fetched {items} items of {events}")
            baseline.append(seconds)
            fetched.append((items, size))

        for rep in range(reps):
            for side in (gridstation, fetch) if rep % 2 == 0 else (fetch, gridstation):
                side(rep)
    seconds = statistics.median(r.seconds for r in runs)
    requests, _sent, received = traffic(runs[0].tally)
    report.add(
        Figure(
            f"initial pull: {cases:,} cases, {events:,} events",
            seconds,
            "fetching the same pages",
            statistics.median(baseline),
            events,
            f"{'median of ' + str(reps) if reps > 1 else 'one run each'}; {requests} requests, {mb(received)} "
            f"received (the fetch {mb(fetched[0][1])}); station database {mb(station_sizes[0])} afterwards; "
            f"{cpu_text(runs[len(runs) // 2])}",
        )
    )
    print(f"  {stage_text([r.stages for r in runs])}")
    head, tail = runs[0].pull_rates()
    print(f"  applying: first tenth of the feed {head:,.0f} ev/s, last tenth {tail:,.0f} ev/s")
    return {
        "cases": cases,
        "events": events,
        "sync_seconds": [round(r.seconds, 3) for r in runs],
        "fetch_seconds": [round(x, 3) for x in baseline],
        "stages_seconds": [{k: round(v, 3) for k, v in r.stages.items()} for r in runs],
        "fetched_bytes": fetched[0][1],
        "station_bytes": station_sizes[0],
        "server_cpu_s": [None if r.server_cpu is None else round(r.server_cpu, 2) for r in runs],
        "client_cpu_s": [round(r.client_cpu, 2) for r in runs],
    }


# ---------------------------------------------------------------------------------------------- 3. no-op sync


def bench_noop(report: Report, day: PreparedDay, workdir: Path, reps: int) -> dict[str, Any]:
    url = f"sqlite:///{workdir / 'noop.db'}"
    subject = StationData(CODE, NAME, day.cases, day.events, [], day.digest)
    enrolment = server_bench.prepare_server_db(url, [subject])[CODE]
    copy = workdir / "noop-station"
    shutil.copytree(day.path, copy)
    runs: list[TimedSync] = []
    baseline: list[float] = []
    fresh_client: list[float] = []
    with running_server(url, workdir / "noop-server") as server:
        station, admin = open_station(copy, station_clock(SYNC_DAY))
        tally: Counter[str] = Counter()
        try:
            sync = make_sync(station, tally)
            sync.enrol(admin, server.base, enrolment, "benchmark")
            first = sync.run("end_of_day")  # brings the station up to date
            check(first.ok and first.pushed == day.events, "no-op sync: the first sync failed", first)
            headers = {PROTOCOL_HEADER: str(PROTOCOL_VERSION)}
            with httpx.Client(base_url=server.base, headers=headers, timeout=30.0) as client:
                client.get("/api/v1/info").raise_for_status()  # the connection is open before the clock

                def gridstation(_rep: int) -> None:
                    run = timed_run(sync, tally, server, kind="manual", check_receipt=True)
                    s = run.summary
                    check(s.ok and s.pushed == 0 and s.pulled == 0 and run.pulled_items == 0, "no-op sync", s)
                    check(s.receipt is not None and s.receipt.matches, "no-op sync: the receipt does not match", s)
                    runs.append(run)

                def info(_rep: int) -> None:
                    started = time.perf_counter()
                    answer = client.get("/api/v1/info")
                    answer.read()
                    baseline.append(time.perf_counter() - started)
                    if answer.status_code != 200:
                        raise BenchmarkError(f"GET /api/v1/info: {answer.status_code}")

                for rep in range(reps):
                    for side in (gridstation, info) if rep % 2 == 0 else (info, gridstation):
                        side(rep)
            for _ in range(max(3, reps // 3)):  # diagnostic: what a new client costs (SyncService makes one per run)
                started = time.perf_counter()
                with httpx.Client(base_url=server.base, headers=headers, timeout=30.0) as fresh:
                    fresh.get("/api/v1/info").raise_for_status()
                fresh_client.append(time.perf_counter() - started)
        finally:
            station.close()
    seconds = statistics.median(r.seconds for r in runs)
    requests, sent, received = traffic(runs[0].tally)
    report.add(
        Figure(
            "no-op sync (up to date, receipt on)",
            seconds,
            "one GET /api/v1/info",
            statistics.median(baseline),
            0,
            f"median of {reps}; p95 {fmt(server_bench.percentile([r.seconds for r in runs], 0.95))} vs "
            f"{fmt(server_bench.percentile(baseline, 0.95))}; {requests} requests, {sent} B sent, {received} B "
            f"received; {cpu_text(runs[len(runs) // 2])}",
        )
    )
    print(f"  {stage_text([r.stages for r in runs])}")
    print(
        "  per request: "
        + ", ".join(f"{k.removesuffix(' requests')} x{v}" for k, v in runs[0].tally.items() if k.endswith("requests"))
        + f"; a new httpx.Client + GET /api/v1/info + close: median {fmt(statistics.median(fresh_client))}"
    )
    return {
        "sync_seconds": [round(r.seconds, 5) for r in runs],
        "info_seconds": [round(x, 6) for x in baseline],
        "new_client_info_seconds": [round(x, 5) for x in fresh_client],
        "stages_seconds": [{k: round(v, 5) for k, v in r.stages.items()} for r in runs],
        "traffic": dict(runs[0].tally),
    }


# ---------------------------------------------------------------------------------------------- main


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="smoke run: 30-case day, 1 000-case pull, few reps")
    parser.add_argument("--day-cases", type=int, default=None, help="cases in the station day (default 300; quick 30)")
    parser.add_argument("--pull-cases", type=int, default=None, help="cases in the big station (default 50 000)")
    parser.add_argument("--reps", type=int, default=None, help="station-day repetitions per side (default 5; quick 2)")
    parser.add_argument("--pull-reps", type=int, default=1, help="initial pulls per side (default 1)")
    parser.add_argument("--noop-reps", type=int, default=None, help="no-op syncs (default 40; quick 10)")
    parser.add_argument("--fresh", action="store_true", help="rebuild the cached station day and server database")
    parser.add_argument("--json", type=Path, default=None, help="also write the figures to this JSON file")
    args = parser.parse_args(argv)
    day_cases = args.day_cases or (30 if args.quick else 300)
    pull_cases = args.pull_cases or (1000 if args.quick else 50_000)
    reps = args.reps or (2 if args.quick else 5)
    noop_reps = args.noop_reps or (10 if args.quick else 40)
    started = time.perf_counter()

    print("GridStation sync benchmarks" + (" (quick)" if args.quick else ""))
    print(
        f"python {platform.python_version()}, httpx {httpx.__version__}, SQLite {sqlite3.sqlite_version}, "
        f"{os.cpu_count()} CPUs, {platform.platform()}, load average {load_average()}"
    )
    report = Report()
    details: dict[str, Any] = {}
    failure = ""
    workdir: Path | None = None
    try:
        day = prepare_day(day_cases, fresh=args.fresh)
        history, pull_events = prepare_history(pull_cases, fresh=args.fresh)
        warm = server_bench.dataset("day", 10, 30, 300, SYNC_DAY, 1, fresh=False)[0]
        workdir = Path(tempfile.mkdtemp(prefix="sync-work-", dir=CACHE))
        print(f"prepared in {time.perf_counter() - started:.0f} s; load average {load_average()}")

        server_bench.section(
            f"1. station day: {day.cases} cases / {day.events} events, SyncService.run (push, pull, receipt) "
            f"vs the same push bytes POSTed raw in one request (median of {reps}, fresh server each)"
        )
        details["day"] = bench_day(report, day, warm, workdir, reps)
        server_bench.section(
            f"2. initial pull: a new station pulls {pull_cases} cases / {pull_events} events, SyncService.run "
            f"vs fetching the same pull pages without applying them"
        )
        details["pull"] = bench_pull(report, history, pull_cases, pull_events, workdir, args.pull_reps)
        server_bench.section(f"3. no-op sync: an up-to-date station syncs again vs one GET /api/v1/info ({noop_reps}x)")
        details["noop"] = bench_noop(report, day, workdir, noop_reps)
    except BenchmarkError as exc:
        failure = str(exc)
        print(f"\n!! WRONG ANSWER: {failure}", flush=True)
    finally:
        if workdir is not None:
            shutil.rmtree(workdir, ignore_errors=True)

    print("\n== summary (ratio = GridStation / baseline, lower is better)")
    print(report.table())
    total = time.perf_counter() - started
    print(f"\ntotal {total:.0f} s, load average now {load_average()}")
    if args.json:
        args.json.write_text(
            json.dumps(
                {
                    "quick": args.quick,
                    "seconds": round(total, 1),
                    "failed": failure,
                    "figures": [
                        {
                            "label": f.label,
                            "seconds": round(f.seconds, 5),
                            "baseline": f.baseline_label,
                            "baseline_seconds": round(f.baseline_seconds, 6),
                            "events": f.events,
                            "ratio": round(f.ratio, 3),
                            "note": f.note,
                        }
                        for f in report.figures
                    ],
                    **details,
                },
                ensure_ascii=False,
                indent=2,
            ),
            encoding="utf-8",
        )
    return 1 if failure else 0


if __name__ == "__main__":
    sys.exit(main())

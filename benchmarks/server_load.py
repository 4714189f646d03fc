"""The server under load (issue 18): N stations syncing at once against `serve --workers W`, and the memory check.

    .venv/bin/python benchmarks/server.py --load --stations 200 --events 300 --workers 2 --db URL
    .venv/bin/python benchmarks/server.py --load --stations 200 --events 3000 --workers 2 --db URL
    .venv/bin/python benchmarks/server.py --memory-syncs 1000 --workers 2 --db URL

`--load`: every station (its own thread and httpx client, released together by a barrier) pushes its day in
batches of 1 000, pulls its feed and checks its day receipt, as figure 2 does, against one server started with
`--workers W` (and `--pool-size`, default 10: W × 2 × 10 + 2 connections at most). Reported: wall time, stations
per second, events per second, per-station median / p99 / max, every retry (503 with Retry-After: the station
waits Retry-After to 1.5 × Retry-After, `sync/retry.py`), the server's CPU (supervisor and workers), and the peak
resident memory of each server process, sampled every 0.5 s. Baseline: a raw bulk insert of the same events
into the `events` table of a fresh database of the same kind (Core executemany per station, one transaction;
only the statements are timed, not building the rows).

`--memory-syncs N`: one station syncs N times in a row against one server (each sync: push the next 3 events,
pull what is new, check the receipt of everything so far), on one kept httpx client as the desk keeps its
transport. The resident memory of the server's processes and of this (the syncing) process is sampled every
N/10 syncs and printed as a table; the run fails (exit 1) if either grew by more than `GROWTH_LIMIT` between the
sample after the warm-up (the first tenth) and the last.

A PostgreSQL URL is used as `server.py` uses it: a separate database `gridstation_bench` is made afresh next to
it. Without `--db` the runs use SQLite in a scratch directory (then only `--workers 1` makes sense).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import tempfile
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import server as bench
from sqlalchemy import insert, text

from gridstation.protocol import receipt_digest

MEMORY_EVENTS_PER_SYNC = 3
GROWTH_LIMIT_MB = 8.0  # RSS a process may gain after the warm-up over the whole memory run (allocator noise)


def backend_for(url: str | None, workdir: Path) -> bench.Backend:
    if url and url.startswith("postgresql"):
        found = bench.postgres_backend(url)
        if isinstance(found, str):
            raise bench.BenchmarkError(f"PostgreSQL not usable: {found}")
        return found
    return bench.sqlite_backend(workdir)


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def server_rss(server: bench.Server) -> dict[int, float]:
    """Resident memory of each of the server's processes (the supervisor and its workers), in MB."""
    found = {}
    for pid in bench.process_tree(server.pid):
        try:
            found[pid] = rss_mb(pid)
        except OSError:
            continue  # a process that just ended
    return found


@contextmanager
def sampling_rss(server: bench.Server, every: float = 0.5) -> Iterator[dict[int, float]]:
    """The peak RSS per server process while the block runs."""
    peaks: dict[int, float] = {}
    done = threading.Event()

    def sample() -> None:
        while not done.is_set():
            for pid, mb in server_rss(server).items():
                peaks[pid] = max(peaks.get(pid, 0.0), mb)
            done.wait(every)

    thread = threading.Thread(target=sample, daemon=True)
    thread.start()
    try:
        yield peaks
    finally:
        done.set()
        thread.join()


def bulk_insert_all_seconds(url: str, stations: Sequence[bench.StationData]) -> float:
    """The baseline: every station's events into `events`, one Core executemany per station, one transaction."""
    from gridstation.server.db import open_database
    from gridstation.server.models import ServerEventRow

    database = open_database(url)
    try:
        statement = insert(ServerEventRow.__table__)  # type: ignore[arg-type]
        seconds = 0.0
        with database.write_engine.connect() as connection:
            connection.execute(text("SELECT 1"))
            connection.rollback()
            transaction = connection.begin()
            for station in stations:
                rows = bench.event_rows(station, datetime.now(UTC))
                started = time.perf_counter()
                connection.execute(statement, rows)
                seconds += time.perf_counter() - started
            started = time.perf_counter()
            transaction.commit()
            seconds += time.perf_counter() - started
            held = connection.scalar(text("SELECT count(*) FROM events"))
        expected = sum(s.events for s in stations)
        if held != expected:
            raise bench.BenchmarkError(f"bulk insert left {held} rows, expected {expected}")
        return seconds
    finally:
        database.dispose()


def server_options(workers: int, pool_size: int) -> list[str]:
    return ["--workers", str(workers), "--pool-size", str(pool_size)]


def run_load(args: argparse.Namespace, workdir: Path) -> dict[str, Any]:
    backend = backend_for(args.db, workdir)
    print(f"{backend.name}: {backend.note}")
    stations = bench.dataset(
        "day", args.stations, max(1, args.events // 10), args.events, bench.SYNC_DAY, 1, fresh=args.fresh
    )
    total = sum(s.events for s in stations)
    bench.section(
        f"load: {len(stations)} stations x {stations[0].events} events at once, serve --workers {args.workers} "
        f"--pool-size {args.pool_size}, {backend.name}; vs a raw bulk insert of the same {total:,} events"
    )
    bulk = bulk_insert_all_seconds(backend.fresh("bulk"), stations)
    print(f"  raw bulk insert of {total:,} events: {bench.fmt_s(bulk)} ({bench.rate(total, bulk)} ev/s)", flush=True)
    url = backend.fresh("load")
    enrolments = bench.prepare_server_db(url, stations)
    options = server_options(args.workers, args.pool_size)
    with bench.running_server(url, workdir / "load-server", options) as server:
        with sampling_rss(server) as peaks:
            run = bench.run_syncs(server, stations, enrolments, concurrent=True)
        supervisor = server.pid
    per = [t.seconds for t in run.timings] or [float("nan")]
    done_events = sum(s.events for s in stations if s.code in {t.code for t in run.timings})
    workers_rss = sorted(mb for pid, mb in peaks.items() if pid != supervisor)
    summary = {
        "database": backend.name,
        "database_note": backend.note,
        "stations": len(stations),
        "events_per_station": stations[0].events,
        "workers": args.workers,
        "pool_size": args.pool_size,
        "bulk_insert_s": round(bulk, 3),
        "wall_over_bulk": round(run.wall / bulk, 2),
        "stations_per_s": round(len(run.timings) / run.wall, 2),
        "events_per_s": round(done_events / run.wall, 1),
        "supervisor_peak_rss_mb": round(peaks.get(supervisor, 0.0), 1),
        "worker_peak_rss_mb": [round(mb, 1) for mb in workers_rss],
        **run.summary(),
    }
    print(
        f"  wall {bench.fmt_s(run.wall)} = {run.wall / bulk:.2f}x the bulk insert; {summary['stations_per_s']} "
        f"stations/s, {bench.rate(done_events, run.wall)} events/s; per station median "
        f"{bench.fmt_s(statistics.median(per))}, p99 {bench.fmt_s(bench.percentile(per, 0.99))}, max "
        f"{bench.fmt_s(max(per))}; push / pull / receipt medians {summary['push_median_s']} / "
        f"{summary['pull_median_s']} / {summary['receipt_median_s']} s; slowest single request "
        f"{summary['slowest_request_s']} s (a desk gives up after 30 s); "
        f"{bench.cpu_note(run.server_cpu, run.client_cpu, run.wall)}; {bench.retries_note(run.retries)}",
        flush=True,
    )
    workers_text = ", ".join(f"{mb:.0f} MB" for mb in workers_rss) if workers_rss else "none (one process)"
    print(f"  peak RSS: supervisor {summary['supervisor_peak_rss_mb']} MB; workers {workers_text}", flush=True)
    if run.failures:
        print(f"  !! {len(run.failures)} stations gave up: {run.failures[0]}", flush=True)
    return summary


@dataclass
class MemorySample:
    sync: int
    server: dict[int, float]
    client: float


def small_bodies(station: bench.StationData) -> list[tuple[bytes, int, str]]:
    """The station's day as pushes of MEMORY_EVENTS_PER_SYNC events: (body, last seq, receipt digest so far)."""
    events = [e for body in station.bodies for e in json.loads(body)["events"]]
    out = []
    for i in range(0, len(events), MEMORY_EVENTS_PER_SYNC):
        part = events[: i + MEMORY_EVENTS_PER_SYNC]
        body = bench.push_bodies(events[i : i + MEMORY_EVENTS_PER_SYNC])[0]
        out.append(
            (body, part[-1]["station_seq"], receipt_digest([(e["station_seq"], e["content_hash"]) for e in part]))
        )
    return out


def run_memory(args: argparse.Namespace, workdir: Path) -> tuple[list[MemorySample], bool]:
    backend = backend_for(args.db, workdir)
    syncs = args.memory_syncs
    events = syncs * MEMORY_EVENTS_PER_SYNC
    station = bench.dataset("memory", 1, max(1, events // 10), events, bench.SYNC_DAY, 1, fresh=args.fresh)[0]
    plan = small_bodies(station)[:syncs]
    bench.section(
        f"memory: one station syncs {syncs} times in a row ({MEMORY_EVENTS_PER_SYNC} events pushed, the new feed "
        f"pulled and the receipt checked each time), serve --workers {args.workers}, {backend.name}"
    )
    url = backend.fresh("memory")
    enrolment = bench.prepare_server_db(url, [station])[station.code]
    samples: list[MemorySample] = []
    every = max(1, syncs // 10)
    with bench.running_server(url, workdir / "memory-server", server_options(args.workers, args.pool_size)) as server:
        client = bench.connect(server.base, station, enrolment)
        try:
            cursor = 0
            samples.append(MemorySample(0, server_rss(server), rss_mb(os.getpid())))
            for n, (body, last_seq, digest) in enumerate(plan, start=1):
                answer = client.call(
                    "POST", "/api/v1/sync/push", content=body, headers={"Content-Type": "application/json"}
                )
                if answer["acknowledged_seq"] != last_seq:
                    raise bench.BenchmarkError(f"memory sync {n}: acknowledged {answer['acknowledged_seq']}")
                while True:
                    page = client.call("GET", "/api/v1/sync/pull", params={"after": cursor, "epoch": client.epoch})
                    cursor = page["cursor"]
                    if not page["has_more"]:
                        break
                receipt = client.call(
                    "POST", "/api/v1/sync/receipt", json={"protocol": 1, "from_seq": 1, "to_seq": last_seq}
                )
                if receipt["digest"] != digest or receipt["missing"]:
                    raise bench.BenchmarkError(f"memory sync {n}: the receipt does not match")
                if n % every == 0 or n == len(plan):
                    samples.append(MemorySample(n, server_rss(server), rss_mb(os.getpid())))
        finally:
            client.http.close()
    return samples, print_memory(samples, server.pid)


def print_memory(samples: Sequence[MemorySample], supervisor: int) -> bool:
    pids = sorted({pid for s in samples for pid in s.server}, key=lambda pid: (pid != supervisor, pid))
    names = {pid: "supervisor" if pid == supervisor else f"worker {pid}" for pid in pids}
    if len(pids) == 1:
        names = {supervisor: "server"}
    rows = [("syncs", *(f"{names[pid]} MB" for pid in pids), "syncing process MB")]
    for s in samples:
        rows.append((str(s.sync), *(f"{s.server.get(pid, 0.0):.1f}" for pid in pids), f"{s.client:.1f}"))
    print(bench.aligned_table(rows, right=range(len(rows[0]))))
    warm, last = samples[min(1, len(samples) - 1)], samples[-1]
    growth = {names[pid]: last.server.get(pid, 0.0) - warm.server.get(pid, 0.0) for pid in pids}
    growth["syncing process"] = last.client - warm.client
    ok = all(g <= GROWTH_LIMIT_MB for g in growth.values())
    print(
        f"growth from sync {warm.sync} to sync {last.sync}: "
        + ", ".join(f"{name} {g:+.1f} MB" for name, g in growth.items())
        + f" -> {'OK' if ok else 'GREW'} (limit {GROWTH_LIMIT_MB:.0f} MB each)",
        flush=True,
    )
    return ok


def main(args: argparse.Namespace) -> int:
    bench.CACHE.mkdir(parents=True, exist_ok=True)
    workdir = Path(tempfile.mkdtemp(prefix="server-load-", dir=bench.CACHE))
    results: dict[str, Any] = {"load_average_start": os.getloadavg()[0]}
    ok = True
    try:
        if args.load:
            results["load"] = run_load(args, workdir)
            ok = ok and not results["load"]["failed"]
        if args.memory_syncs:
            samples, memory_ok = run_memory(args, workdir)
            results["memory"] = {
                "ok": memory_ok,
                "samples": [
                    {"sync": s.sync, "server_mb": list(s.server.values()), "client_mb": s.client} for s in samples
                ],
            }
            ok = ok and memory_ok
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    results["load_average_end"] = os.getloadavg()[0]
    print(f"\nload average now {results['load_average_end']:.2f}")
    if args.json:
        args.json.write_text(json.dumps(results, ensure_ascii=False, indent=2), encoding="utf-8")
    return 0 if ok else 1

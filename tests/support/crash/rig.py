"""The crash tests' rig: one server, one fork server and the stations of a test module, and the kinds of kill run."""

from __future__ import annotations

import functools
import os
import random
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tests.support.crash.children import ChildResult, ForkServer
from tests.support.crash.cutting_proxy import CuttingProxy
from tests.support.crash.forks import (
    CHILD_TIMEOUT,
    CRASH_AT_ENV,
    CRASH_COUNT_ENV,
    ROOT,
    SMALL_PULL_PAGE,
    SMALL_PUSH_BATCH,
)
from tests.support.crash.invariants import check_invariants
from tests.support.crash.server import CrashServer
from tests.support.crash.station import Station
from tests.support.waiting import wait_for

# Crash points a sync passes once, whatever its batches: killed there only at the first pass.
ONCE_PER_SYNC = ("sync.locked", "receipt.after_response", "conflicts.in_transaction", "run.before_record")


@dataclass
class KillRun:
    """What a kill run did, for the test's assertion messages."""

    label: str
    killed: ChildResult
    added: int
    unsent_before_recovery: int = 0
    recovery: ChildResult | None = None

    def __str__(self) -> str:
        return f"{self.label}: added {self.added}, unsent before recovery {self.unsent_before_recovery}\n{self.killed}"


def _retire_on_failure(run: Callable[..., KillRun]) -> Callable[..., KillRun]:
    """A failed run leaves its station broken: `Rig.station` hands out a fresh one next time."""

    @functools.wraps(run)
    def guarded(self: Rig, station: Station, *args: Any, **kwargs: Any) -> KillRun:
        try:
            return run(self, station, *args, **kwargs)
        except BaseException:
            station.broken = True
            raise

    return guarded


class Rig:
    """One server, one fork server and the stations of a test module."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.forks = ForkServer(root / "runs")
        self.server = CrashServer(root / "centre", self.forks)
        self.stations: dict[str, Station] = {}
        self.retired: list[Station] = []
        self.proxy: CuttingProxy | None = None
        self.sync_seconds = 1.0  # a whole sync of one run's work, from the fork: where random kills aim
        self.lock_seconds = 0.0
        self.cut_totals: dict[str, int] = {}
        self.kills = Counter[str]()
        self.landed = Counter[str]()  # the last crash point a randomly killed sync had passed
        try:
            self.server.start()
            warm = self.station("WARM")
            self.add_work(warm, random.Random("warm"))
            self.forks.warm_up(warm.data_dir)
        except BaseException:
            self.close()
            raise

    def close(self) -> None:
        try:
            for station in [*self.stations.values(), *self.retired]:
                station.close()
            if self.proxy is not None:
                self.proxy.close()
            self.server.close()
        finally:
            self.forks.close()

    def station(self, name: str, *, via_proxy: bool = False) -> Station:
        """The station called `name`, created and enrolled on first use.

        A station whose run failed may hold wrong data for good; the next caller gets a fresh one (code
        `<name>X<n>`), so one failure is reported once, not again by every later run on the same station.
        """
        station = self.stations.get(name)
        if station is None or station.broken:
            code = name if station is None else f"{name}X{len(self.retired) + 1}"
            if station is not None:
                self.retired.append(station)
            station = Station.create(self.root, code, self.server)
            if via_proxy:
                if self.proxy is None:
                    self.proxy = CuttingProxy(self.server.port)
                station.set_server_url(self.proxy.url)
                station.via_proxy = True
            self.stations[name] = station
        return station

    def add_work(self, station: Station, rng: random.Random, *, varied: bool = False) -> int:
        """7 station events and a work order (3 push batches, 3 pull pages), or a random amount (`varied`)."""
        if not varied:
            return station.add_work(rng, cases=2, events=5, work_orders=1)
        return station.add_work(
            rng, cases=rng.randint(0, 2), events=rng.randint(1, 5), work_orders=int(rng.random() < 0.25)
        )

    def recover_and_check(self, station: Station, run: KillRun) -> KillRun:
        """Another sync runs to the end, then every invariant is checked."""
        run.unsent_before_recovery = station.unsent()
        run.recovery = self.forks.run(station.data_dir)
        if run.recovery.signal is not None or not run.recovery.stdout.strip():
            raise AssertionError(f"{run.label}: the recovery sync died\n{run.recovery}\nafter {run}")
        check_invariants(station, run.recovery.summary(), context=str(run))  # its exit code is one of them
        return run

    def calibrate(self, station: Station, rng: random.Random) -> float:
        """Time one whole sync of a run's worth of work (not killed), checked like any recovery."""
        added = self.add_work(station, rng, varied=True)
        done = self.forks.run(station.data_dir, push_batch=SMALL_PUSH_BATCH, pull_page=SMALL_PULL_PAGE)
        self._observe(done)
        self.recover_and_check(station, KillRun("calibration", done, added))
        return done.seconds

    def _observe(self, whole: ChildResult) -> None:
        """A whole sync's timing (from the fork: when it held the lock, when it ended): where random kills aim."""
        self.sync_seconds = whole.seconds
        self.lock_seconds = whole.reached("sync.locked") or 0.0

    # --- the kinds of kill run ----------------------------------------------------------------------------

    @_retire_on_failure
    def crash_at(self, station: Station, point: str, count: int, *, small: bool) -> KillRun:
        """The sync kills itself (SIGKILL) the `count`-th time it reaches the named point."""
        rng = random.Random(f"{station.code}-{point}-{count}-{small}")
        added = self.add_work(station, rng)
        sizes = {"push_batch": SMALL_PUSH_BATCH, "pull_page": SMALL_PULL_PAGE} if small else {}
        killed = self.forks.run(station.data_dir, env={CRASH_AT_ENV: point, CRASH_COUNT_ENV: str(count)}, **sizes)
        label = f"crash at {point} #{count} ({'small' if small else 'default'} batches)"
        if not killed.sigkilled:
            raise AssertionError(f"{label}: the sync never reached the point and was not killed\n{killed}")
        if killed.last_point != point or killed.points.count(point) != count:
            raise AssertionError(f"{label}: killed elsewhere, after {killed.points}")
        self.kills["crash point"] += 1
        return self.recover_and_check(station, KillRun(label, killed, added))

    @_retire_on_failure
    def kill_at_random(self, station: Station, seed: int, *, kills: int = 1, contested: bool = False) -> KillRun:
        """`kills` syncs in a row SIGKILLed from outside after a random delay (seeded), new work before each,
        so all but the first are killed while resuming a killed sync; then one sync to the end.

        Four in five delays fall between the moment a whole sync takes its lock and its end (as measured on the
        last whole sync), one in five anywhere from the fork on, start-up included. A sync that finishes before
        its kill is checked like a recovery, and the next one aims inside the time it took. `contested`: before
        each, the centre and the desk also both move some of the station's cases on (`Station.contest`).
        """
        rng = random.Random(seed)
        done: list[str] = []
        added = killed = finished = 0
        while killed < kills:
            added += self.add_work(station, rng, varied=True)
            if contested:
                added += station.contest(rng, cases=rng.randint(1, 3))
            start = 0.0 if rng.random() < 0.2 else self.lock_seconds
            delay = rng.uniform(start, max(start, self.sync_seconds))
            sizes = rng.choice(
                [{}, {"push_batch": 2, "pull_page": 2}, {"push_batch": SMALL_PUSH_BATCH, "pull_page": SMALL_PULL_PAGE}]
            )
            child = self.forks.run(station.data_dir, kill_after=delay, **sizes)
            label = f"SIGKILL {delay:.4f} s after the fork ({sizes or 'default batches'})"
            if child.sigkilled:
                done.append(f"{label}, after {child.last_point} #{child.points.count(child.last_point)}")
                killed += 1
                self.kills["random"] += 1
                self.landed[child.last_point] += 1
                continue
            finished += 1
            done.append(f"({label}: finished first, in {child.seconds:.4f} s)")
            if finished > 3:
                raise AssertionError(f"seed {seed}: the syncs keep finishing before their kill: {done}")
            run = KillRun(f"seed {seed}: " + "; ".join(done), child, added)
            if child.exit_code != 0:
                raise AssertionError(f"{run.label}: the sync failed\n{child}")
            check_invariants(station, child.summary(), context=str(run))
            self._observe(child)
            self.sync_seconds *= 0.9
            added = 0
        return self.recover_and_check(station, KillRun(f"seed {seed}: " + "; ".join(done), child, added))

    @_retire_on_failure
    def kill_server_during_push(self, station: Station, seed: int, *, where: str, new_port: bool) -> KillRun:
        """The server dies (SIGKILL) during the station's push; it comes back on the same file (and port or not).

        `where`: "in_transaction" (inside the nth push's open write transaction), "after_commit" (the nth push
        committed, its answer not sent), "random" (a random 0–15 ms after the station sent its nth push).
        """
        rng = random.Random(f"server-{seed}-{where}")
        added = station.add_work(rng, cases=4, events=8, work_orders=1)
        announce = self.forks.scratch / f"announce-{station.code}-{seed}-{where}.txt"
        announce.unlink(missing_ok=True)
        nth = rng.randint(1, 3)
        if where == "random":
            delay = rng.uniform(0.0, 0.015)
            child = self.forks.start(station.data_dir, announce=str(announce), push_batch=SMALL_PUSH_BATCH, attempts=1)
            label = f"seed {seed}: server SIGKILLed {delay * 1000:.1f} ms after the station sent push #{nth}"
        else:
            delay = 0.0
            self.server.restart(pause_at=where, pause_on=nth, announce=str(announce))
            child = self.forks.start(station.data_dir, push_batch=SMALL_PUSH_BATCH, attempts=1)
            label = f"seed {seed}: server SIGKILLed {where.replace('_', ' ')} of push #{nth}"
        pushes = nth if where == "random" else 1
        wait_for(lambda: _lines(announce) >= pushes, f"{label}: never got there", seconds=CHILD_TIMEOUT, every=0.001)
        time.sleep(delay)  # "random": the kill lands 0–15 ms after that push went out (a paused server: at once)
        self.server.kill()
        stopped = child.wait()
        label += f", restarted on {'a new' if new_port else 'the same'} port"
        if stopped.signal is not None:
            raise AssertionError(f"{label}: the station's sync died instead of reporting the failure\n{stopped}")
        self.restart_server(new_port=new_port)
        self.kills["server"] += 1
        run = self.recover_and_check(station, KillRun(label, stopped, added))
        assert run.recovery is not None
        duplicates = run.recovery.summary()["outcomes"].get("duplicate", 0)
        if where == "after_commit" and duplicates != SMALL_PUSH_BATCH:
            raise AssertionError(f"{label}: the committed batch whose answer was lost came back {duplicates} times")
        if where == "in_transaction" and duplicates:
            raise AssertionError(f"{label}: the rolled-back batch was found on the server ({duplicates} duplicates)")
        return run

    def restart_server(self, *, new_port: bool) -> None:
        self.server.restart(new_port=new_port)
        if new_port:
            for station in [*self.stations.values(), *self.retired]:
                if not station.via_proxy:
                    station.set_server_url(self.server.url)
            if self.proxy is not None:
                self.proxy.target_port = self.server.port

    @_retire_on_failure
    def cut_connection(self, station: Station, seed: int, direction: str) -> KillRun:
        """The connection breaks once: `direction` "up" inside a request, "down" inside a response."""
        assert self.proxy is not None and station.via_proxy
        rng = random.Random(f"cut-{seed}")
        sizes = {"push_batch": SMALL_PUSH_BATCH, "pull_page": SMALL_PULL_PAGE}
        missed: list[str] = []
        for _ in range(4):
            added = self.add_work(station, rng)
            # How many bytes one run's sync moves that way: measured on the last sync through the proxy (the first
            # time on an uncut one); the next run's amount varies a little, so the cut aims inside 90 % of it.
            total = self.cut_totals.get(direction)
            cut_after = None if total is None else rng.randint(0, int(total * 0.9))
            self.proxy.arm(direction, cut_after)
            child = self.forks.run(station.data_dir, **sizes)
            cuts, self.cut_totals[direction] = self.proxy.cuts, self.proxy.passed[direction]
            self.proxy.arm(direction, None)
            label = f"cut seed {seed}: connection broken after {cut_after} of ~{total} bytes {direction}"
            if child.signal is not None:
                raise AssertionError(f"{label}: the station's sync died\n{child}")
            run = self.recover_and_check(station, KillRun(label, child, added))
            if cuts == 1:
                self.kills["cut"] += 1
                return run
            missed.append(label)
        raise AssertionError(f"cut seed {seed}: the connection was never cut: {missed}")

    @_retire_on_failure
    def fresh_interpreter_crash(self, station: Station, point: str) -> KillRun:
        """The crash point in `python -m gridstation sync` started afresh, as a scheduled task runs it."""
        rng = random.Random(f"fresh-{point}")
        added = self.add_work(station, rng)
        env = {**os.environ, CRASH_AT_ENV: point, CRASH_COUNT_ENV: "1", "PYTHONPATH": str(ROOT)}
        started = time.monotonic()
        done = subprocess.run(
            [sys.executable, "-m", "gridstation", "sync", "--json", "--data-dir", str(station.data_dir)],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=CHILD_TIMEOUT,
        )
        killed = ChildResult(
            exit_code=None if done.returncode < 0 else done.returncode,
            signal=-done.returncode if done.returncode < 0 else None,
            killed_by_parent=False,
            seconds=time.monotonic() - started,
            cpu=0.0,
            stdout=done.stdout,
            stderr=done.stderr,
        )
        label = f"crash at {point} in a fresh `python -m gridstation sync`"
        if not killed.sigkilled:
            raise AssertionError(f"{label}: not killed\n{killed}")
        self.kills["fresh interpreter"] += 1
        return self.recover_and_check(station, KillRun(label, killed, added))


def _lines(path: Path) -> int:
    try:
        return path.read_bytes().count(b"\n")
    except FileNotFoundError:
        return 0

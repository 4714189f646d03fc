"""The desk's sync runner: one sync at a time off the GUI thread, and background syncs with backoff and jitter.

The sync runs through `ui.workers` like every other slow job: the pool thread touches no Qt object and its
progress and summary reach the GUI thread through the workers' dispatcher, so closing the window mid-sync cannot
crash the desk.
"""

from __future__ import annotations

import itertools
import random
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QTimer, Signal

from gridstation.services.station import StationService
from gridstation.sync.retry import Backoff
from gridstation.sync.summary import SyncStatus, SyncSummary, needs_a_person
from gridstation.ui.messages import error_text
from gridstation.ui.workers import Job, run_in_background, run_reporting

if TYPE_CHECKING:
    from gridstation.sync.engine import SyncService

BACKGROUND_INTERVAL_MS = 5 * 60 * 1000
FIRST_BACKGROUND_MS = 15 * 1000
BACKOFF_MAX_MS = 15 * 60 * 1000
# After failed runs: from 30 s doubling up to 15 minutes, never less than half of that (why: sync/retry.py).
BACKGROUND_BACKOFF = Backoff(first_delay=30 * 1000, max_delay=BACKOFF_MAX_MS, jitter_floor=0.5)


class SyncController(QObject):
    """Runs syncs off the GUI thread, one at a time, and schedules background syncs with backoff and jitter."""

    progress = Signal(str, int, int)
    finished = Signal(object)  # SyncSummary
    status_changed = Signal(object)  # SyncStatus
    running_changed = Signal(bool)

    def __init__(
        self,
        service: StationService,
        parent: QObject | None = None,
        *,
        sync: SyncService | None = None,
        background: bool = True,
        rng: random.Random | None = None,
    ) -> None:
        super().__init__(parent)
        self.service = service
        self._cancel = threading.Event()
        self._sync = sync
        self._sync_lock = threading.Lock()
        self._rng = rng or random.Random()
        self._runs = itertools.count(1)
        self._active_run: int | None = None  # set by start(), cleared only when its summary arrives
        self._job: Job | None = None
        self._failures = 0
        self.status: SyncStatus | None = None
        self.last_summary: SyncSummary | None = None
        self._next = QTimer(self)
        self._next.setSingleShot(True)
        self._next.timeout.connect(self._background_tick)
        self.background = background
        if background:
            self._next.start(FIRST_BACKGROUND_MS)

    # --- running ------------------------------------------------------------------------------------------

    @property
    def sync(self) -> SyncService:
        """The sync engine, built on first use — the first status read runs on the thread pool right after the
        window shows — so that httpx and the protocol's models are not on the desk's start path (issue 18)."""
        with self._sync_lock:
            if self._sync is None:
                from gridstation.sync.engine import SyncService

                # Waiting between retries ends at once when the clerk cancels or the desk closes.
                self._sync = SyncService(self.service, sleep=self._wait_unless_cancelled)
            return self._sync

    def _wait_unless_cancelled(self, seconds: float) -> None:
        self._cancel.wait(seconds)

    @property
    def running(self) -> bool:
        return self._active_run is not None

    def start(self, kind: str = "manual", *, check_receipt: bool = True) -> bool:
        """Start a sync unless one is running in this desk; False if it was already running."""
        if self.running:
            return False
        self._next.stop()
        self._cancel.clear()
        run = self._active_run = next(self._runs)

        def work(report: Callable[[str, int, int], None]) -> SyncSummary:
            return self.sync.run(kind, progress=report, should_stop=self._cancel.is_set, check_receipt=check_receipt)

        def progressed(stage: str, done: int, total: int) -> None:
            if run == self._active_run:  # never let an old run speak for a new one
                self.progress.emit(stage, done, total)

        def ended(summary: object) -> None:
            if run != self._active_run:
                return  # cannot happen while runs are one at a time (a run given up on at shutdown, at most)
            assert isinstance(summary, SyncSummary)
            self._job = self._active_run = None
            self._on_finished(summary)

        def failed(error: BaseException) -> None:
            # run() never raises; this is for what breaks around it.
            summary = SyncSummary(kind=kind, started_at=self.service.now(), finished_at=self.service.now())
            summary.error_code, summary.error = "sync.failed", error_text(error)
            ended(summary)

        self._job = run_reporting(work, ended, failed, owner=self, on_progress=progressed, long_running=True)
        self.running_changed.emit(True)
        return True

    def cancel(self) -> None:
        self._cancel.set()

    def _background_tick(self) -> None:
        if self.status is not None and not self.status.enrolled:
            return  # nothing to talk to until an administrator enrols the desk (resume_background)
        self.start("background", check_receipt=False)

    def shutdown(self, wait_seconds: float = 5.0) -> None:
        """The window closes: stop scheduling, ask a running sync to stop, and wait briefly for it."""
        self._next.stop()
        self._cancel.set()
        if self._job is not None and self._job.wait(wait_seconds):
            self._job = self._active_run = None

    def _on_finished(self, summary: SyncSummary) -> None:
        self.last_summary = summary
        self.running_changed.emit(False)
        self.finished.emit(summary)
        if summary.ok:
            self._failures = 0
        elif summary.error_code not in ("sync.cancelled", "sync.busy"):
            self._failures += 1
        self.refresh_status()
        if self.background:
            self._schedule_background(summary)

    def next_delay_ms(self, summary: SyncSummary) -> int | None:
        """When to try again in the background: None when only a person can fix it (not enrolled, revoked)."""
        if needs_a_person(summary):
            return None
        if summary.ok or not self._failures:
            return BACKGROUND_INTERVAL_MS
        # Jitter: a power cut brings every desk of the street back at once; they must not all call together.
        return int(BACKGROUND_BACKOFF.delay(self._failures, self._rng))

    def _schedule_background(self, summary: SyncSummary) -> None:
        delay = self.next_delay_ms(summary)
        if delay is not None:
            self._next.start(delay)

    def resume_background(self) -> None:
        """After enrolling: start the background rhythm again."""
        if self.background and not self.running:
            self._next.start(1000)

    # --- status -------------------------------------------------------------------------------------------

    def refresh_status(self) -> None:
        def done(status: object) -> None:
            assert isinstance(status, SyncStatus)
            self.status = status
            self.status_changed.emit(status)

        run_in_background(lambda: self.sync.status(), done, lambda error: None, owner=self)

"""A station's sync with the sub-district server: push what is unsent, pull what came down, prove the day.

Pure orchestration over `ServerTransport` (HTTP) and `sync_store` (the station database); no Qt. The desk runs
it on a worker thread, `gridstation sync` runs it headless. Every step stores its result in one transaction
with the position it reached, so a sync cut off anywhere simply resumes: resent events are duplicates to the
server, re-pulled pages are already here.

`SyncService` is the one object the desk and the command line use: the run is here; enrolment, the inboxes and
the backoff are `sync.enrol`, `sync.inbox` and `sync.retry`, what a run reports is `sync.summary`.
"""

from __future__ import annotations

import logging
import random
import time
import weakref
from collections import Counter
from collections.abc import Callable
from functools import partial
from typing import Any, TypeVar

from gridstation.common.crashpoints import crash_point
from gridstation.domain.case import CaseState
from gridstation.domain.enums import EVENT_LABELS, EventType
from gridstation.domain.errors import DomainError
from gridstation.domain.sla import DeadlinePolicy
from gridstation.protocol import (
    DayReceipt,
    DayReceiptRequest,
    EnrolResponse,
    FeedHeads,
    PushRequest,
    conflicts_digest,
    missing_ranges,
    receipt_digest,
)
from gridstation.services.staff import StaffMember
from gridstation.services.station import StationService
from gridstation.storage import photos, sync_inbox, sync_store
from gridstation.storage.settings import SettingKey, setting
from gridstation.sync import inbox, tampering, wire
from gridstation.sync.enrol import exchange_code
from gridstation.sync.errors import SyncError
from gridstation.sync.inbox import ConflictView
from gridstation.sync.knowledge import sync_knowledge
from gridstation.sync.lock import sync_lock
from gridstation.sync.photo_downloads import download_photos
from gridstation.sync.photos import upload_photos
from gridstation.sync.pull import MAX_RESETS, PullEnd, SyncCancelled, pull_all
from gridstation.sync.recovery import resend_what_the_server_lost
from gridstation.sync.retry import Retrier, RetryPolicy
from gridstation.sync.summary import (
    NewWorkOrder,
    Progress,
    ReceiptCheck,
    RejectedEvent,
    SyncStatus,
    SyncSummary,
)
from gridstation.sync.transport import KeptTransport, ServerTransport, TransportFactory

log = logging.getLogger(__name__)

T = TypeVar("T")

PUSH_BATCH = 500
PULL_PAGE = 1000


def default_transport(url: str, credential: str) -> ServerTransport:
    return ServerTransport(url, credential)


class SyncService:
    def __init__(
        self,
        station: StationService,
        *,
        transport_factory: TransportFactory = default_transport,
        retry: RetryPolicy | None = None,
        sleep: Callable[[float], None] = time.sleep,
        rng: random.Random | None = None,
        lock_wait_seconds: float = 600.0,
    ) -> None:
        self.station = station
        self._transport_factory = transport_factory
        self._retrier = Retrier(retry or RetryPolicy(), sleep, rng or random.Random())
        self._lock_wait = lock_wait_seconds
        # One transport (one HTTP client: its TLS context and its keep-alive connection) from run to run while the
        # server, the credential and the factory stay the same: a new client per sync cost 20-40 ms (issue 18).
        # Closed by `close()`, or when this service is collected.
        self._kept = KeptTransport()
        weakref.finalize(self, self._kept.close)

    def close(self) -> None:
        """Close the kept HTTP connection (the next run opens a new one)."""
        self._kept.close()

    def _transport_for(self, url: str, credential: str) -> ServerTransport:
        return self._kept.get((self._transport_factory, url, credential))

    # --- set-up and status --------------------------------------------------------------------------------

    def enrol(self, actor: StaffMember, server_url: str, code: str, device_name: str = "") -> EnrolResponse:
        """Exchange a one-time enrolment code for this station's credential and remember the server."""
        return exchange_code(
            self.station,
            actor,
            server_url,
            code,
            device_name,
            transport_factory=self._transport_factory,
            retrier=self._retrier,
        )

    def server_url(self) -> str:
        with self.station.reading() as session:
            return str(setting(session, SettingKey.SERVER_URL, "") or "")

    def status(self) -> SyncStatus:
        with self.station.reading() as session:
            unsent, oldest = sync_store.unsent_count(session)
            last = sync_inbox.last_run(session)
            return SyncStatus(
                enrolled=bool(setting(session, SettingKey.CREDENTIAL, "")),
                server_url=str(setting(session, SettingKey.SERVER_URL, "") or ""),
                unsent=unsent,
                oldest_unsent_at=oldest,
                last_success_at=sync_inbox.last_success_at(session),
                last_attempt_at=last.started_at if last else None,
                last_error="" if last is None or last.ok else last.error,
                unseen_work_orders=sync_inbox.unseen_work_orders(session),
                open_conflicts=sync_inbox.open_conflict_count(session),
            )

    # --- what waits for a person (sync.inbox) -------------------------------------------------------------

    def open_conflicts(self) -> list[ConflictView]:
        return inbox.open_conflicts(self.station)

    def resolve_conflict(self, actor: StaffMember, conflict_id: str, keep: str) -> CaseState:
        """A person chose which value stands (`keep` is "station" or "server"); this writes a new event."""
        return inbox.resolve_conflict(self.station, actor, conflict_id, keep)

    def unseen_work_orders(self) -> list[NewWorkOrder]:
        return inbox.unseen_work_orders(self.station)

    def mark_work_orders_seen(self, actor: StaffMember, case_ids: list[str]) -> None:
        inbox.mark_work_orders_seen(self.station, actor, case_ids)

    # --- the sync -----------------------------------------------------------------------------------------

    def run(
        self,
        kind: str = "manual",
        *,
        progress: Progress | None = None,
        should_stop: Callable[[], bool] = lambda: False,
        check_receipt: bool = True,
    ) -> SyncSummary:
        """One full sync. Never raises for what can go wrong on the way: the summary says what happened."""
        report = progress or (lambda stage, done, total: None)
        summary = SyncSummary(kind=kind, started_at=self.station.now())
        try:
            with sync_lock(self.station.data_dir, wait_seconds=self._lock_wait, should_stop=should_stop):
                crash_point("sync.locked")
                self._run_locked(summary, report, should_stop, check_receipt)
                self._judge(summary)
        except DomainError as err:
            summary.error_code, summary.error = err.code, err.message_zh
        except Exception as err:
            log.exception("sync failed")
            summary.error_code = "sync.internal"
            summary.error = f"同步时发生意外错误，已完成的部分已保存，可稍后重试。（{type(err).__name__}: {err}）"
        finally:
            summary.finished_at = self.station.now()
            try:  # also when the run stopped half-way or never started: what is still unsent is what a person needs
                with self.station.reading() as session:
                    summary.unsent_after, _ = sync_store.unsent_count(session)
                    summary.photos_waiting = photos.pending_count(session)
                    summary.photos_to_download = photos.wanted_count(session)
            except Exception:
                summary.unsent_after = None  # unknown, not "nothing": the report says it could not be counted
                log.exception("could not count unsent events")
            crash_point("run.before_record")
            try:
                self._record(summary)
            except Exception as err:
                summary.ok = False
                summary.error_code = getattr(err, "code", "sync.record_failed")
                summary.error = getattr(err, "message_zh", str(err))
        report("done", 1, 1)
        return summary

    def _judge(self, summary: SyncSummary) -> None:
        """Done: is what the two sides hold the same? A difference caused by an edit of this machine's database is
        tampering and says so; any other is a content mismatch for an administrator."""
        tampered = tampering.among(self.station, summary.mismatched) if summary.mismatched else None
        if tampered is None and summary.receipt is not None and not summary.receipt.matches:
            tampered = tampering.in_range(self.station, summary.receipt.from_seq, summary.receipt.to_seq)
        if tampered is not None:
            summary.ok = False
            summary.error_code, summary.error = tampered.code, tampered.message_zh
            return
        summary.ok = not summary.mismatched
        if summary.mismatched:
            summary.error_code = "sync.content_mismatch"
            summary.error = (
                f"服务器上有 {len(summary.mismatched)} 条事件与本机内容不同（编号相同、内容不同），"
                "两边都未改动，请联系管理员核查。"
            )

    def _run_locked(
        self, summary: SyncSummary, report: Progress, should_stop: Callable[[], bool], check_receipt: bool
    ) -> None:
        with self.station.reading() as session:
            url = str(setting(session, SettingKey.SERVER_URL, "") or "")
            credential = str(setting(session, SettingKey.CREDENTIAL, "") or "")
        if not url or not credential:
            raise DomainError("sync.not_enrolled", "本工作站尚未登记到城运中心服务器，请在“同步设置”中登记。")
        station = self.station.station()
        assert station is not None
        report("connect", 0, 0)
        transport = self._transport_for(url, credential)
        finished = False
        try:
            retried = partial(self._with_retries, summary=summary)
            stop = partial(_stop_if, should_stop)
            resets = summary.resets
            self._push_all(transport, summary, report, should_stop)
            # The pull's last page answers the receipt for the day pushed so far, and says where the policy, the
            # knowledge base and the open conflicts stand: what has not changed is not asked for (issue 18).
            end = self._pull_all(transport, summary, report, should_stop, receipt=self._receipt_request(check_receipt))
            if summary.resets > resets and resend_what_the_server_lost(self.station, transport, retried, summary):
                self._push_all(transport, summary, report, should_stop)  # the server was restored from a backup
                end = PullEnd()  # what that page said was before the second push
            self._district_policy(transport, summary, end.heads)
            knowledge_head = end.heads.knowledge if end.heads else None
            sync_knowledge(self.station, transport, retried, summary, report, stop, knowledge_head)
            if check_receipt:
                report("receipt", 0, 1)
                summary.receipt = self._day_receipt(transport, summary, end.receipt)
            report("conflicts", 0, 1)
            self._refresh_conflicts(transport, summary, end.heads)
            # Last: their cases are on the server now, and a slow photo holds up nothing else.
            upload_photos(self.station, transport, retried, summary, report, stop)
            download_photos(self.station, transport, retried, summary, report, stop)
            finished = True
        finally:
            if not finished:
                self.close()  # whatever went wrong, the next run starts on a new connection
        with self.station.reading() as session:
            summary.unsent_after, _ = sync_store.unsent_count(session)
            summary.open_conflicts = sync_inbox.open_conflict_count(session)

    def _with_retries(self, call: Callable[[], T], summary: SyncSummary) -> T:
        def count() -> None:
            summary.retries += 1

        return self._retrier.call(call, on_retry=count)

    # --- push ---------------------------------------------------------------------------------------------

    def _push_all(
        self, transport: ServerTransport, summary: SyncSummary, report: Progress, should_stop: Callable[[], bool]
    ) -> None:
        with self.station.reading() as session:
            total, _ = sync_store.unsent_count(session)
        outcomes: Counter[str] = Counter()
        renumbered_once = False
        gap_recoveries = 0
        batch_size = PUSH_BATCH
        report("push", 0, total)
        while True:
            if should_stop():
                raise SyncCancelled()
            with self.station.reading() as session:
                batch = sync_store.unsent_events(session, batch_size)
                waiting, _ = sync_store.unsent_count(session)
            changed = next((index for index, item in enumerate(batch) if item.changed_here), None)
            if changed == 0:
                raise tampering.unsent_event_changed(self.station, batch[0])
            if changed is not None:
                batch = batch[:changed]  # what comes before the changed event still goes up, gap-free
            if not batch:
                break
            try:
                request = PushRequest(events=wire.pushed_events(batch), unsent=waiting)
                crash_point("push.before_request")
                response = self._with_retries(partial(transport.push, request), summary)
                crash_point("push.after_response")
            except SyncError as err:
                expected = _expected_seq(err)
                if err.code == "sequence.gap" and expected is not None:
                    gap_recoveries += 1
                    if gap_recoveries > MAX_RESETS:
                        raise
                    with self.station.transaction() as session:
                        # The server holds less than it once acknowledged (restored from its backup): resend.
                        resent = sync_store.unacknowledge_from(session, expected)
                        if resent:
                            # Its feed was rolled back too: read it again from the start, or items numbered
                            # again below our old cursor would be skipped.
                            position = sync_store.feed_position(session)
                            sync_store.save_feed_position(session, sync_store.FeedPosition(0, position.epoch))
                        else:
                            # Events from `expected` on were lost here before they ever reached the server (a
                            # restored backup with its number ledger intact): nothing can bring them back, and
                            # the unsent ones from there take their numbers so the sequence has no hole.
                            count, _ = sync_store.renumber_unsent(session, expected, from_seq=expected)
                            if not count:
                                raise
                            self.station.record_audit(session, None, "sync.lost_before_sent", first=expected)
                            summary.renumbered += count
                    summary.resent += resent
                    total += resent
                    continue
                if err.status == 413 and batch_size > 1:
                    batch_size = max(1, batch_size // 2)  # long descriptions: fewer events per request
                    continue
                if err.code == "event.hash_mismatch":
                    # The server found an event whose content does not give its hash: if it was changed here,
                    # that is tampering on this machine, not damage in transit.
                    found = tampering.in_range(self.station, batch[0].station_seq, batch[-1].station_seq)
                    if found is not None:
                        raise found from err
                if err.code == "sequence.reused" and expected is not None and not renumbered_once:
                    # This desk was restored from a backup and reused numbers of events the server already has.
                    renumbered_once = True
                    self._renumber_after_restore(transport, expected, summary, report, should_stop)
                    continue
                raise
            now = self.station.now()
            with self.station.transaction() as session:
                sync_store.record_push_results(session, wire.push_answers(response), now)
                crash_point("push.in_transaction")
            crash_point("push.after_commit")
            summary.pushed += len(response.results)
            outcomes.update(result.outcome for result in response.results)
            summary.outcomes = dict(outcomes)  # also right when a later batch fails
            rejected = [r for r in response.results if r.outcome == "rejected"]
            if rejected:
                summary.rejected += self._describe_rejected(rejected)
            report("push", summary.pushed, max(total, summary.pushed))
        summary.outcomes = dict(outcomes)

    def _renumber_after_restore(
        self,
        transport: ServerTransport,
        expected: int,
        summary: SyncSummary,
        report: Progress,
        should_stop: Callable[[], bool],
    ) -> None:
        station = self.station.station()
        assert station is not None
        # First everything the server holds from this station, so events it already has are recognised here.
        # The server's states are taken as they are: unsent events here may already be in them.
        self._pull_all(transport, summary, report, should_stop, replay_unsent=False)
        with self.station.transaction() as session:
            first = max(expected, (sync_inbox.last_acknowledged_seq(session) or 0) + 1)
            count, last = sync_store.renumber_unsent(session, first)
            self.station.record_audit(session, None, "sync.renumbered", count=count, first=first, last=last)
        summary.renumbered += count
        self.station.note_issued(last)

    def _describe_rejected(self, results: list[Any]) -> list[RejectedEvent]:
        with self.station.reading() as session:
            about = sync_inbox.rejected_event_details(session, [r.id for r in results])
        out = []
        for result in results:
            kind, number = about.get(result.id, ("", ""))
            label = EVENT_LABELS.get(EventType(kind), kind) if kind else ""
            out.append(RejectedEvent(number, result.station_seq, label, result.code or "", result.reason or ""))
        return out

    # --- pull (sync.pull) ------------------------------------------------------------------------------

    def _pull_all(
        self,
        transport: ServerTransport,
        summary: SyncSummary,
        report: Progress,
        should_stop: Callable[[], bool],
        *,
        replay_unsent: bool = True,
        receipt: DayReceiptRequest | None = None,
    ) -> PullEnd:
        retried = partial(self._with_retries, summary=summary)
        return pull_all(
            self.station,
            transport,
            retried,
            summary,
            report,
            should_stop,
            page_size=PULL_PAGE,  # read at each run: the crash harness sets smaller pages
            replay_unsent=replay_unsent,
            receipt=receipt,
        )

    def _district_policy(self, transport: ServerTransport, summary: SyncSummary, heads: FeedHeads | None) -> None:
        """Run the district's deadline policy if the centre has set a newer one (a server older than this desk
        has none to give: nothing changes)."""
        if heads is not None and heads.policy_version <= self._district_policy_held():
            return  # the pull said which version is in force: this desk runs it already (or the built-in one)
        try:
            found = self._with_retries(transport.district_policy, summary)
        except SyncError as err:
            if err.status == 404:
                return
            raise
        if found.version and self.station.adopt_district_policy(found.version, DeadlinePolicy.from_json(found.policy)):
            summary.district_policy_adopted = found.version

    def _district_policy_held(self) -> int:
        with self.station.reading() as session:
            held = setting(session, SettingKey.DISTRICT_POLICY)
        return int(held["version"]) if held else 0

    # --- receipt and conflicts ----------------------------------------------------------------------------

    def _receipt_request(self, check_receipt: bool) -> DayReceiptRequest | None:
        """Today's numbers this desk has had answered for, as the receipt asks for them (None: none today)."""
        if not check_receipt:
            return None
        day = self.station.local_date(self.station.now())
        with self.station.reading() as session:
            numbers = sync_inbox.day_range(session, self.station.start_of_day(day))
        if numbers is None:
            return None
        return DayReceiptRequest(from_seq=numbers[0], to_seq=numbers[1], label=f"{day:%Y-%m-%d}")

    def _day_receipt(
        self, transport: ServerTransport, summary: SyncSummary, pulled: DayReceipt | None
    ) -> ReceiptCheck | None:
        """The day's receipt: the one the pull brought if it covers today's numbers as they are now (the pull may
        have confirmed more of them), else asked for."""
        request = self._receipt_request(check_receipt=True)
        if request is None:
            return None
        first, last, label = request.from_seq, request.to_seq, request.label
        with self.station.reading() as session:
            local = sync_inbox.station_events_between(session, first, last)
        if pulled is not None and (pulled.from_seq, pulled.to_seq) == (first, last):
            server = pulled
        else:
            server = self._with_retries(lambda: transport.receipt(request), summary)
        crash_point("receipt.after_response")
        return ReceiptCheck(
            label=label,
            from_seq=first,
            to_seq=last,
            local_events=len(local),
            server_held=server.held,
            server_applied=server.applied,
            server_conflicts=server.conflicts,
            server_quarantined=server.quarantined,
            missing_on_server=[tuple(r) for r in server.missing],  # type: ignore[misc]
            missing_here=missing_ranges({seq for seq, _ in local}, first, last),
            local_digest=receipt_digest(local),
            server_digest=server.digest,
        )

    def _refresh_conflicts(self, transport: ServerTransport, summary: SyncSummary, heads: FeedHeads | None) -> None:
        if heads is not None:
            with self.station.reading() as session:
                here = conflicts_digest(row.id for row in sync_inbox.open_conflict_records(session))
            if here == heads.conflicts:
                return  # the server's open conflicts are the ones open here
        open_now = self._with_retries(transport.conflicts, summary)
        now = self.station.now()
        with self.station.transaction() as session:
            for conflict in open_now:
                if sync_store.upsert_conflict(session, wire.conflict_values(conflict)):
                    summary.new_conflicts += 1
            sync_inbox.close_conflicts_not_open_on_server(session, {c.id for c in open_now}, now)
            crash_point("conflicts.in_transaction")

    def _record(self, summary: SyncSummary) -> None:
        with self.station.transaction() as session:
            sync_inbox.record_run(
                session,
                kind=summary.kind,
                started_at=summary.started_at,
                finished_at=summary.finished_at,
                ok=summary.ok,
                summary=summary.to_json(),
                error=summary.error,
            )


def _stop_if(should_stop: Callable[[], bool]) -> None:
    if should_stop():
        raise SyncCancelled()


def _expected_seq(error: SyncError) -> int | None:
    value = error.params.get("expected_seq")
    return value if isinstance(value, int) else None

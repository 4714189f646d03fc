"""A station's sync with the sub-district server: push what is unsent, pull what came down, prove the day.

Pure orchestration over `ServerTransport` (HTTP) and `sync_store` (the station database); no Qt. The desk runs
it on a worker thread, `gridstation sync` runs it headless. Every step stores its result in one transaction
with the position it reached, so a sync cut off anywhere simply resumes: resent events are duplicates to the
server, re-pulled pages are already here.
"""

from __future__ import annotations

import hashlib
import logging
import random
import secrets
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import datetime
from functools import partial
from typing import Any, TypeVar

from sqlalchemy import func, select

from gridstation.domain.case import FIELD_LABELS, CaseState
from gridstation.domain.enums import EVENT_LABELS, EventType
from gridstation.domain.errors import DomainError
from gridstation.domain.roles import Permission, require
from gridstation.protocol import DayReceiptRequest, EnrolResponse, PushRequest, missing_ranges, receipt_digest
from gridstation.services.staff import StaffMember
from gridstation.services.station import StationService
from gridstation.storage import case_store, settings, sync_store
from gridstation.storage.models import CaseRow, ConflictRecordRow, EventRow, SyncRunRow, WorkOrderInboxRow
from gridstation.storage.settings import SettingKey
from gridstation.sync.crashpoints import crash_point
from gridstation.sync.lock import sync_lock
from gridstation.sync.transport import ServerTransport, SyncError, normalise_server_url

log = logging.getLogger(__name__)

PUSH_BATCH = 500
# Only a person can fix these: retrying on a timer would change nothing.
NEEDS_A_PERSON = frozenset(
    {
        "sync.not_enrolled",
        "station.revoked",
        "sync.case_number_clash",
        "sync.sequence_clash",
        "sync.reset_loop",
        "sync.content_mismatch",
    }
)
PULL_PAGE = 1000
MAX_RESETS = 3

T = TypeVar("T")
Progress = Callable[[str, int, int], None]  # (stage, done, total); total 0 when unknown
TransportFactory = Callable[[str, str], ServerTransport]

STAGE_LABELS = {
    "connect": "连接服务器",
    "push": "上传本站事件",
    "pull": "下载城运中心更新",
    "receipt": "核对今日回执",
    "conflicts": "更新冲突记录",
    "done": "完成",
}


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """How often one request is tried before the sync gives up, and how long it waits in between."""

    attempts: int = 6
    first_delay: float = 0.5
    max_delay: float = 30.0

    def delay(self, attempt: int, error: SyncError, rng: random.Random) -> float:
        # Full jitter: many stations coming back online at once do not retry in step.
        ceiling = min(self.max_delay, self.first_delay * 2 ** (attempt - 1))
        wait = rng.uniform(0, ceiling)
        return max(wait, error.retry_after or 0.0)


@dataclass(frozen=True, slots=True)
class RejectedEvent:
    case_number: str
    station_seq: int
    event: str
    code: str
    reason: str


@dataclass(frozen=True, slots=True)
class NewWorkOrder:
    case_id: str
    number: str
    channel: str
    description: str
    urgent: bool
    registered_at: datetime
    due_at: datetime | None


@dataclass(frozen=True, slots=True)
class ReceiptCheck:
    """The server's end-of-day receipt compared with the local log for the same numbers."""

    label: str
    from_seq: int
    to_seq: int
    local_events: int
    server_held: int
    server_applied: int
    server_conflicts: int
    server_quarantined: int
    missing_on_server: list[tuple[int, int]]
    missing_here: list[tuple[int, int]]
    local_digest: str
    server_digest: str

    @property
    def matches(self) -> bool:
        return self.local_digest == self.server_digest and not self.missing_on_server and not self.missing_here


@dataclass
class SyncSummary:
    kind: str
    started_at: datetime
    finished_at: datetime | None = None
    ok: bool = False
    error_code: str = ""
    error: str = ""
    pushed: int = 0
    outcomes: dict[str, int] = field(default_factory=dict)
    rejected: list[RejectedEvent] = field(default_factory=list)
    pulled: int = 0
    new_work_orders: list[NewWorkOrder] = field(default_factory=list)
    new_conflicts: int = 0
    open_conflicts: int = 0
    receipt: ReceiptCheck | None = None
    unsent_after: int = 0
    renumbered: int = 0
    resent: int = 0
    resets: int = 0
    retries: int = 0
    mismatched: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        for key in ("started_at", "finished_at"):
            data[key] = data[key].isoformat() if data[key] else None
        for order in data["new_work_orders"]:
            order["registered_at"] = order["registered_at"].isoformat()
            order["due_at"] = order["due_at"].isoformat() if order["due_at"] else None
        if self.receipt is not None:
            data["receipt"]["matches"] = self.receipt.matches
        return data


@dataclass(frozen=True, slots=True)
class SyncStatus:
    """What the status bar shows."""

    enrolled: bool
    server_url: str
    unsent: int
    oldest_unsent_at: datetime | None
    last_success_at: datetime | None
    last_attempt_at: datetime | None
    last_error: str
    unseen_work_orders: int
    open_conflicts: int


@dataclass(frozen=True, slots=True)
class ConflictView:
    """A conflict for the inbox: both values side by side, who set each and when."""

    id: str
    case_id: str
    case_number: str
    field: str
    label: str
    base_value: Any
    station_value: Any
    server_value: Any
    station_actor: str
    station_at: datetime
    server_actor: str
    server_at: datetime | None


class SyncCancelled(DomainError):
    def __init__(self) -> None:
        super().__init__("sync.cancelled", "同步已取消；已完成的部分已保存，下次同步会接着进行。")


def default_transport(url: str, credential: str) -> ServerTransport:
    return ServerTransport(url, credential)


class SyncService:
    def __init__(
        self,
        station: StationService,
        *,
        transport_factory: TransportFactory = default_transport,
        retry: RetryPolicy = RetryPolicy(),
        sleep: Callable[[float], None] = time.sleep,
        rng: random.Random | None = None,
        lock_wait_seconds: float = 600.0,
    ) -> None:
        self.station = station
        self._transport_factory = transport_factory
        self._retry = retry
        self._sleep = sleep
        self._rng = rng or random.Random()
        self._lock_wait = lock_wait_seconds

    # --- set-up -------------------------------------------------------------------------------------------

    def enrol(self, actor: StaffMember, server_url: str, code: str, device_name: str = "") -> EnrolResponse:
        """Exchange a one-time enrolment code for this station's credential and remember the server."""
        require(actor.role, Permission.MANAGE_SETTINGS)
        station = self.station.station()
        if station is None:
            raise DomainError("station.missing", "工作站尚未初始化。")
        url = normalise_server_url(server_url)
        code = code.strip()
        if not code:
            raise DomainError("sync.code_missing", "请输入街道管理员给出的一次性登记码。")
        attempt = self._enrol_attempt(code)
        transport = self._transport_factory(url, "")
        try:
            answer = self._with_retries(lambda: transport.enrol(code, device_name, attempt), None)
        finally:
            transport.close()
        if answer.station_code != station.code:
            raise DomainError(
                "sync.wrong_station",
                f"该登记码属于工作站 {answer.station_code}（{answer.station_name}），本机是 {station.code}。"
                "登记码已失效，请管理员为本站重新生成。",
            )
        with self.station.transaction() as session:
            previous = settings.setting(session, SettingKey.SERVER_URL, "")
            settings.put_setting(session, SettingKey.SERVER_URL, url)
            settings.put_setting(session, SettingKey.CREDENTIAL, answer.credential)
            if not settings.setting(session, SettingKey.STATUS_PAGE_URL, ""):
                # The receipt's QR code opens the case's status page on this same server.
                settings.put_setting(session, SettingKey.STATUS_PAGE_URL, url)
            if previous and previous != url:
                # Another server has its own feed: start reading it from the beginning.
                sync_store.save_feed_position(session, sync_store.FeedPosition(0, 0))
            settings.forget_setting(session, SettingKey.ENROL_ATTEMPT)
            self.station.record_audit(session, actor, "sync.enrolled", server=url, device=device_name)
        return answer

    def _enrol_attempt(self, code: str) -> str:
        """The attempt id for this code, kept on disk before asking: if the desk dies after the server used the
        code, enrolling again with the same code is a retry of the same attempt and still works."""
        key = hashlib.sha256(code.encode()).hexdigest()
        with self.station.transaction() as session:
            saved = settings.setting(session, SettingKey.ENROL_ATTEMPT)
            if isinstance(saved, dict) and saved.get("code") == key and isinstance(saved.get("attempt"), str):
                return str(saved["attempt"])
            attempt = secrets.token_urlsafe(24)
            settings.put_setting(session, SettingKey.ENROL_ATTEMPT, {"code": key, "attempt": attempt})
            return attempt

    def server_url(self) -> str:
        with self.station.reading() as session:
            return str(settings.setting(session, SettingKey.SERVER_URL, "") or "")

    def status(self) -> SyncStatus:
        with self.station.reading() as session:
            unsent, oldest = sync_store.unsent_count(session)
            last_ok = session.scalar(select(func.max(SyncRunRow.finished_at)).where(SyncRunRow.ok.is_(True)))
            last = session.scalars(select(SyncRunRow).order_by(SyncRunRow.id.desc()).limit(1)).first()
            return SyncStatus(
                enrolled=bool(settings.setting(session, SettingKey.CREDENTIAL, "")),
                server_url=str(settings.setting(session, SettingKey.SERVER_URL, "") or ""),
                unsent=unsent,
                oldest_unsent_at=oldest,
                last_success_at=last_ok,
                last_attempt_at=last.started_at if last else None,
                last_error="" if last is None or last.ok else last.error,
                unseen_work_orders=sync_store.unseen_work_orders(session),
                open_conflicts=sync_store.open_conflict_count(session),
            )

    # --- conflicts ----------------------------------------------------------------------------------------

    def open_conflicts(self) -> list[ConflictView]:
        with self.station.reading() as session:
            rows = session.scalars(
                select(ConflictRecordRow)
                .where(ConflictRecordRow.resolved_at.is_(None))
                .order_by(ConflictRecordRow.created_at)
            ).all()
        return [
            ConflictView(
                id=r.id,
                case_id=r.case_id,
                case_number=r.case_number,
                field=r.field,
                label=FIELD_LABELS.get(r.field, r.field),
                base_value=r.base_value,
                station_value=r.station_value,
                server_value=r.server_value,
                station_actor=r.station_actor,
                station_at=r.station_at,
                server_actor=r.server_actor,
                server_at=r.server_at,
            )
            for r in rows
        ]

    def resolve_conflict(self, actor: StaffMember, conflict_id: str, keep: str) -> CaseState:
        """A person chose which value stands (`keep` is "station" or "server"); this writes a new event."""
        if keep not in ("station", "server"):
            raise ValueError(keep)
        with self.station.reading() as session:
            row = session.get(ConflictRecordRow, conflict_id)
            if row is None:
                raise DomainError("conflict.unknown", "找不到该冲突记录。")
            if row.resolved_at is not None:
                raise DomainError("conflict.resolved", "该冲突已处理过。")
            name, station_value, server_value, case_id = row.field, row.station_value, row.server_value, row.case_id
        label = FIELD_LABELS.get(name, name)
        state = self.station.case(case_id)
        current = str(state.tier) if name == "tier" else getattr(state, name, None)
        reason = f"冲突处理：「{label}」采用本站的值"
        if keep == "server" or current == station_value:
            kept = server_value if keep == "server" else station_value
            payload: dict[str, Any] = {"note": f"冲突处理：「{label}」保留「{kept}」", "resolves_conflict": conflict_id}
            state = self.station.record(actor, case_id, EventType.NOTE_ADDED, payload)
        elif name == "tier":
            payload = {"to": station_value, "reason": reason, "resolves_conflict": conflict_id}
            state = self.station.record(actor, case_id, EventType.TIER_CHANGED, payload)
        else:
            payload = {"field": name, "value": station_value, "reason": reason, "resolves_conflict": conflict_id}
            state = self.station.record(actor, case_id, EventType.INTAKE_CORRECTED, payload)
        now = self.station.now()
        with self.station.transaction() as session:
            resolved = session.get(ConflictRecordRow, conflict_id)
            assert resolved is not None
            # The new event is the one that set the case's clock stamp (a sync may have pulled others meanwhile).
            last = session.scalar(
                select(EventRow.id).where(EventRow.case_id == case_id, EventRow.hlc == state.last_hlc)
            )
            resolved.resolved_at = now
            resolved.resolution_event_id = last or ""
            self.station.record_audit(session, actor, "conflict.resolved", conflict=conflict_id, keep=keep)
        return state

    # --- work orders ---------------------------------------------------------------------------------------

    def unseen_work_orders(self) -> list[NewWorkOrder]:
        """Work orders that came down and no clerk has looked at yet: urgent first, then by dispatch time."""
        with self.station.reading() as session:
            rows = session.scalars(
                select(CaseRow)
                .join(WorkOrderInboxRow, WorkOrderInboxRow.case_id == CaseRow.id)
                .where(WorkOrderInboxRow.seen_at.is_(None))
            ).all()
        return _urgent_first(rows)

    def mark_work_orders_seen(self, actor: StaffMember, case_ids: list[str]) -> None:
        now = self.station.now()
        with self.station.transaction() as session:
            for case_id in case_ids:
                row = session.get(WorkOrderInboxRow, case_id)
                if row is not None and row.seen_at is None:
                    row.seen_at, row.seen_by = now, actor.name

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
                summary.ok = not summary.mismatched
                if summary.mismatched:
                    summary.error_code = "sync.content_mismatch"
                    summary.error = (
                        f"服务器上有 {len(summary.mismatched)} 条事件与本机内容不同（编号相同、内容不同），"
                        "两边都未改动，请联系管理员核查。"
                    )
        except DomainError as err:
            summary.error_code, summary.error = err.code, err.message_zh
        except Exception as err:
            log.exception("sync failed")
            summary.error_code = "sync.internal"
            summary.error = f"同步时发生意外错误，已完成的部分已保存，可稍后重试。（{type(err).__name__}: {err}）"
        finally:
            summary.finished_at = self.station.now()
            crash_point("run.before_record")
            try:
                self._record(summary)
            except Exception as err:
                summary.ok = False
                summary.error_code = getattr(err, "code", "sync.record_failed")
                summary.error = getattr(err, "message_zh", str(err))
        report("done", 1, 1)
        return summary

    def _run_locked(
        self, summary: SyncSummary, report: Progress, should_stop: Callable[[], bool], check_receipt: bool
    ) -> None:
        with self.station.reading() as session:
            url = str(settings.setting(session, SettingKey.SERVER_URL, "") or "")
            credential = str(settings.setting(session, SettingKey.CREDENTIAL, "") or "")
        if not url or not credential:
            raise DomainError("sync.not_enrolled", "本工作站尚未登记到城运中心服务器，请在“同步设置”中登记。")
        station = self.station.station()
        assert station is not None
        report("connect", 0, 0)
        transport = self._transport_factory(url, credential)
        try:
            self._push_all(transport, summary, report, should_stop)
            self._pull_all(transport, station.code, summary, report, should_stop)
            if check_receipt:
                report("receipt", 0, 1)
                summary.receipt = self._day_receipt(transport, summary)
            report("conflicts", 0, 1)
            self._refresh_conflicts(transport, summary)
        finally:
            transport.close()
        with self.station.reading() as session:
            summary.unsent_after, _ = sync_store.unsent_count(session)
            summary.open_conflicts = sync_store.open_conflict_count(session)

    def _with_retries(self, call: Callable[[], T], summary: SyncSummary | None) -> T:
        attempt = 0
        while True:
            attempt += 1
            try:
                return call()
            except SyncError as err:
                if not err.retryable or attempt >= self._retry.attempts:
                    raise
                if summary is not None:
                    summary.retries += 1
                self._sleep(self._retry.delay(attempt, err, self._rng))

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
            if not batch:
                break
            try:
                request = PushRequest(events=batch)
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
                if err.code == "sequence.reused" and expected is not None and not renumbered_once:
                    # This desk was restored from a backup and reused numbers of events the server already has.
                    renumbered_once = True
                    self._renumber_after_restore(transport, expected, summary, report, should_stop)
                    continue
                raise
            now = self.station.now()
            with self.station.transaction() as session:
                sync_store.record_push_results(session, response, now)
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
        self._pull_all(transport, station.code, summary, report, should_stop, replay_unsent=False)
        with self.station.transaction() as session:
            last_sent = session.scalar(
                select(func.max(EventRow.station_seq)).where(
                    EventRow.origin == sync_store.STATION_ORIGIN, EventRow.acknowledged_at.is_not(None)
                )
            )
            first = max(expected, int(last_sent or 0) + 1)
            count, last = sync_store.renumber_unsent(session, first)
            self.station.record_audit(session, None, "sync.renumbered", count=count, first=first, last=last)
        summary.renumbered += count
        self.station.note_issued(last)

    def _describe_rejected(self, results: list[Any]) -> list[RejectedEvent]:
        ids = [r.id for r in results]
        with self.station.reading() as session:
            rows = session.execute(
                select(EventRow.id, EventRow.type, CaseRow.number)
                .join(CaseRow, CaseRow.id == EventRow.case_id)
                .where(EventRow.id.in_(ids))
            ).all()
        about = {event_id: (kind, number) for event_id, kind, number in rows}
        out = []
        for result in results:
            kind, number = about.get(result.id, ("", ""))
            label = EVENT_LABELS.get(EventType(kind), kind) if kind else ""
            out.append(RejectedEvent(number, result.station_seq, label, result.code or "", result.reason or ""))
        return out

    # --- pull ---------------------------------------------------------------------------------------------

    def _pull_all(
        self,
        transport: ServerTransport,
        station_code: str,
        summary: SyncSummary,
        report: Progress,
        should_stop: Callable[[], bool],
        *,
        replay_unsent: bool = True,
    ) -> None:
        policy = self.station.deadline_policy()
        resets = 0
        pulled = 0
        report("pull", 0, 0)
        while True:
            if should_stop():
                raise SyncCancelled()
            with self.station.reading() as session:
                position = sync_store.feed_position(session)
            page = self._with_retries(
                partial(transport.pull, after=position.cursor, epoch=position.epoch, limit=PULL_PAGE), summary
            )
            crash_point("pull.after_response")
            if page.reset:
                resets += 1
                if resets > MAX_RESETS:
                    raise DomainError("sync.reset_loop", "服务器反复要求重新下载，已停止。请联系街道管理员。")
                with self.station.transaction() as session:
                    # Unsent events stay as they are; only the reading position starts again.
                    sync_store.save_feed_position(session, sync_store.FeedPosition(0, page.epoch))
                    self.station.record_audit(session, None, "sync.reset", epoch=page.epoch)
                summary.resets += 1
                continue
            now = self.station.now()
            with self.station.transaction() as session:
                outcome = sync_store.apply_page(session, page, station_code, policy, now, replay_unsent=replay_unsent)
                crash_point("pull.before_cursor")
                sync_store.save_feed_position(session, sync_store.FeedPosition(page.cursor, page.epoch))
            crash_point("pull.after_commit")
            self.station.observe_stamps(item.event.hlc for item in page.items)
            if outcome.max_station_seq:
                self.station.note_issued(case_store_last_sequence(self.station))
            pulled += len(page.items)
            summary.pulled += outcome.new_events
            summary.new_conflicts += len(outcome.new_conflicts)
            summary.mismatched += outcome.mismatched
            summary.renumbered += outcome.renumbered
            if outcome.new_work_orders:
                summary.new_work_orders += self._describe_work_orders(outcome.new_work_orders)
            report("pull", pulled, pulled + page.remaining)
            if not page.has_more:
                return

    def _describe_work_orders(self, case_ids: list[str]) -> list[NewWorkOrder]:
        with self.station.reading() as session:
            rows = session.scalars(select(CaseRow).where(CaseRow.id.in_(case_ids))).all()
        return _urgent_first(rows)

    # --- receipt and conflicts ----------------------------------------------------------------------------

    def _day_receipt(self, transport: ServerTransport, summary: SyncSummary) -> ReceiptCheck | None:
        day = self.station.local_date(self.station.now())
        with self.station.reading() as session:
            numbers = sync_store.day_range(session, self.station.start_of_day(day))
            if numbers is None:
                return None
            first, last = numbers
            local = sync_store.station_events_between(session, first, last)
        label = f"{day:%Y-%m-%d}"
        server = self._with_retries(
            lambda: transport.receipt(DayReceiptRequest(from_seq=first, to_seq=last, label=label)), summary
        )
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

    def _refresh_conflicts(self, transport: ServerTransport, summary: SyncSummary) -> None:
        open_now = self._with_retries(transport.conflicts, summary)
        now = self.station.now()
        with self.station.transaction() as session:
            for conflict in open_now:
                if sync_store.upsert_conflict(session, conflict):
                    summary.new_conflicts += 1
            sync_store.close_conflicts_not_open_on_server(session, {c.id for c in open_now}, now)
            crash_point("conflicts.in_transaction")

    def _record(self, summary: SyncSummary) -> None:
        with self.station.transaction() as session:
            session.add(
                SyncRunRow(
                    kind=summary.kind,
                    started_at=summary.started_at,
                    finished_at=summary.finished_at,
                    ok=summary.ok,
                    summary=summary.to_json(),
                    error=summary.error,
                )
            )


def _urgent_first(rows: Sequence[CaseRow]) -> list[NewWorkOrder]:
    """Work orders as the clerk should read them: urgent ones first, then by dispatch time."""
    return [_work_order(r) for r in sorted(rows, key=lambda r: (not r.urgent, r.registered_at))]


def _work_order(row: CaseRow) -> NewWorkOrder:
    return NewWorkOrder(
        row.id, row.number, row.channel, row.description[:60], row.urgent, row.registered_at, row.due_at
    )


def needs_a_person(summary: SyncSummary) -> bool:
    return summary.error_code in NEEDS_A_PERSON or summary.error_code.startswith(("auth.", "enrol."))


def _expected_seq(error: SyncError) -> int | None:
    value = error.params.get("expected_seq")
    return value if isinstance(value, int) else None


def case_store_last_sequence(station: StationService) -> int:
    with station.reading() as session:
        return case_store.last_event_sequence(session)

"""The pull: the server's feed for this station, page after page, each stored with its cursor in one transaction.

The next page is fetched on a thread while the current one is stored, so the server's work and the desk's overlap
on two cores (issue 18). A page fetched ahead and never stored (a failure, a stop) is simply fetched again.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from functools import partial
from typing import Any

from gridstation.common.crashpoints import crash_point
from gridstation.domain.errors import DomainError
from gridstation.domain.sla import DeadlinePolicy
from gridstation.protocol import DayReceipt, DayReceiptRequest, FeedHeads, PullResponse
from gridstation.services.station import StationService
from gridstation.storage import case_store, sync_inbox, sync_store
from gridstation.sync import wire
from gridstation.sync.summary import Progress, SyncSummary, urgent_first
from gridstation.sync.transport import ServerTransport

Call = Callable[[Callable[[], Any]], Any]  # a request with the run's retries around it
MAX_RESETS = 3


class SyncCancelled(DomainError):
    def __init__(self) -> None:
        super().__init__("sync.cancelled", "同步已取消；已完成的部分已保存，下次同步会接着进行。")


@dataclass(frozen=True, slots=True)
class PullEnd:
    """What the last page said beyond the feed (None: a server before issue 18, or not asked for)."""

    heads: FeedHeads | None = None
    receipt: DayReceipt | None = None


def pull_all(
    station: StationService,
    transport: ServerTransport,
    call: Call,
    summary: SyncSummary,
    report: Progress,
    should_stop: Callable[[], bool],
    *,
    page_size: int,
    replay_unsent: bool = True,
    receipt: DayReceiptRequest | None = None,
) -> PullEnd:
    """Pull and store every page after the saved cursor; counts what came in `summary`. The last page also brings
    where the station's other exchanges stand and, when asked, the receipt for `receipt`'s numbers: an up-to-date
    station's sync is then this one request (issue 18)."""
    station_code = _station_code(station)
    policy = station.deadline_policy()
    resets = 0
    pulled = 0
    report("pull", 0, 0)
    with station.reading() as session:
        waiting, _ = sync_store.unsent_count(session)  # for the centre's status page (issue 19)

    def fetch(cursor: int, epoch: int) -> PullResponse:
        ask = partial(
            transport.pull, after=cursor, epoch=epoch, limit=page_size, unsent=waiting, heads=True, receipt=receipt
        )
        page: PullResponse = call(ask)
        return page

    fetcher = ThreadPoolExecutor(max_workers=1, thread_name_prefix="sync-pull")
    ahead: Future[PullResponse] | None = None
    try:
        while True:
            if should_stop():
                raise SyncCancelled()
            if ahead is None:
                with station.reading() as session:
                    asked = sync_store.feed_position(session)
                page = fetch(asked.cursor, asked.epoch)
            else:
                page, ahead = ahead.result(), None
            crash_point("pull.after_response")
            if page.reset:
                resets += 1
                if resets > MAX_RESETS:
                    raise DomainError("sync.reset_loop", "服务器反复要求重新下载，已停止。请联系街道管理员。")
            elif page.has_more:
                ahead = fetcher.submit(fetch, page.cursor, page.epoch)
            position, asked = asked, sync_store.FeedPosition(page.cursor, page.epoch)  # where the next was asked from
            if not _store_page(station, page, position, station_code, policy, summary, replay_unsent):
                continue
            pulled += len(page.items)
            report("pull", pulled, pulled + page.remaining)
            if not page.has_more:
                return PullEnd(page.heads, page.receipt)
    finally:
        fetcher.shutdown(wait=False, cancel_futures=True)


def _store_page(
    station: StationService,
    page: PullResponse,
    asked: sync_store.FeedPosition,
    station_code: str,
    policy: DeadlinePolicy,
    summary: SyncSummary,
    replay_unsent: bool,
) -> bool:
    """Store one pull page with its cursor (`asked`: the position it was asked from); False when the server asked to
    start again from 0 (a reset)."""
    if page.reset:
        with station.transaction() as session:
            # Unsent events stay as they are; only the reading position starts again.
            sync_store.save_feed_position(session, sync_store.FeedPosition(0, page.epoch))
            station.record_audit(session, None, "sync.reset", epoch=page.epoch)
        summary.resets += 1
        return False
    if not page.items and not page.cases and page.cursor == asked.cursor and page.epoch == asked.epoch:
        return True  # nothing new (an up-to-date station's pull): no transaction to write and commit
    now = station.now()
    with station.transaction() as session:
        outcome = sync_store.apply_page(
            session,
            wire.page_events(page),
            wire.page_states(page),
            wire.page_conflicts(page),
            station_code,
            policy,
            now,
            replay_unsent=replay_unsent,
        )
        crash_point("pull.before_cursor")
        sync_store.save_feed_position(session, sync_store.FeedPosition(page.cursor, page.epoch))
    crash_point("pull.after_commit")
    station.observe_stamps(item.event.hlc for item in page.items)
    if outcome.max_station_seq:
        with station.reading() as session:
            last = case_store.last_event_sequence(session)
        station.note_issued(last)
    summary.pulled += outcome.new_events
    summary.new_conflicts += len(outcome.new_conflicts)
    summary.mismatched += outcome.mismatched
    summary.renumbered += outcome.renumbered
    if outcome.new_work_orders:
        with station.reading() as session:
            summary.new_work_orders += urgent_first(sync_inbox.cases_by_id(session, outcome.new_work_orders))
    return True


def _station_code(station: StationService) -> str:
    found = station.station()
    assert found is not None
    return found.code

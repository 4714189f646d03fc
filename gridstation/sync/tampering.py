"""Telling tampering from everything else a sync can meet: an event of this desk whose stored fields no longer give
its stored hash was edited on this machine, outside GridStation. The sync then says so (`sync.tampered`, 篡改) and
names the event, instead of reporting damage in transit or a network error; `gridstation audit verify` names
every broken link."""

from __future__ import annotations

from gridstation.domain.enums import EVENT_LABELS, EventType
from gridstation.domain.errors import DomainError
from gridstation.services.station import StationService
from gridstation.storage import sync_inbox, sync_store


def tampering_error(case_number: str, kind: str, station_seq: int, unsent: int) -> DomainError:
    """Never retried: a person must look."""
    try:
        label = EVENT_LABELS[EventType(kind)]
    except (ValueError, KeyError):
        label = kind
    return DomainError(
        "sync.tampered",
        f"本机第 {station_seq} 号事件（诉求 {case_number or '编号不明'} 的「{label}」）在 GridStation 之外被改动过"
        f"（篡改）：内容与其校验值不符。同步已停止，仍有 {unsent} 条事件未上传。"
        "请运行 gridstation audit verify 核对日志，并联系街道管理员。",
        case_number=case_number,
        event_type=kind,
        station_seq=station_seq,
        unsent=unsent,
    )


def unsent_event_changed(station: StationService, item: sync_store.OutgoingEvent) -> DomainError:
    with station.reading() as session:
        number = sync_inbox.case_number_of(session, item.event.case_id)
        unsent, _ = sync_store.unsent_count(session)
    return tampering_error(number, str(item.event.type), item.station_seq, unsent)


def in_range(station: StationService, first: int, last: int) -> DomainError | None:
    """The error for the first of this desk's events numbered `first`..`last` changed on this machine, if any."""
    with station.reading() as session:
        changed = sync_inbox.events_changed_here(session, first, last)
        if not changed:
            return None
        row = changed[0]
        number = sync_inbox.case_number_of(session, row.case_id)
        unsent, _ = sync_store.unsent_count(session)
    return tampering_error(number, row.type, row.station_seq or 0, unsent)


def among(station: StationService, event_ids: list[str]) -> DomainError | None:
    """Events the server holds with other content: tampering if it is this machine's copy that changed."""
    with station.reading() as session:
        seqs = [row.station_seq for row in sync_inbox.events_by_id(session, event_ids) if row.station_seq]
    return in_range(station, min(seqs), max(seqs)) if seqs else None

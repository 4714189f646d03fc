"""A sync that fails early (not enrolled, the network down, another sync holding the lock) still says how many events
wait to be sent: "仍未上传：463 条", never a made-up 0 (issue 14, item 9)."""

from __future__ import annotations

from zoneinfo import ZoneInfo

import pytest

from gridstation.services.staff import StaffMember
from gridstation.services.station import StationService
from gridstation.sync.engine import SyncService
from gridstation.sync.lock import sync_lock
from gridstation.sync.report import as_text
from gridstation.sync.summary import SyncSummary
from tests.support.complaints import complaint
from tests.support.sync import Centre, Desk, refuse_connection

ZONE = ZoneInfo("Asia/Shanghai")


def register(station: StationService, clerk: StaffMember, cases: int) -> int:
    """Register `cases` hotline cases; the number of events they made, all unsent."""
    for index in range(cases):
        station.register_case(clerk, complaint(index))
    return station_unsent(station)


def station_unsent(station: StationService) -> int:
    return SyncService(station).status().unsent


def says_unsent(summary: SyncSummary, count: int) -> None:
    assert summary.unsent_after == count
    assert f"仍未上传：{count} 条" in as_text(summary, ZONE)


def test_not_enrolled(service: StationService, clerk: StaffMember) -> None:
    unsent = register(service, clerk, 4)
    assert unsent == 4  # hotline cases: one event each
    summary = SyncService(service).run("manual")
    assert not summary.ok and summary.error_code == "sync.not_enrolled"
    says_unsent(summary, unsent)


def test_network_down(desk: Desk, centre: Centre) -> None:
    unsent = register(desk.station, desk.clerk, 3)
    centre.transport.add("/", refuse_connection, times=1000)  # every request refused from now on
    summary = desk.sync.run("manual")
    assert not summary.ok
    says_unsent(summary, unsent)


def test_another_sync_holds_the_lock(service: StationService, clerk: StaffMember) -> None:
    unsent = register(service, clerk, 2)
    with sync_lock(service.data_dir):
        summary = SyncService(service, lock_wait_seconds=0).run("manual")
    assert not summary.ok
    says_unsent(summary, unsent)


def test_a_failure_around_the_run_is_not_reported_as_nothing_unsent() -> None:
    """What the desk shows when the run could not even report (the controller's fallback summary)."""
    from datetime import UTC, datetime

    summary = SyncSummary(kind="manual", started_at=datetime(2026, 11, 23, 1, 30, tzinfo=UTC))
    assert "仍未上传：0 条" not in as_text(summary, ZONE)


def test_an_unknown_count_is_not_shown_as_zero(service: StationService, clerk: StaffMember,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    register(service, clerk, 1)
    from gridstation.storage import sync_store

    def broken(session: object) -> tuple[int, None]:
        raise RuntimeError("database is locked")

    monkeypatch.setattr(sync_store, "unsent_count", broken)
    summary = SyncService(service).run("manual")
    assert summary.unsent_after is None
    text = as_text(summary, ZONE)
    assert "仍未上传：0 条" not in text and "仍未上传：未能统计" in text

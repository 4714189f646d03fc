"""The case list's compact 剩余时间: the largest whole unit, counted down, so the column never overstates time."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from gridstation.domain.listing import CompactTime, TimeUnit, compact_remaining

NOW = datetime(2026, 11, 23, 6, 30, tzinfo=UTC)


@pytest.mark.parametrize(
    ("offset", "text"),
    [
        (timedelta(days=-9, hours=-8, minutes=-1), "超 9天"),
        (timedelta(days=-1), "超 1天"),
        (timedelta(hours=-23, minutes=-59), "超 23时"),
        (timedelta(hours=-3, minutes=-20), "超 3时"),
        (timedelta(minutes=-25, seconds=-30), "超 25分"),
        (timedelta(seconds=-59), "超 <1分"),
        (timedelta(0), "剩 <1分"),
        (timedelta(seconds=59), "剩 <1分"),
        (timedelta(minutes=4, seconds=59), "剩 4分"),
        (timedelta(minutes=59, seconds=59), "剩 59分"),
        (timedelta(hours=1), "剩 1时"),
        (timedelta(hours=3, minutes=59), "剩 3时"),
        (timedelta(days=2, hours=5), "剩 2天"),
    ],
)
def test_compact_text(offset: timedelta, text: str) -> None:
    shown = compact_remaining(NOW + offset, NOW)
    assert shown is not None
    assert shown.text == text


def test_no_deadline_has_no_compact_time() -> None:
    assert compact_remaining(None, NOW) is None


def test_parts_for_translation() -> None:
    """The screen translates from the parts, not from the Chinese text."""
    assert compact_remaining(NOW - timedelta(days=9, hours=8), NOW) == CompactTime(True, 9, TimeUnit.DAY)
    assert compact_remaining(NOW + timedelta(minutes=25), NOW) == CompactTime(False, 25, TimeUnit.MINUTE)


def test_never_longer_than_six_characters() -> None:
    """Fits the narrow column: even a case a year overdue."""
    for days in (0, 1, 99, 365):
        for sign in (1, -1):
            shown = compact_remaining(NOW + sign * timedelta(days=days, hours=5), NOW)
            assert shown is not None
            assert len(shown.text) <= 6

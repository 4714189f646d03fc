"""A clock the test controls, for the desk and the server alike."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

START = datetime(2026, 11, 23, 1, 30, tzinfo=UTC)  # 09:30 in Shanghai


class FakeClock:
    """Wall time that only moves when a test says so."""

    def __init__(self, start: datetime | None = None) -> None:
        self.current = start or START

    def __call__(self) -> datetime:
        return self.current

    def advance(self, **kwargs: float) -> datetime:
        self.current += timedelta(**kwargs)
        return self.current

"""Hybrid logical clock (Kulkarni et al., 2014).

A stamp stays close to wall time but never runs backwards, so a station whose wall clock jumps back
still orders its own events correctly. Stamps are for ordering and tie-breaks; conflicts are detected
from versions, never from clocks.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True, order=True, slots=True)
class HlcStamp:
    wall_ms: int
    counter: int

    def encode(self) -> str:
        """A fixed-width string whose lexical order is the stamp order (safe to index and sort in SQL)."""
        return f"{self.wall_ms:015d}.{self.counter:06d}"

    @classmethod
    def decode(cls, text: str) -> HlcStamp:
        wall, _, counter = text.partition(".")
        return cls(int(wall), int(counter))


def system_wall_ms() -> int:
    return time.time_ns() // 1_000_000


class HybridLogicalClock:
    """Thread-safe HLC. `last` can be restored from storage so the clock survives restarts."""

    def __init__(self, wall_ms: Callable[[], int] = system_wall_ms, last: HlcStamp | None = None) -> None:
        self._wall_ms = wall_ms
        self._last = last or HlcStamp(0, 0)
        self._lock = threading.Lock()

    @property
    def last(self) -> HlcStamp:
        return self._last

    def now(self) -> HlcStamp:
        """Stamp a local event."""
        with self._lock:
            wall = self._wall_ms()
            if wall > self._last.wall_ms:
                self._last = HlcStamp(wall, 0)
            else:
                self._last = HlcStamp(self._last.wall_ms, self._last.counter + 1)
            return self._last

    def observe(self, remote: HlcStamp) -> HlcStamp:
        """Merge a stamp received from elsewhere so later local stamps sort after it."""
        with self._lock:
            wall = self._wall_ms()
            top = max(wall, self._last.wall_ms, remote.wall_ms)
            if top == self._last.wall_ms == remote.wall_ms:
                counter = max(self._last.counter, remote.counter) + 1
            elif top == self._last.wall_ms:
                counter = self._last.counter + 1
            elif top == remote.wall_ms:
                counter = remote.counter + 1
            else:
                counter = 0
            self._last = HlcStamp(top, counter)
            return self._last

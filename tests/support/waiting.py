"""Waiting for something the test cannot be told about directly (a server answering, a session waiting on a lock)."""

from __future__ import annotations

import time
from collections.abc import Callable


def wait_for(reached: Callable[[], bool], failure: str, *, seconds: float = 30.0, every: float = 0.01) -> None:
    """Return as soon as `reached()` is true, looking every `every` seconds; fail with `failure` after `seconds`.

    The verdict is `reached()`: the deadline only keeps a test that would otherwise hang from hanging.
    """
    deadline = time.monotonic() + seconds
    while not reached():
        if time.monotonic() > deadline:
            raise AssertionError(failure)
        time.sleep(every)

"""The station's wait before trying again (`sync/retry.py`): capped exponential backoff with jitter, and a busy
server's Retry-After honoured but jittered upwards, so stations told the same wait do not come back in step."""

from __future__ import annotations

import random

from gridstation.sync.errors import SyncError
from gridstation.sync.retry import Backoff, Retrier, RetryPolicy


class FixedDraw(random.Random):
    """An rng whose every uniform(a, b) lands at the same share of the way from a to b."""

    def __init__(self, share: float) -> None:
        super().__init__(0)
        self.share = share

    def uniform(self, a: float, b: float) -> float:
        return a + (b - a) * self.share


def test_without_retry_after_the_wait_is_drawn_below_the_doubling_ceiling() -> None:
    backoff = Backoff(first_delay=0.5, max_delay=30.0)
    assert backoff.delay(1, FixedDraw(1.0)) == 0.5
    assert backoff.delay(3, FixedDraw(1.0)) == 2.0
    assert backoff.delay(3, FixedDraw(0.5)) == 1.0
    assert backoff.delay(10_000, FixedDraw(1.0)) == 30.0  # capped, and finite however long the outage


def test_retry_after_is_never_cut_short_and_is_spread_up_to_half_again() -> None:
    backoff = Backoff(first_delay=0.5, max_delay=30.0)
    assert backoff.delay(1, FixedDraw(0.0), retry_after=2.0) == 2.0
    assert backoff.delay(1, FixedDraw(1.0), retry_after=2.0) == 3.0
    assert backoff.delay(1, FixedDraw(0.5), retry_after=2.0) == 2.5


def test_a_longer_backoff_wins_over_a_short_retry_after() -> None:
    backoff = Backoff(first_delay=0.5, max_delay=30.0)
    assert backoff.delay(6, FixedDraw(1.0), retry_after=1.0) == 16.0  # 0.5 × 2^5, more than 1.0 × 1.5


def test_a_retry_after_of_zero_adds_no_wait() -> None:
    backoff = Backoff(first_delay=0.5, max_delay=30.0)
    assert backoff.delay(1, FixedDraw(0.2), retry_after=0.0) == 0.1


def test_two_hundred_stations_told_the_same_retry_after_come_back_spread_out() -> None:
    backoff = RetryPolicy().backoff
    waits = [backoff.delay(1, random.Random(station), retry_after=2.0) for station in range(200)]
    assert min(waits) >= 2.0 and max(waits) <= 3.0
    # Spread over the whole window, not in step: at most a handful share any 50 ms slot.
    slots = [int((wait - 2.0) / 0.05) for wait in waits]
    assert len(set(slots)) >= 18
    assert max(slots.count(slot) for slot in set(slots)) <= 25


def test_the_retrier_sleeps_at_least_what_the_server_asked_for() -> None:
    sleeps: list[float] = []
    answers = iter([SyncError("server.busy", "服务器忙", retryable=True, retry_after=2.0)])

    def request() -> str:
        error = next(answers, None)
        if error is not None:
            raise error
        return "ok"

    retrier = Retrier(RetryPolicy(attempts=3), sleeps.append, FixedDraw(0.5))
    assert retrier.call(request) == "ok"
    assert sleeps == [2.5]

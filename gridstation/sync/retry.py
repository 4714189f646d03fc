"""How long to wait before trying again: one formula for a request retried inside a sync and for the desk's
background sync after a failed run.

The formula is capped exponential backoff with jitter: the n-th wait is drawn from
[floor × ceiling, ceiling] where ceiling = min(max_delay, first_delay × 2^(n-1)), and is never shorter than a
server's Retry-After. Jitter matters because a power cut or a network outage ends for every desk of a
sub-district at once: without it they would all call the server in step, again and again.

A busy server's Retry-After is jittered too, upwards: the wait is drawn from [Retry-After, Retry-After × 1.5]
(`retry_after_spread`). A server that is busy is busy for every station that called in the same second, and
all of them are told the same "2"; waiting exactly that long brought them back in step, to be refused together
again (issue 18's 200-station runs). The wait is never shorter than the server asked for.

The two users differ only in their parameters:
- a request inside one sync (`RetryPolicy`, seconds): full jitter (floor 0). A blip is usually over at once and
  the clerk may be watching the end-of-day dialog, so a retry may come early; spreading the retries over the
  whole window is what gives a busy server the fewest colliding calls.
- the desk's background sync after a failed run (`ui/sync/controller.py`, milliseconds): from 30 s doubling to
  15 minutes, never less than half the ceiling (floor 0.5). A desk that could not reach the server gains nothing
  by calling again a second later; the floor keeps the waits growing while still spreading the desks out.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TypeVar

from gridstation.sync.errors import SyncError

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Backoff:
    """Capped exponential backoff with jitter; delays are in the unit `first_delay` and `max_delay` are given in."""

    first_delay: float
    max_delay: float
    jitter_floor: float = 0.0  # the shortest wait as a share of the ceiling (0: full jitter)
    retry_after_spread: float = 0.5  # a Retry-After of t is waited as t to t × (1 + spread)

    def delay(self, failures: int, rng: random.Random, retry_after: float | None = None) -> float:
        """The wait after the `failures`-th failure in a row (1 for the first), never shorter than `retry_after`."""
        # A desk offline for days counts thousands of failures: past 60 doublings the cap has long been reached,
        # and stopping there keeps the arithmetic finite.
        ceiling = min(self.max_delay, self.first_delay * 2.0 ** min(failures - 1, 60))
        backoff = ceiling * rng.uniform(self.jitter_floor, 1.0)
        if not retry_after or retry_after <= 0:
            return backoff
        return max(backoff, retry_after * rng.uniform(1.0, 1.0 + self.retry_after_spread))


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """How often one request is tried before the sync gives up, and how long it waits in between (seconds)."""

    attempts: int = 6
    first_delay: float = 0.5
    max_delay: float = 30.0

    @property
    def backoff(self) -> Backoff:
        return Backoff(self.first_delay, self.max_delay)  # full jitter: see the module's docstring


@dataclass
class Retrier:
    """Tries a request again while it fails in a way that may pass (`SyncError.retryable`), waiting in between."""

    policy: RetryPolicy
    sleep: Callable[[float], None]
    rng: random.Random = field(default_factory=random.Random)

    def call(self, request: Callable[[], T], on_retry: Callable[[], None] = lambda: None) -> T:
        attempt = 0
        while True:
            attempt += 1
            try:
                return request()
            except SyncError as err:
                if not err.retryable or attempt >= self.policy.attempts:
                    raise
                on_retry()
                self.sleep(self.policy.backoff.delay(attempt, self.rng, err.retry_after))

"""The failure of a sync step, apart from the HTTP code that raises it: the desk's start path and the retry policy
need the type without loading httpx and the protocol's models (~160 ms of a cold start, issue 18)."""

from __future__ import annotations

from typing import Any

from gridstation.domain.errors import DomainError


class SyncError(DomainError):
    """A sync step failed. `retryable`: the same request may succeed later (network, busy server, 5xx)."""

    def __init__(
        self,
        code: str,
        message_zh: str,
        *,
        retryable: bool,
        retry_after: float | None = None,
        status: int | None = None,
        **params: Any,
    ) -> None:
        super().__init__(code, message_zh, **params)
        self.retryable = retryable
        self.retry_after = retry_after
        self.status = status

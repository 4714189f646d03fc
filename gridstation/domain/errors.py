"""Domain errors carry a stable code so each front end can word them in the user's language."""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    """A rule of the domain was broken; `code` identifies which, `params` fill in the message."""

    def __init__(self, code: str, message_zh: str, **params: Any) -> None:
        super().__init__(message_zh)
        self.code = code
        self.message_zh = message_zh
        self.params = params


class ValidationError(DomainError):
    """Input that a clerk typed does not meet the rules; `field` names the offending input."""

    def __init__(self, field: str, code: str, message_zh: str, **params: Any) -> None:
        super().__init__(code, message_zh, **params)
        self.field = field


class IllegalTransition(DomainError):
    """The event is not allowed in the case's current status."""

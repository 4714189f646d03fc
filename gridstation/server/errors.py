"""Server refusals: a domain error with the HTTP status it is answered with."""

from __future__ import annotations

from typing import Any

from gridstation.domain.errors import DomainError


class ServerError(DomainError):
    """Refused before anything was stored: the request changes nothing."""

    def __init__(self, status: int, code: str, message_zh: str, **params: Any) -> None:
        super().__init__(code, message_zh, **params)
        self.status = status


def unauthorised(message: str = "缺少或无效的凭证，请重新登记工作站。") -> ServerError:
    return ServerError(401, "auth.invalid", message)


def not_found(what: str, code: str = "not_found") -> ServerError:
    return ServerError(404, code, f"找不到{what}。")

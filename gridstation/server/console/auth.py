"""Who is at the console: the session cookie, and the CSRF token every form carries.

Signing in at the console is `Users.login`, as for the API: the session cookie holds the same kind of bearer token
(kept on the server only as its hash, `server_sessions`), HttpOnly and SameSite=Strict. Every form carries a CSRF
token: while signed in, an HMAC of the session token (nothing to store, and it dies with the session); on the
sign-in page, before there is a session, a random value both in a cookie and in the form (double submit).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from urllib.parse import parse_qs

from fastapi import Request, Response

from gridstation.server.errors import ServerError
from gridstation.server.service import ServerService
from gridstation.server.visibility import Principal

SESSION_COOKIE = "gs_console"
LOGIN_CSRF_COOKIE = "gs_console_login"
COOKIE_PATH = "/console"
CSRF_FIELD = "csrf_token"
MAX_FORM_BYTES = 64 * 1024
CSRF_REFUSED = "表单已失效或来源不明（缺少安全校验码），请刷新页面后重试。"


class ConsoleRefusal(Exception):
    """A request the console answers with a Chinese page rather than a traceback."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def signed_in(request: Request, service: ServerService) -> tuple[Principal, str] | None:
    """The principal of the session cookie and its token; None when there is no good session."""
    token = request.cookies.get(SESSION_COOKIE)
    if not token:
        return None
    try:
        return service.authenticate_user(token), token
    except ServerError:
        return None


def session_csrf(token: str) -> str:
    return hmac.new(token.encode(), b"gridstation-console-csrf", hashlib.sha256).hexdigest()


def new_login_csrf() -> str:
    return secrets.token_urlsafe(24)


async def read_form(request: Request) -> dict[str, str]:
    """A plain HTML form (application/x-www-form-urlencoded), one value per field; too large or garbled: refused."""
    return {name: values[0] for name, values in (await read_fields(request)).items()}


async def read_fields(request: Request) -> dict[str, list[str]]:
    """Every value of every field (a multi-select sends one field several times); refused as `read_form`."""
    body = await request.body()
    if len(body) > MAX_FORM_BYTES:
        raise ConsoleRefusal(413, "提交的内容过长。")
    try:
        return parse_qs(body.decode("utf-8"), keep_blank_values=True, strict_parsing=False)
    except UnicodeDecodeError:
        raise ConsoleRefusal(400, "提交的内容无法识别（不是 UTF-8 表单）。") from None


def check_csrf(sent: str | None, expected: str | None) -> None:
    if not sent or not expected or not hmac.compare_digest(sent, expected):
        raise ConsoleRefusal(403, CSRF_REFUSED)


def set_session(response: Response, token: str) -> None:
    # A cookie for the browser's session: the server ends the token itself (`session_lifetime`), on its own clock.
    response.set_cookie(
        SESSION_COOKIE,
        token,
        path=COOKIE_PATH,
        httponly=True,
        samesite="strict",
        secure=False,  # the console is served on the station network over plain HTTP; a proxy may add TLS
    )
    response.delete_cookie(LOGIN_CSRF_COOKIE, path=COOKIE_PATH)


def set_login_csrf(response: Response, value: str) -> None:
    response.set_cookie(LOGIN_CSRF_COOKIE, value, path=COOKIE_PATH, httponly=True, samesite="strict")


def end_session(response: Response) -> None:
    response.delete_cookie(SESSION_COOKIE, path=COOKIE_PATH, httponly=True, samesite="strict")

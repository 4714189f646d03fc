"""Who is speaking in the current request: what the access log (`api/access_log.py`) writes in its "who" column.

The access log's middleware opens a record for each HTTP request; whatever part of `Accounts` checks the caller's
secret (a station's credential, a department's token, an Open311 api_key, an enrolment code) marks that it did, and
names the principal when the secret is good: `station:JA01`, `dept:WATER`, `apikey:码上就来`. Outside a request
(the admin CLI, tests calling the service directly) there is no record and both calls do nothing.

The record is a mutable object in a ContextVar because routes and their dependencies run in worker threads on a
copy of the request's context: the copy points at the same record, so what they write the middleware reads.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass


@dataclass
class AccessRecord:
    authenticating: bool = False  # a secret was presented and checked, good or not
    principal: str | None = None  # who it belongs to, once it was found good
    error_code: str = ""  # the code of the error the request was answered with (`api/errors.error_response`)


_current: ContextVar[AccessRecord | None] = ContextVar("gridstation_access_record", default=None)


@contextmanager
def recording() -> Iterator[AccessRecord]:
    """A fresh record for the request running in this context."""
    record = AccessRecord()
    token = _current.set(record)
    try:
        yield record
    finally:
        _current.reset(token)


def authenticating() -> None:
    """The request presents a secret: it belongs in the access log whether or not the secret is good."""
    record = _current.get()
    if record is not None:
        record.authenticating = True


def identified(principal: str) -> None:
    """The request's secret is good and belongs to `principal`."""
    record = _current.get()
    if record is not None:
        record.authenticating = True
        record.principal = principal


def answered_with_error(code: str) -> None:
    """The request is answered with the error `code` (for the request log and a station's last error)."""
    record = _current.get()
    if record is not None:
        record.error_code = code

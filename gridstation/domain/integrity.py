"""Tamper evidence in pure Python: the hash chain that links a log's entries, and the hash of an audit entry.

Each entry of a chained log (the desk's events, the desk's and the server's audit logs) stores
`chain_link(previous entry's link, what this entry is)`. Changing, inserting or deleting an entry anywhere but at
the very end changes the link of the entry after it, which then no longer matches what is stored: verification
names the first entry where that happens. The first entry links to `GENESIS`.

These formulas are stored in every database: never change them, or every existing chain reads as broken.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from typing import Any

from gridstation.domain.events import canonical_json

GENESIS = "0" * 64


def chain_link(previous: str, *parts: str) -> str:
    """The link of an entry described by `parts`, following the entry whose link is `previous`."""
    return hashlib.sha256("\n".join((previous, *parts)).encode("utf-8")).hexdigest()


def event_link(previous: str, event_id: str, content_hash: str) -> str:
    """An event's link: its id and its content hash (which covers every field that makes the event what it is).

    The sync columns (station_seq, acknowledgement, outcome) are left out on purpose: sync renumbers unsent events
    and records the server's answers after an event is written.
    """
    return chain_link(previous, event_id, content_hash)


def audit_link(previous: str, entry_hash: str) -> str:
    """An audit entry's link: the previous link and the hash of what the entry says (`audit_entry_hash`)."""
    return chain_link(previous, entry_hash)


def audit_entry_hash(entry_id: str, at: datetime, staff_id: str, staff_name: str, action: str, detail: Any) -> str:
    """SHA-256 over everything an audit entry says (its time in UTC, so the same instant always hashes the same)."""
    body = {
        "id": entry_id,
        "at": at.astimezone(UTC).isoformat(),
        "staff_id": staff_id,
        "staff_name": staff_name,
        "action": action,
        "detail": detail,
    }
    return hashlib.sha256(canonical_json(body).encode("utf-8")).hexdigest()

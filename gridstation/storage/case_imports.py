"""Which rows of historic ledgers this station already holds, by the fingerprint their cases' registrations keep
(domain/ledger_mark.py): a ledger imported twice, or a longer one after a shorter, adds only the rows not yet here."""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from gridstation.domain.enums import EventType
from gridstation.domain.ledger_mark import IMPORTED_FIELD
from gridstation.storage.models import EventRow

# SQLite's JSON path to the fingerprint inside a registration's payload (stored as JSON text, storage/models.py).
_FINGERPRINT_PATH = f"$.{IMPORTED_FIELD}.fingerprint"
# Fingerprints per query when asking about some: well under SQLite's limit on bound parameters.
_CHUNK = 500


def imported_fingerprints(session: Session, among: Collection[str] | None = None) -> set[str]:
    """The fingerprints of every ledger row imported here (or only those of `among`), in the caller's transaction.

    Registrations pulled from the centre count too: a row imported at this station and restored from the centre is
    still imported.
    """
    fingerprint = func.json_extract(EventRow.payload, _FINGERPRINT_PATH)
    query = select(fingerprint).where(EventRow.type == str(EventType.REGISTERED), fingerprint.is_not(None))
    if among is None:
        return {str(value) for value in session.scalars(query)}
    wanted = list(among)
    found: set[str] = set()
    for start in range(0, len(wanted), _CHUNK):
        found.update(str(v) for v in session.scalars(query.where(fingerprint.in_(wanted[start : start + _CHUNK]))))
    return found

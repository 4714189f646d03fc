"""A server that is behind this desk: restored from a backup older than what the desk had sent it.

The server says so by starting the desk's feed again (`reset` on a pull: a restore gives every station a new
epoch). Events the desk pushed after the server's backup are then acknowledged here but no longer held there. A
desk with new events finds out by itself (the push is refused with `sequence.gap`, and everything from the gap
goes up again); a desk with nothing new to push would not, so after a reset it asks the server which of its
acknowledged numbers it still holds (the receipt, over the range the receipt allows) and sends the rest again.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from gridstation.protocol import DayReceiptRequest
from gridstation.services.station import StationService
from gridstation.storage import sync_inbox, sync_store
from gridstation.sync.summary import SyncSummary
from gridstation.sync.transport import ServerTransport

# The receipt's own limit on one range (server/receipts.py).
MAX_RECEIPT_RANGE = 1_000_000


def resend_what_the_server_lost(
    station: StationService,
    transport: ServerTransport,
    retried: Callable[[Callable[[], Any]], Any],
    summary: SyncSummary,
) -> int:
    """Mark unsent every acknowledged event from the first one the server no longer holds; how many were."""
    with station.reading() as session:
        last = sync_inbox.last_acknowledged_seq(session)
    if last is None:
        return 0
    first = max(1, last - MAX_RECEIPT_RANGE + 1)
    request = DayReceiptRequest(from_seq=first, to_seq=last, label="after-reset")
    receipt = retried(lambda: transport.receipt(request))
    if not receipt.missing:
        return 0
    lost_from = int(receipt.missing[0][0])
    with station.transaction() as session:
        resent = sync_store.unacknowledge_from(session, lost_from)
        station.record_audit(session, None, "sync.server_behind", first=lost_from, count=resent)
    summary.resent += resent
    return resent

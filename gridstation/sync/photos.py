"""Uploading the desk's photos after its events: each by the server's resumable upload (docs/sync.md, Attachments).

The server says where each upload stands (`received`, in its answer to the offer), so nothing of a half-sent photo
is kept here: a run cut off in the middle of a photo offers it again next time and sends the rest. A photo waits
while the server does not know its case yet (its events were not taken); one the server will never take (another
station's case, bytes that are not what they claim) is set aside with the server's reason, for a person to see,
instead of being offered on every sync.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TypeVar

from gridstation.protocol import MAX_ATTACHMENT_CHUNK, AttachmentOffer, AttachmentStatus
from gridstation.services.station import StationService
from gridstation.storage import photos
from gridstation.storage.photos import QueuedPhoto, WantedPhoto
from gridstation.sync.errors import SyncError
from gridstation.sync.summary import Progress, SyncSummary
from gridstation.sync.transport import ServerTransport

log = logging.getLogger(__name__)

T = TypeVar("T")
Call = Callable[[Callable[[], T]], T]  # a request with the run's retries around it

BATCH = 50
# Answers that will not change however often the photo is offered again.
FINAL_REFUSALS = frozenset({400, 403, 409, 413, 422})
# The photo's case is not on the server yet (its events were refused or are still unsent): try again next run.
CASE_NOT_THERE = "case.unknown"


def upload_photos(
    station: StationService,
    transport: ServerTransport,
    call: Call[AttachmentStatus],
    summary: SyncSummary,
    report: Progress,
    stop_if_asked: Callable[[], None],
) -> None:
    """Upload every waiting photo this run can; counts what it did in `summary`."""

    def upload(queued: QueuedPhoto) -> None:
        if _upload(station, transport, call, queued, summary):
            summary.photos_uploaded += 1

    with station.reading() as session:
        total = photos.pending_count(session)

    def waiting(limit: int) -> list[QueuedPhoto]:
        with station.reading() as session:
            return photos.pending_uploads(session, limit)

    each_once("photos", total, waiting, upload, report, stop_if_asked)


Item = TypeVar("Item", QueuedPhoto, WantedPhoto)


def each_once(
    stage: str,
    total: int,
    waiting: Callable[[int], list[Item]],
    handle: Callable[[Item], None],
    report: Progress,
    stop_if_asked: Callable[[], None],
) -> None:
    """Work through a photo queue in batches, each photo at most once per run: one left waiting (its case not on
    the server yet, its bytes not whole there) is not tried again until the next sync. `waiting(limit)` reads the
    queue, oldest first; progress is reported as `stage`."""
    if not total:
        return
    done = 0
    tried: set[tuple[str, str]] = set()
    report(stage, 0, total)
    while True:
        batch = [item for item in waiting(BATCH + len(tried)) if (item.case_id, item.sha256) not in tried]
        if not batch:
            return
        for item in batch:
            stop_if_asked()
            tried.add((item.case_id, item.sha256))
            handle(item)
            done += 1
            report(stage, done, max(total, done))


def _upload(
    station: StationService,
    transport: ServerTransport,
    call: Call[AttachmentStatus],
    queued: QueuedPhoto,
    summary: SyncSummary,
) -> bool:
    path = station.photo_file(queued.sha256)
    if not path.exists():
        _refused(station, queued, summary, "本机的照片文件已丢失，无法上传。")
        return False
    offer = AttachmentOffer(
        sha256=queued.sha256,
        size=queued.size,
        case_id=queued.case_id,
        media_type=queued.media_type,  # type: ignore[arg-type]  # one of the photo types, checked when added
        filename=queued.filename,
    )
    restarts = 0
    try:
        status = call(lambda: transport.offer_attachment(offer))
        with path.open("rb") as handle:
            while not status.complete:
                received = status.received
                handle.seek(received)
                chunk = handle.read(MAX_ATTACHMENT_CHUNK)
                if not chunk:
                    _refused(station, queued, summary, "本机的照片文件比登记的小，可能已损坏，无法上传。")
                    return False
                try:
                    status = _send(transport, call, queued.sha256, received, chunk)
                except SyncError as err:
                    # The server discarded what it had (the whole did not give the hash): once more from the start.
                    if err.code != "attachment.hash_mismatch" or restarts:
                        raise
                    restarts += 1
                    status = _resume_at(queued.sha256, 0)
    except SyncError as err:
        if err.code == CASE_NOT_THERE:
            return False  # its case reaches the server with a later push
        if err.status in FINAL_REFUSALS:
            _refused(station, queued, summary, err.message_zh)
            return False
        raise
    with station.transaction() as session:
        photos.mark_uploaded(session, queued.case_id, queued.sha256, station.now())
    return True


def _send(
    transport: ServerTransport, call: Call[AttachmentStatus], sha256: str, offset: int, chunk: bytes
) -> AttachmentStatus:
    """One chunk; if the server holds a different amount (a lost answer, an earlier cut), go on from what it has."""
    try:
        return call(lambda: transport.upload_chunk(sha256, offset, chunk))
    except SyncError as err:
        received = err.params.get("received")
        if err.code == "attachment.offset" and isinstance(received, int):
            return _resume_at(sha256, received)
        raise


def _resume_at(sha256: str, received: int) -> AttachmentStatus:
    """Where the server says the upload stands, as the next chunk needs it (`complete` is the server's to say)."""
    return AttachmentStatus(sha256=sha256, size=received + 1, received=received, complete=False)


def _refused(station: StationService, queued: QueuedPhoto, summary: SyncSummary, reason: str) -> None:
    log.warning("photo %s of case %s set aside: %s", queued.sha256, queued.case_id, reason)
    with station.transaction() as session:
        photos.mark_refused(session, queued.case_id, queued.sha256, reason)
    try:
        number = station.case(queued.case_id).number
    except Exception:
        number = queued.case_id
    summary.photos_refused.append(f"{number} {queued.filename or queued.sha256[:12]}：{reason}")

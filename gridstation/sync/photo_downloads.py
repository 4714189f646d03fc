"""Fetching the photos that came down by sync (a department's result photo from the console, another device's):
their events arrive in the pull, their bytes here, after everything else, so a slow photo holds up nothing.

Each photo is fetched whole (a few MB at most) and kept only if its bytes have the hash its event names. What can
change (the server does not hold all of it yet, the bytes came damaged) is tried again next sync, with the reason
shown beside the photo; what cannot (the server will never give it) is set aside, for a person to see.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from gridstation.domain.errors import ValidationError
from gridstation.services.station import StationService
from gridstation.storage import photos
from gridstation.storage.photos import WantedPhoto
from gridstation.sync.errors import SyncError
from gridstation.sync.photos import each_once
from gridstation.sync.summary import Progress, SyncSummary
from gridstation.sync.transport import ServerTransport

log = logging.getLogger(__name__)

Call = Callable[[Callable[[], bytes]], bytes]  # a request with the run's retries around it

# The server has no whole copy of it (yet): another device's upload may still be under way.
NOT_THERE_YET = frozenset({404, 409})
NOT_THERE_YET_REASON = "服务器上暂时没有这张照片的完整内容，下次同步再试。"


def download_photos(
    station: StationService,
    transport: ServerTransport,
    call: Call,
    summary: SyncSummary,
    report: Progress,
    stop_if_asked: Callable[[], None],
) -> None:
    """Fetch every photo still wanted that this run can; counts what it did in `summary`."""

    def download(photo: WantedPhoto) -> None:
        if _download(station, transport, call, photo, summary):
            summary.photos_downloaded += 1

    with station.reading() as session:
        total = photos.wanted_count(session)

    def wanted(limit: int) -> list[WantedPhoto]:
        with station.reading() as session:
            return photos.wanted_downloads(session, limit)

    each_once("photo_downloads", total, wanted, download, report, stop_if_asked)


def _download(
    station: StationService, transport: ServerTransport, call: Call, photo: WantedPhoto, summary: SyncSummary
) -> bool:
    if station.photo_file(photo.sha256).exists():  # the same photo of another case, or added here before
        with station.transaction() as session:
            photos.mark_downloaded(session, photo.sha256, station.now())
        return True
    try:
        data = call(lambda: transport.download_photo(photo.sha256))
    except SyncError as err:
        if err.status in NOT_THERE_YET:
            _failed(station, photo, summary, NOT_THERE_YET_REASON)
            return False
        if err.retryable:
            raise  # the line or the server is down: the run stops here, as it does for uploads
        log.warning("photo %s of case %s set aside: %s", photo.sha256, photo.case_id, err.message_zh)
        with station.transaction() as session:
            photos.set_aside_download(session, photo.case_id, photo.sha256, err.message_zh)
        summary.photo_downloads_failed.append(_line(station, photo, err.message_zh))
        return False
    try:
        station.keep_fetched_photo(photo.sha256, data, photo.filename)
    except ValidationError as err:
        _failed(station, photo, summary, err.message_zh)
        return False
    return True


def _failed(station: StationService, photo: WantedPhoto, summary: SyncSummary, reason: str) -> None:
    log.warning("photo %s of case %s not fetched: %s", photo.sha256, photo.case_id, reason)
    with station.transaction() as session:
        photos.mark_download_failed(session, photo.case_id, photo.sha256, reason)
    summary.photo_downloads_failed.append(_line(station, photo, reason))


def _line(station: StationService, photo: WantedPhoto, reason: str) -> str:
    try:
        number = station.case(photo.case_id).number
    except Exception:
        number = photo.case_id
    return f"{number} {photo.filename or photo.sha256[:12]}：{reason}"

"""The queues of a case's photos: those waiting for the resumable upload (`photo_uploads`) and those that came down
by sync and wait for their bytes (`photo_downloads`). Every function works inside the caller's transaction; the
photo's bytes are files in the data folder (services/photos.py)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from gridstation.storage.models import PhotoDownloadRow, PhotoUploadRow


@dataclass(frozen=True, slots=True)
class QueuedPhoto:
    case_id: str
    sha256: str
    size: int
    media_type: str
    filename: str
    uploaded: bool
    refused: str


def _queued(row: PhotoUploadRow) -> QueuedPhoto:
    return QueuedPhoto(
        row.case_id, row.sha256, row.size, row.media_type, row.filename, row.uploaded_at is not None, row.refused
    )


def queue_upload(
    session: Session, *, case_id: str, sha256: str, size: int, media_type: str, filename: str, now: datetime
) -> bool:
    """Queue a case's photo for upload; False if it was already queued (the same photo added twice)."""
    if session.get(PhotoUploadRow, {"case_id": case_id, "sha256": sha256}) is not None:
        return False
    session.add(
        PhotoUploadRow(
            case_id=case_id, sha256=sha256, size=size, media_type=media_type, filename=filename, queued_at=now
        )
    )
    return True


def _waiting() -> tuple[ColumnElement[bool], ...]:
    return (PhotoUploadRow.uploaded_at.is_(None), PhotoUploadRow.refused == "")


def pending_uploads(session: Session, limit: int = 100) -> list[QueuedPhoto]:
    """Photos not yet uploaded nor refused by the server, oldest first."""
    rows = session.scalars(
        select(PhotoUploadRow).where(*_waiting()).order_by(PhotoUploadRow.queued_at, PhotoUploadRow.sha256).limit(limit)
    )
    return [_queued(r) for r in rows]


def pending_count(session: Session) -> int:
    return int(session.scalar(select(func.count()).select_from(PhotoUploadRow).where(*_waiting())) or 0)


def case_uploads(session: Session, case_id: str) -> dict[str, QueuedPhoto]:
    """This case's queued photos by hash (photos that came down from the centre are not here)."""
    rows = session.scalars(select(PhotoUploadRow).where(PhotoUploadRow.case_id == case_id))
    return {r.sha256: _queued(r) for r in rows}


def mark_uploaded(session: Session, case_id: str, sha256: str, now: datetime) -> None:
    row = session.get(PhotoUploadRow, {"case_id": case_id, "sha256": sha256})
    if row is not None and row.uploaded_at is None:
        row.uploaded_at = now


def mark_refused(session: Session, case_id: str, sha256: str, reason: str) -> None:
    """The server will not take this photo (another station's case, not what it claims to be): stop offering it."""
    row = session.get(PhotoUploadRow, {"case_id": case_id, "sha256": sha256})
    if row is not None:
        row.refused = reason or "服务器拒绝了该照片。"


def set_aside_case_uploads(session: Session, case_id: str, reason: str) -> None:
    """Stop offering a case's photos that are still waiting (retention deleted them at the desk)."""
    for row in session.scalars(select(PhotoUploadRow).where(PhotoUploadRow.case_id == case_id, *_waiting())):
        row.refused = reason


# --- photos that came down ------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class WantedPhoto:
    case_id: str
    sha256: str
    size: int
    media_type: str
    filename: str
    failed: str  # why the last try did not keep it, or ""


def queue_download(session: Session, case_id: str, payload: dict[str, object], now: datetime) -> None:
    """A pulled `case.photo_attached` event: fetch its bytes (once per case and photo)."""
    sha256 = str(payload.get("sha256", ""))
    if not sha256 or session.get(PhotoDownloadRow, {"case_id": case_id, "sha256": sha256}) is not None:
        return
    session.add(
        PhotoDownloadRow(
            case_id=case_id,
            sha256=sha256,
            size=int(payload.get("size", 0) or 0),  # type: ignore[call-overload]  # checked by the domain
            media_type=str(payload.get("media_type", "")),
            filename=str(payload.get("filename", ""))[:200],
            queued_at=now,
        )
    )


def _wanted() -> tuple[ColumnElement[bool], ...]:
    return (PhotoDownloadRow.downloaded_at.is_(None), PhotoDownloadRow.set_aside == "")


def wanted_downloads(session: Session, limit: int = 100) -> list[WantedPhoto]:
    """Photos whose bytes are still to fetch, oldest first."""
    rows = session.scalars(
        select(PhotoDownloadRow)
        .where(*_wanted())
        .order_by(PhotoDownloadRow.queued_at, PhotoDownloadRow.sha256)
        .limit(limit)
    )
    return [WantedPhoto(r.case_id, r.sha256, r.size, r.media_type, r.filename, r.failed) for r in rows]


def wanted_count(session: Session) -> int:
    return int(session.scalar(select(func.count()).select_from(PhotoDownloadRow).where(*_wanted())) or 0)


def case_downloads(session: Session, case_id: str) -> dict[str, str]:
    """This case's photos still to fetch, by hash: why the last try failed ("" if not tried yet)."""
    rows = session.scalars(select(PhotoDownloadRow).where(PhotoDownloadRow.case_id == case_id, *_wanted()))
    return {r.sha256: r.failed for r in rows}


def mark_downloaded(session: Session, sha256: str, now: datetime) -> None:
    """The bytes are here: every case that wants this photo has it (a photo is kept once per content)."""
    for row in session.scalars(select(PhotoDownloadRow).where(PhotoDownloadRow.sha256 == sha256, *_wanted())):
        row.downloaded_at, row.failed = now, ""


def mark_download_failed(session: Session, case_id: str, sha256: str, reason: str) -> None:
    row = session.get(PhotoDownloadRow, {"case_id": case_id, "sha256": sha256})
    if row is not None:
        row.failed = reason


def set_aside_download(session: Session, case_id: str, sha256: str, reason: str) -> None:
    """Never to be fetched: the server will not give it."""
    row = session.get(PhotoDownloadRow, {"case_id": case_id, "sha256": sha256})
    if row is not None and row.downloaded_at is None:
        row.set_aside = reason


def set_aside_case_downloads(session: Session, case_id: str, reason: str) -> None:
    """Stop fetching a case's photos (retention anonymised it: its photos are deleted here, not fetched again)."""
    for row in session.scalars(select(PhotoDownloadRow).where(PhotoDownloadRow.case_id == case_id, *_wanted())):
        row.set_aside = reason

"""The queue of photos waiting for the resumable upload (`photo_uploads`). Every function works inside the
caller's transaction; the photo's bytes are files in the data folder (services/photos.py)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from gridstation.storage.models import PhotoUploadRow


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
        select(PhotoUploadRow)
        .where(*_waiting())
        .order_by(PhotoUploadRow.queued_at, PhotoUploadRow.sha256)
        .limit(limit)
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

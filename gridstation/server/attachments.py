"""Photos of a problem: content-addressed (SHA-256), uploaded in chunks that resume where they stopped.

They travel apart from the event stream, so a slow photo never holds up a case. Bytes go to
`<data dir>/attachments/ab/<sha256>` (a `.part` file until the hash checks out); the database keeps how much
has arrived.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from sqlalchemy import select

from gridstation.common.files import open_private, private_dir, restrict
from gridstation.protocol import MAX_ATTACHMENT_CHUNK, AttachmentOffer, AttachmentStatus
from gridstation.server.core import ServerCore
from gridstation.server.errors import ServerError, not_found
from gridstation.server.models import AttachmentRow, ServerCaseRow


class AttachmentStore:
    def __init__(self, service: ServerCore, directory: Path) -> None:
        self.service = service
        self.directory = directory

    def _path(self, sha256: str, *, partial: bool) -> Path:
        # Photos of residents' homes: the server's account alone may read them (folders 0700, files 0600).
        private_dir(self.directory)
        folder = private_dir(self.directory / sha256[:2])
        return folder / (sha256 + (".part" if partial else ""))

    def offer(self, station_code: str, offer: AttachmentOffer) -> AttachmentStatus:
        """Start (or find) an upload; answers how many bytes the server already has."""
        with self.service.writing() as session:
            case = session.get(ServerCaseRow, offer.case_id)
            if case is None:
                raise not_found(f"诉求 {offer.case_id}（请先同步诉求，再上传照片）", "case.unknown")
            if case.station_code != station_code:
                raise ServerError(403, "scope.foreign_case", "该诉求不属于本工作站，不能上传照片。")
            row = session.get(AttachmentRow, offer.sha256)
            if row is None:
                row = AttachmentRow(
                    sha256=offer.sha256,
                    size=offer.size,
                    received=0,
                    complete=False,
                    station_code=station_code,
                    case_id=offer.case_id,
                    media_type=offer.media_type,
                    filename=offer.filename,
                    created_at=self.service.now(),
                )
                session.add(row)
            elif row.size != offer.size:
                raise ServerError(409, "attachment.size_mismatch", "同一内容的照片大小不一致，请重新选择文件。")
            return _status(row)

    def status(self, station_code: str, sha256: str) -> AttachmentStatus:
        with self.service.reading() as session:
            row = session.get(AttachmentRow, sha256)
        if row is None or row.station_code != station_code:
            raise not_found("该照片", "attachment.unknown")
        return _status(row)

    def write_chunk(self, station_code: str, sha256: str, offset: int, data: bytes) -> AttachmentStatus:
        status, corrupt = self._write_chunk(station_code, sha256, offset, data)
        if corrupt:
            # Raised only after the reset to 0 bytes is committed, so the upload can start again.
            raise ServerError(422, "attachment.hash_mismatch", "照片内容与校验值不符，已丢弃，请重新上传。")
        return status

    def _write_chunk(self, station_code: str, sha256: str, offset: int, data: bytes) -> tuple[AttachmentStatus, bool]:
        if not data:
            raise ServerError(400, "attachment.empty_chunk", "上传的数据为空。")
        if len(data) > MAX_ATTACHMENT_CHUNK:
            raise ServerError(413, "attachment.chunk_too_large", "单次上传的数据过大（最多 1 MB）。")
        with self.service.writing() as session:
            row = session.scalar(select(AttachmentRow).where(AttachmentRow.sha256 == sha256).with_for_update())
            if row is None or row.station_code != station_code:
                raise not_found("该照片（请先登记上传）", "attachment.unknown")
            if row.complete:
                return _status(row), False
            if offset != row.received:
                raise ServerError(
                    409,
                    "attachment.offset",
                    f"应从第 {row.received} 字节继续上传。",
                    received=row.received,
                )
            if offset + len(data) > row.size:
                raise ServerError(400, "attachment.too_long", "上传的数据超过了登记的文件大小。")
            part = self._path(sha256, partial=True)
            with part.open("r+b") if part.exists() else open_private(part) as handle:
                handle.seek(offset)
                handle.write(data)
                handle.truncate()
                handle.flush()
                os.fsync(handle.fileno())
            row.received = offset + len(data)
            if row.received == row.size:
                if _sha256_of(part) != sha256:
                    part.unlink()
                    row.received = 0
                    return _status(row), True
                part.replace(self._path(sha256, partial=False))
                row.complete = True
            return _status(row), False

    def content(self, station_code: str, sha256: str) -> Path:
        row_status = self.status(station_code, sha256)
        if not row_status.complete:
            raise ServerError(409, "attachment.incomplete", "照片尚未上传完整。")
        path = self._path(sha256, partial=False)
        restrict(path)  # a photo an older version stored readable by all is tightened when it is next served
        return path


def _status(row: AttachmentRow) -> AttachmentStatus:
    return AttachmentStatus(sha256=row.sha256, size=row.size, received=row.received, complete=row.complete)


def _sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()

"""Photos of a problem: content-addressed (SHA-256), uploaded in chunks that resume where they stopped.

They travel apart from the event stream, so a slow photo never holds up a case. Each station has its own record
of what it uploaded (`AttachmentRow`, keyed by station and hash) and of the cases each photo belongs to
(`AttachmentCaseRow`): a station offering a photo another station sent is told it is not here, uploads it, and
gets its own record; it can read only its own. Bytes are kept once per hash, `<data dir>/attachments/ab/<sha256>`;
a station's upload in progress is its own `ab/<sha256>.<station>.part` until the hash checks out.

When the last byte arrives the content must be what the station declared (JPEG, PNG, WebP or PDF, by its magic
bytes): otherwise nothing is kept. Content is served as a download of its sniffed type, never for a browser to
guess at (`X-Content-Type-Options: nosniff`).
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from gridstation.common.files import open_private, private_dir, restrict
from gridstation.domain.photos import SNIFF_BYTES, sniff_media_type
from gridstation.protocol import MAX_ATTACHMENT_CHUNK, AttachmentOffer, AttachmentStatus
from gridstation.server.core import ServerCore
from gridstation.server.errors import ServerError, not_found
from gridstation.server.models import AttachmentCaseRow, AttachmentRow, ServerCaseRow

# What each accepted type is called to a person, and the extension its download gets.
MEDIA_TYPES = {
    "image/jpeg": ("JPEG 图片", ".jpg"),
    "image/png": ("PNG 图片", ".png"),
    "image/webp": ("WebP 图片", ".webp"),
    "application/pdf": ("PDF 文件", ".pdf"),
}
UNKNOWN_MEDIA_TYPE = "application/octet-stream"


class AttachmentStore:
    def __init__(self, service: ServerCore, directory: Path) -> None:
        self.service = service
        self.directory = directory

    def _folder(self, sha256: str) -> Path:
        # Photos of residents' homes: the server's account alone may read them (folders 0700, files 0600).
        private_dir(self.directory)
        return private_dir(self.directory / sha256[:2])

    def content_path(self, sha256: str) -> Path:
        return self._folder(sha256) / sha256

    def _part_path(self, station_code: str, sha256: str) -> Path:
        return self._folder(sha256) / f"{sha256}.{station_code}.part"

    def offer(self, station_code: str, offer: AttachmentOffer) -> AttachmentStatus:
        """Start (or find) this station's upload and attach it to the case; answers how many bytes it has sent."""
        with self.service.writing() as session:
            case = session.get(ServerCaseRow, offer.case_id)
            if case is None:
                raise not_found(f"诉求 {offer.case_id}（请先同步诉求，再上传照片）", "case.unknown")
            if case.station_code != station_code:
                raise ServerError(403, "scope.foreign_case", "该诉求不属于本工作站，不能上传照片。")
            row = _own(session, station_code, offer.sha256)
            if row is None:
                row = AttachmentRow(
                    station_code=station_code,
                    sha256=offer.sha256,
                    size=offer.size,
                    received=0,
                    complete=False,
                    media_type=offer.media_type,
                    filename=offer.filename,
                    created_at=self.service.now(),
                )
                session.add(row)
                session.flush()  # before its case link, which refers to it
            elif row.size != offer.size:
                raise ServerError(409, "attachment.size_mismatch", "同一内容的照片大小不一致，请重新选择文件。")
            elif not row.complete:
                row.media_type, row.filename = offer.media_type, offer.filename  # checked when the last byte comes
            link = {"station_code": station_code, "sha256": offer.sha256, "case_id": offer.case_id}
            if session.get(AttachmentCaseRow, link) is None:
                session.add(AttachmentCaseRow(**link, created_at=self.service.now()))
            return _status(row)

    def status(self, station_code: str, sha256: str) -> AttachmentStatus:
        with self.service.reading() as session:
            row = _own(session, station_code, sha256)
            if row is None:
                raise not_found("该照片", "attachment.unknown")
            return _status(row)

    def write_chunk(self, station_code: str, sha256: str, offset: int, data: bytes) -> AttachmentStatus:
        status, refusal = self._write_chunk(station_code, sha256, offset, data)
        if refusal is not None:
            # Raised only after what the refusal discards is committed, so the station can start again.
            raise refusal
        return status

    def _write_chunk(
        self, station_code: str, sha256: str, offset: int, data: bytes
    ) -> tuple[AttachmentStatus, ServerError | None]:
        if not data:
            raise ServerError(400, "attachment.empty_chunk", "上传的数据为空。")
        if len(data) > MAX_ATTACHMENT_CHUNK:
            raise ServerError(413, "attachment.chunk_too_large", "单次上传的数据过大（最多 1 MB）。")
        with self.service.writing() as session:
            row = session.scalar(
                select(AttachmentRow)
                .where(AttachmentRow.station_code == station_code, AttachmentRow.sha256 == sha256)
                .with_for_update()
            )
            if row is None:
                raise not_found("该照片（请先登记上传）", "attachment.unknown")
            if row.complete:
                return _status(row), None
            if offset != row.received:
                raise ServerError(
                    409,
                    "attachment.offset",
                    f"应从第 {row.received} 字节继续上传。",
                    received=row.received,
                )
            if offset + len(data) > row.size:
                raise ServerError(400, "attachment.too_long", "上传的数据超过了登记的文件大小。")
            part = self._part_path(station_code, sha256)
            with part.open("r+b") if part.exists() else open_private(part) as handle:
                handle.seek(offset)
                handle.write(data)
                handle.truncate()
                handle.flush()
                os.fsync(handle.fileno())
            row.received = offset + len(data)
            if row.received < row.size:
                return _status(row), None
            if _sha256_of(part) != sha256:
                part.unlink()
                row.received = 0
                refusal = ServerError(422, "attachment.hash_mismatch", "照片内容与校验值不符，已丢弃，请重新上传。")
                return _status(row), refusal
            sniffed = _sniff_file(part)
            if sniffed != row.media_type:
                part.unlink()
                status = _status(row)
                session.execute(
                    delete(AttachmentCaseRow).where(
                        AttachmentCaseRow.station_code == station_code, AttachmentCaseRow.sha256 == sha256
                    )
                )
                session.delete(row)
                return status, _type_mismatch(row.media_type, sniffed)
            part.replace(self.content_path(sha256))  # the same bytes as any copy already there: one file per hash
            row.complete = True
            return _status(row), None

    def content(self, station_code: str, sha256: str) -> tuple[Path, str]:
        """This station's photo: where its bytes are and the type they are (sniffed, whatever was declared)."""
        if not self.status(station_code, sha256).complete:
            raise ServerError(409, "attachment.incomplete", "照片尚未上传完整。")
        path = self.content_path(sha256)
        restrict(path)  # a photo an older version stored readable by all is tightened when it is next served
        return path, _sniff_file(path) or UNKNOWN_MEDIA_TYPE


def _own(session: Session, station_code: str, sha256: str) -> AttachmentRow | None:
    return session.get(AttachmentRow, {"station_code": station_code, "sha256": sha256})


def _status(row: AttachmentRow) -> AttachmentStatus:
    return AttachmentStatus(sha256=row.sha256, size=row.size, received=row.received, complete=row.complete)


def _type_mismatch(declared: str, sniffed: str | None) -> ServerError:
    said = MEDIA_TYPES.get(declared, (declared, ""))[0]
    found = f"实际是{MEDIA_TYPES[sniffed][0]}" if sniffed else "实际不是 JPEG、PNG、WebP 图片或 PDF 文件"
    return ServerError(
        422,
        "attachment.type_mismatch",
        f"照片内容与声明的类型不符：声明为{said}，{found}。未保存，请重新选择文件上传。",
        declared=declared,
        sniffed=sniffed or "",
    )


def _sniff_file(path: Path) -> str | None:
    with path.open("rb") as handle:
        return sniff_media_type(handle.read(SNIFF_BYTES))


def _sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()

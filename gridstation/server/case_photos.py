"""A case's photos as the console shows and adds them (issue 15): read and written in the scope of `visibility`.

The desk's photos are its station's uploads linked to the case (`AttachmentCaseRow`); a department's result photo
is stored as the case's station's too, complete on arrival, so it is one more photo of the case for the console
and for the station alike (the bytes are kept once per hash, as every upload's). A photo of a case outside the
principal's scope, or not of this case, is the same 404 as a case that does not exist.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select

from gridstation.common.files import open_private, restrict
from gridstation.domain.errors import ValidationError
from gridstation.domain.photos import SNIFF_BYTES, display_filename, photo_media_type
from gridstation.server.attachments import AttachmentStore
from gridstation.server.errors import ServerError, not_found
from gridstation.server.models import AttachmentCaseRow, AttachmentRow
from gridstation.server.visibility import Principal, visible_case


@dataclass(frozen=True, slots=True)
class CasePhoto:
    sha256: str
    filename: str
    size: int
    media_type: str

    def payload(self) -> dict[str, object]:
        """What its `case.photo_attached` event records."""
        return {"sha256": self.sha256, "size": self.size, "media_type": self.media_type, "filename": self.filename}


def checked_photo(data: bytes, filename: str) -> CasePhoto:
    """What a file sent from the console is, by its bytes; 422 in Chinese, naming the file, unless it is a photo."""
    shown = display_filename(filename)
    try:
        media_type = photo_media_type(data[:SNIFF_BYTES], len(data), shown)
    except ValidationError as error:
        raise ServerError(422, error.code, error.message_zh, field="photo") from None
    return CasePhoto(hashlib.sha256(data).hexdigest(), shown, len(data), media_type)


class CasePhotos:
    def __init__(self, store: AttachmentStore) -> None:
        self.store = store
        self.service = store.service

    def photos(self, principal: Principal, number: str) -> list[CasePhoto]:
        """The case's photos whose bytes are all here, oldest first."""
        with self.service.reading() as session:
            case = visible_case(session, principal, number)
            rows = session.scalars(
                select(AttachmentRow)
                .join(
                    AttachmentCaseRow,
                    (AttachmentCaseRow.station_code == AttachmentRow.station_code)
                    & (AttachmentCaseRow.sha256 == AttachmentRow.sha256),
                )
                .where(
                    AttachmentCaseRow.case_id == case.id,
                    AttachmentRow.station_code == case.station_code,
                    AttachmentRow.complete.is_(True),
                )
                .order_by(AttachmentRow.created_at, AttachmentRow.sha256)
            ).all()
            return [CasePhoto(r.sha256, r.filename, r.size, r.media_type) for r in rows]

    def content(self, principal: Principal, number: str, sha256: str) -> tuple[Path, str]:
        """Where the bytes of this photo of this case are, and their sniffed type."""
        if sha256 not in {photo.sha256 for photo in self.photos(principal, number)}:
            raise not_found("该照片", "attachment.unknown")
        with self.service.reading() as session:
            station = visible_case(session, principal, number).station_code
        return self.store.content(station, sha256)

    def add(self, principal: Principal, number: str, data: bytes, filename: str) -> CasePhoto:
        """Keep a photo of the case sent from the console; refused as `checked_photo`."""
        photo = checked_photo(data, filename)
        sha256, shown, media_type = photo.sha256, photo.filename, photo.media_type
        path = self.store.content_path(sha256)
        if not path.exists():
            part = path.with_name(f"{sha256}.console.part")
            with open_private(part) as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            part.replace(path)
        restrict(path)
        with self.service.writing() as session:
            case = visible_case(session, principal, number)
            key = {"station_code": case.station_code, "sha256": sha256}
            row = session.get(AttachmentRow, key)
            if row is None:
                row = AttachmentRow(
                    **key,
                    size=len(data),
                    received=len(data),
                    complete=True,
                    media_type=media_type,
                    filename=shown,
                    created_at=self.service.now(),
                )
                session.add(row)
                session.flush()  # before its case link, which refers to it
            elif not row.complete:  # the station's own upload of the same bytes, still under way: now whole
                row.size, row.received, row.complete, row.media_type = len(data), len(data), True, media_type
            link = {**key, "case_id": case.id}
            if session.get(AttachmentCaseRow, link) is None:
                session.add(AttachmentCaseRow(**link, created_at=self.service.now()))
            return CasePhoto(sha256, shown, len(data), media_type)

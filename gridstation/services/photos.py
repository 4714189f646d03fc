"""Photos of a case at the desk: adding one (checked, stored privately, recorded in the log, queued for upload),
listing a case's photos, and their thumbnails.

A photo is kept once per content, `<data dir>/photos/ab/<sha256>` (0600, like station.db: residents' homes are in
them), with a small PNG thumbnail beside it in `photos/thumbnails/`. Its event in the case's log carries the hash,
size, type and file name; the queue row written in the same transaction is what sync uploads (sync/photos.py).
"""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from gridstation.domain.enums import EventType
from gridstation.domain.errors import DomainError, ValidationError
from gridstation.domain.events import Event
from gridstation.domain.lifecycle import decide
from gridstation.domain.photos import MAX_PHOTO_BYTES, SNIFF_BYTES, display_filename, photo_media_type
from gridstation.domain.roles import Permission, require
from gridstation.services.cases import CaseCommands
from gridstation.services.photo_files import keep_private, photo_path, thumbnail_path
from gridstation.services.staff import StaffMember
from gridstation.storage import case_store, photos
from gridstation.storage.photos import QueuedPhoto, WantedPhoto

THUMBNAIL_EDGE = 240  # pixels, the longer side: four fit beside each other in the detail pane
PASTED_FILENAME = "粘贴的图片.png"


@dataclass(frozen=True, slots=True)
class CasePhoto:
    """One photo in a case's log, and what this machine holds of it."""

    event_id: str
    case_id: str
    sha256: str
    size: int
    media_type: str
    filename: str
    added_at: datetime
    added_by: str
    path: Path | None  # None: its bytes are not on this machine (added elsewhere)
    uploaded: bool
    refused: str  # the server's reason if it will not take it
    came_down: bool = False  # added elsewhere (the console, another device): it came down by sync
    to_download: bool = False  # its bytes are still to fetch
    download_failed: str = ""  # why the last fetch did not keep it (tried again next sync)


class CasePhotos(CaseCommands):
    def attach_photo(self, actor: StaffMember, case_id: str, source: Path | bytes, filename: str = "") -> CasePhoto:
        """Add a photo (a file, or the bytes of a pasted image) to a case; the same photo twice is added once."""
        require(actor.role, Permission.RECORD_PROGRESS)
        name = display_filename(filename or (source.name if isinstance(source, Path) else PASTED_FILENAME))
        data = _read_photo(source, name)
        media_type = photo_media_type(data[:SNIFF_BYTES], len(data), name)
        thumbnail = _thumbnail_png(data, name)
        sha256 = hashlib.sha256(data).hexdigest()
        self._keep(self.photo_file(sha256), data)
        self._keep(self._thumbnail_file(sha256), thumbnail)
        station = self._require_station()
        policy = self.deadline_policy()
        now = self._now()
        payload: dict[str, Any] = {"sha256": sha256, "size": len(data), "media_type": media_type, "filename": name}
        event_seq = 0
        with self._write() as session:
            state = case_store.load_state(session, case_id)
            if state is None:
                raise DomainError("case.unknown", "找不到该诉求。")
            if not _photo_event(case_store.load_events(session, case_id), sha256):  # a double click adds it once
                draft = decide(state, EventType.PHOTO_ATTACHED, payload)
                _state, event_seq = self._append(session, actor, station, [draft], now, policy)
                photos.queue_upload(
                    session,
                    case_id=case_id,
                    sha256=sha256,
                    size=len(data),
                    media_type=media_type,
                    filename=name,
                    now=now,
                )
        if event_seq:
            self._remember_issued(event_seq)
        found = next(p for p in self.photos(case_id) if p.sha256 == sha256)
        return found

    def photos(self, case_id: str) -> list[CasePhoto]:
        """The case's photos in the order they were added, with where their bytes are here (if they are)."""
        with self._read() as session:
            events = case_store.load_events(session, case_id)
            queued = photos.case_uploads(session, case_id)
            wanted = photos.case_downloads(session, case_id)
        return [
            self._case_photo(e, queued.get(e.payload["sha256"]), wanted.get(e.payload["sha256"]))
            for e in events
            if _is_photo(e)
        ]

    def photo_file(self, sha256: str) -> Path:
        """Where this machine keeps (or would keep) the photo with this hash."""
        return photo_path(self.data_dir, sha256)

    def thumbnail(self, sha256: str) -> Path | None:
        """The photo's thumbnail (made again if it was lost), or None if the photo is not on this machine."""
        path = self._thumbnail_file(sha256)
        if path.exists():
            return path
        original = self.photo_file(sha256)
        if not original.exists():
            return None
        try:
            self._keep(path, _thumbnail_png(original.read_bytes(), sha256))
        except (OSError, ValidationError):
            return None
        return path

    def keep_fetched_photo(self, sha256: str, data: bytes, filename: str = "") -> None:
        """Keep the bytes of a photo that came down by sync, as a photo added here is kept; raises ValidationError
        (in Chinese) if they are not the photo the case's event names or not a photo at all."""
        name = display_filename(filename or sha256[:12])
        if hashlib.sha256(data).hexdigest() != sha256:
            raise ValidationError("photo", "photo.hash_mismatch", f"下载的照片「{name}」与记录的校验值不符。")
        photo_media_type(data[:SNIFF_BYTES], len(data), name)
        self._keep(self._thumbnail_file(sha256), _thumbnail_png(data, name))
        self._keep(self.photo_file(sha256), data)
        with self._write() as session:
            photos.mark_downloaded(session, sha256, self._now())

    def photos_to_fetch(self) -> list[WantedPhoto]:
        """Photos that came down by sync and whose bytes are still to fetch, oldest first."""
        with self._read() as session:
            return photos.wanted_downloads(session)

    def pending_photo_count(self) -> int:
        with self._read() as session:
            return photos.pending_count(session)

    def _case_photo(self, event: Event, queued: QueuedPhoto | None, download_failed: str | None) -> CasePhoto:
        p = event.payload
        path = self.photo_file(p["sha256"])
        return CasePhoto(
            event_id=event.id,
            case_id=event.case_id,
            sha256=p["sha256"],
            size=int(p["size"]),
            media_type=p["media_type"],
            filename=p.get("filename", ""),
            added_at=event.occurred_at,
            added_by=event.actor_name,
            path=path if path.exists() else None,
            uploaded=queued.uploaded if queued is not None else False,
            refused=queued.refused if queued is not None else "",
            came_down=queued is None,
            to_download=download_failed is not None and not path.exists(),
            download_failed=download_failed or "",
        )

    def _thumbnail_file(self, sha256: str) -> Path:
        return thumbnail_path(self.data_dir, sha256)

    @staticmethod
    def _keep(path: Path, data: bytes) -> None:
        keep_private(path, data)


def _is_photo(event: Event) -> bool:
    return event.type is EventType.PHOTO_ATTACHED


def _photo_event(events: list[Event], sha256: str) -> Event | None:
    return next((e for e in events if _is_photo(e) and e.payload.get("sha256") == sha256), None)


def _read_photo(source: Path | bytes, name: str) -> bytes:
    if isinstance(source, bytes):
        return source
    try:
        size = source.stat().st_size
        if size > MAX_PHOTO_BYTES:
            photo_media_type(b"", size, name)  # raises: too large, without reading it all
        return source.read_bytes()
    except OSError as err:
        reason = err.strerror or str(err)
        raise ValidationError("photo", "photo.unreadable", f"无法读取文件「{name}」（{reason}）。") from err


def _thumbnail_png(data: bytes, name: str) -> bytes:
    """A small PNG of the photo, upright as it was taken; a file whose header lies about its content is refused."""
    from PIL import Image, ImageOps, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(data)) as image:
            image.load()
            upright = ImageOps.exif_transpose(image) or image
            small = upright.convert("RGB") if upright.mode not in ("RGB", "RGBA") else upright.copy()
            small.thumbnail((THUMBNAIL_EDGE, THUMBNAIL_EDGE))
            out = io.BytesIO()
            small.save(out, format="PNG")
            return out.getvalue()
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError) as err:
        raise ValidationError("photo", "photo.damaged", f"照片「{name}」已损坏或无法打开，请换一张。") from err

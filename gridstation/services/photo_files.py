"""Where the desk keeps a photo's bytes and its thumbnail, and writing them: shared by adding photos
(services/photos.py), backup and restore (services/backup_photos.py) and retention (services/retention.py).

A photo is kept once per content, `<data dir>/photos/ab/<sha256>` (0600, like station.db: residents' homes are in
them), with a small PNG thumbnail in `photos/thumbnails/<sha256>.png` that can always be made again from it.
"""

from __future__ import annotations

from pathlib import Path

from gridstation.common.files import private_dir, write_private_file
from gridstation.domain.errors import DomainError

PHOTOS_DIR = "photos"
THUMBNAILS_DIR = "thumbnails"


def photo_path(data_dir: Path, sha256: str) -> Path:
    """Where this machine keeps (or would keep) the photo with this hash."""
    return data_dir / PHOTOS_DIR / sha256[:2] / sha256


def thumbnail_path(data_dir: Path, sha256: str) -> Path:
    return data_dir / PHOTOS_DIR / THUMBNAILS_DIR / f"{sha256}.png"


def keep_private(path: Path, data: bytes) -> None:
    """Write `data` to `path` whole or not at all (a cut leaves no half photo under the final name), 0600."""
    if path.exists() and path.stat().st_size == len(data):
        return  # content-addressed: the same name holds the same bytes
    private_dir(path.parent.parent)
    private_dir(path.parent)
    try:
        write_private_file(path, data)
    except DomainError as err:
        reason = err.params.get("reason", "")
        raise DomainError("photo.save_failed", f"照片无法保存到本机（{reason}），请检查磁盘空间。") from err


def forget_photo(data_dir: Path, sha256: str) -> bool:
    """Delete the photo and its thumbnail from this machine; True if there was a photo file to delete."""
    thumbnail_path(data_dir, sha256).unlink(missing_ok=True)
    original = photo_path(data_dir, sha256)
    existed = original.exists()
    original.unlink(missing_ok=True)
    return existed

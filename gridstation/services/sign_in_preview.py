"""The sign-in's station and staff names, read without opening the station (storage/sign_in_preview.py says why)."""

from __future__ import annotations

from pathlib import Path

from gridstation.services.station_files import DB_FILE
from gridstation.storage.sign_in_preview import SignInPreview, read_sign_in_preview

__all__ = ["SignInPreview", "sign_in_preview"]


def sign_in_preview(data_dir: Path) -> SignInPreview | None:
    return read_sign_in_preview(Path(data_dir) / DB_FILE)

"""Photos of a problem: which files count as one, how large they may be, and what a photo's event records.

The same magic-byte rule answers at the desk (before a photo is stored and queued) and at the server (when its
last byte arrives, `server/attachments.py`): JPEG `FF D8 FF`, PNG `89 50 4E 47 0D 0A 1A 0A`, WebP `RIFF….WEBP`,
PDF `%PDF-`. A file's name or extension says nothing; a photo is what its bytes are.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from gridstation.domain.errors import ValidationError
from gridstation.domain.validation import check_characters

# What the first bytes must be, of each type a station may upload, and what that type is called to a person.
MEDIA_TYPE_LABELS = {
    "image/jpeg": "JPEG 图片",
    "image/png": "PNG 图片",
    "image/webp": "WebP 图片",
    "application/pdf": "PDF 文件",
}
PHOTO_TYPES = frozenset({"image/jpeg", "image/png", "image/webp"})
SNIFF_BYTES = 16
# Below the server's limit for any attachment (protocol.MAX_ATTACHMENT_SIZE, 20 MB): a phone's photo is 2–6 MB.
MAX_PHOTO_BYTES = 10 * 1024 * 1024
FILENAME_MAX_CHARS = 200
_SHA256 = re.compile(r"^[0-9a-f]{64}$")


def sniff_media_type(head: bytes) -> str | None:
    """The type the first bytes of a file say it is (of the types stations may upload), or None."""
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    if head.startswith(b"%PDF-"):
        return "application/pdf"
    return None


def photo_media_type(head: bytes, size: int, filename: str) -> str:
    """The photo's type by its bytes; raises ValidationError (in Chinese, naming the file) for anything else."""
    shown = filename or "该文件"
    if size <= 0:
        raise ValidationError("photo", "photo.empty", f"照片「{shown}」是空文件。")
    if size > MAX_PHOTO_BYTES:
        raise ValidationError(
            "photo",
            "photo.too_large",
            f"照片「{shown}」有 {size / 1024 / 1024:.1f} MB，超过 {MAX_PHOTO_BYTES // 1024 // 1024} MB 的上限，"
            "请压缩后再添加。",
        )
    sniffed = sniff_media_type(head)
    if sniffed not in PHOTO_TYPES:
        found = f"它是{MEDIA_TYPE_LABELS[sniffed]}" if sniffed else "无法识别其格式"
        raise ValidationError(
            "photo", "photo.type", f"「{shown}」不是照片（{found}）。只能添加 JPEG、PNG 或 WebP 格式的图片。"
        )
    return sniffed


def clean_photo_payload(payload: Mapping[str, Any]) -> dict[str, Any]:
    """What a photo's event keeps: its SHA-256, size, type (sniffed from its bytes) and the file's own name."""
    sha256 = str(payload.get("sha256", ""))
    if not _SHA256.match(sha256):
        raise ValidationError("sha256", "photo.hash", "照片校验值须为 64 位小写十六进制 SHA-256。")
    size = payload.get("size")
    if not isinstance(size, int) or isinstance(size, bool) or not 1 <= size <= MAX_PHOTO_BYTES:
        raise ValidationError(
            "size", "photo.size", f"照片大小须在 1 字节至 {MAX_PHOTO_BYTES // 1024 // 1024} MB 之间。"
        )
    media_type = str(payload.get("media_type", ""))
    if media_type not in PHOTO_TYPES:
        raise ValidationError("media_type", "photo.type", "只能添加 JPEG、PNG 或 WebP 格式的图片。")
    filename = display_filename(str(payload.get("filename", "")))
    check_characters(filename, field="filename", label="文件名")
    return {"sha256": sha256, "size": size, "media_type": media_type, "filename": filename}


def display_filename(name: str) -> str:
    """The last part of a path as a person named the file, without folders (which may name the clerk's account)."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1].strip()
    return base[:FILENAME_MAX_CHARS]


def describe_size(size: int) -> str:
    if size >= 1024 * 1024:
        return f"{size / 1024 / 1024:.1f} MB"
    return f"{max(1, round(size / 1024))} KB"

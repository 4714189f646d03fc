"""The encrypted backup file: AES-256-GCM in fixed-size chunks under a key derived from a passphrase with scrypt.

A station database can be hundreds of megabytes, so it is sealed as a stream, one chunk in memory at a time:

    header     magic "GSBACKUP", format version, KDF (1 = scrypt), log2 N, r, p, chunk size, 16-byte salt
    key check  nonce + the GCM tag of nothing, under the header: tells a wrong passphrase from a damaged file
    chunks     nonce + ciphertext + tag of each chunk of `chunk size` bytes (the last one may be shorter)

Every chunk has its own random nonce and is sealed with the header, its index and whether it is the last one as
associated data, so a changed byte, a chunk moved or dropped, a file cut short (even at a chunk boundary) or
extended, and a header with other parameters all fail authentication. The key is new for every file (its own salt).
"""

from __future__ import annotations

import os
import struct
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

from gridstation.domain.errors import DomainError

MAGIC = b"GSBACKUP"
SQLITE_MAGIC = b"SQLite format 3\x00"
FORMAT_VERSION = 1
KDF_SCRYPT = 1
CHUNK_SIZE = 1 << 20
SALT_BYTES = 16
NONCE_BYTES = 12
TAG_BYTES = 16
KEY_BYTES = 32
PASSPHRASE_MIN_CHARS = 8
PASSPHRASE_MAX_CHARS = 1024

_HEADER = struct.Struct(">8sBBBBBI16s")  # magic, version, kdf, log2 N, r, p, chunk size, salt
_CHUNK_LABEL = struct.Struct(">QB")  # chunk index, last-chunk flag
# Where the first chunk starts: the header, then the key check.
PREAMBLE_BYTES = _HEADER.size + NONCE_BYTES + TAG_BYTES
_KEY_CHECK_LABEL = b"key-check"


@dataclass(frozen=True, slots=True)
class ScryptCost:
    """scrypt's work factors. N = 2**17, r = 8 takes 128 MiB and a few tenths of a second: each guess at a
    passphrase costs an attacker as much."""

    log2_n: int = 17
    r: int = 8
    p: int = 1

    def memory_bytes(self) -> int:
        return 128 * self.r * (1 << self.log2_n)


DEFAULT_COST = ScryptCost()
# What a file may ask of the reader: a forged header must not make a restore allocate gigabytes or run for hours.
MAX_KDF_MEMORY = 512 * 1024 * 1024
MAX_CHUNK_SIZE = 16 << 20


def check_new_passphrase(passphrase: str) -> str:
    """The passphrase a new backup is sealed with: long enough that guessing it is hopeless even offline."""
    if not passphrase:
        raise DomainError("backup.passphrase_missing", "请输入备份口令。")
    if len(passphrase) < PASSPHRASE_MIN_CHARS:
        # The number is written out (not formatted in) so the desk's catalogue can translate the message.
        raise DomainError("backup.passphrase_short", "备份口令至少需要 8 个字符（可用一句好记的话）。")
    if len(passphrase) > PASSPHRASE_MAX_CHARS:
        raise DomainError("backup.passphrase_long", "备份口令过长。")
    return passphrase


def file_kind(path: Path) -> str:
    """ "sealed" (an encrypted backup), "plain" (an SQLite file: a backup made before backups were encrypted) or ""."""
    try:
        with path.open("rb") as handle:
            start = handle.read(len(SQLITE_MAGIC))
    except OSError:
        return ""
    if start.startswith(MAGIC):
        return "sealed"
    if start == SQLITE_MAGIC:
        return "plain"
    return ""


def seal(
    source: BinaryIO, target: BinaryIO, passphrase: str, *, cost: ScryptCost | None = None, chunk_size: int = CHUNK_SIZE
) -> None:
    """Encrypt everything `source` holds into `target` (`cost`: DEFAULT_COST as it is when called)."""
    cost = cost or DEFAULT_COST
    salt = os.urandom(SALT_BYTES)
    header = _HEADER.pack(MAGIC, FORMAT_VERSION, KDF_SCRYPT, cost.log2_n, cost.r, cost.p, chunk_size, salt)
    aead = AESGCM(_derive_key(passphrase, salt, cost))
    target.write(header)
    target.write(_sealed(aead, b"", header + _KEY_CHECK_LABEL))
    for index, (chunk, last) in enumerate(_chunks_with_last_flag(source, chunk_size)):
        target.write(_sealed(aead, chunk, header + _CHUNK_LABEL.pack(index, last)))


def unseal(source: BinaryIO, target: BinaryIO, passphrase: str) -> None:
    """Decrypt a sealed backup from `source` into `target`.

    Raises DomainError `backup.passphrase_wrong` when the passphrase is not the one the file was sealed with, and
    `backup.damaged` when any part of the file was changed, moved, cut off or added to. `target` may then hold a
    part of the data: the caller writes it somewhere it can throw away.
    """
    header = source.read(_HEADER.size)
    if len(header) < _HEADER.size or not header.startswith(MAGIC):
        raise _damaged()
    _, version, kdf, log2_n, r, p, chunk_size, salt = _HEADER.unpack(header)
    cost = ScryptCost(log2_n, r, p)
    if version != FORMAT_VERSION or kdf != KDF_SCRYPT:
        raise DomainError("backup.unsupported", "该备份文件由更新版本的 GridStation 生成，请先升级本机程序。")
    if not (1 <= log2_n <= 30 and r >= 1 and 1 <= p <= 16 and cost.memory_bytes() * p <= MAX_KDF_MEMORY):
        raise _damaged()
    if not 1 <= chunk_size <= MAX_CHUNK_SIZE:
        raise _damaged()
    aead = AESGCM(_derive_key(passphrase, salt, cost))
    try:
        _opened(aead, source.read(NONCE_BYTES + TAG_BYTES), header + _KEY_CHECK_LABEL)
    except _Unauthentic:
        raise DomainError("backup.passphrase_wrong", "备份口令不正确，未做任何更改。") from None
    record = NONCE_BYTES + chunk_size + TAG_BYTES
    index = 0
    current = source.read(record)
    while True:
        following = source.read(record) if len(current) == record else b""
        last = not following
        try:
            target.write(_opened(aead, current, header + _CHUNK_LABEL.pack(index, last)))
        except _Unauthentic:
            raise _damaged() from None
        if last:
            return
        current, index = following, index + 1


class _Unauthentic(Exception):
    pass


def _damaged() -> DomainError:
    return DomainError("backup.damaged", "备份文件已损坏或不完整（可能被截断或改动过），无法恢复，未做任何更改。")


def _derive_key(passphrase: str, salt: bytes, cost: ScryptCost) -> bytes:
    # NFKC: the same passphrase typed with full-width digits or letters (a Chinese input method) is the same key.
    secret = unicodedata.normalize("NFKC", passphrase).encode("utf-8")
    return Scrypt(salt=salt, length=KEY_BYTES, n=1 << cost.log2_n, r=cost.r, p=cost.p).derive(secret)


def _sealed(aead: AESGCM, plain: bytes, associated: bytes) -> bytes:
    nonce = os.urandom(NONCE_BYTES)
    return nonce + aead.encrypt(nonce, plain, associated)


def _opened(aead: AESGCM, sealed: bytes, associated: bytes) -> bytes:
    if len(sealed) < NONCE_BYTES + TAG_BYTES:
        raise _Unauthentic
    try:
        return aead.decrypt(sealed[:NONCE_BYTES], sealed[NONCE_BYTES:], associated)
    except InvalidTag:
        raise _Unauthentic from None


def _chunks_with_last_flag(source: BinaryIO, chunk_size: int) -> Iterator[tuple[bytes, bool]]:
    """The chunks of `source`, each with whether it is the last; an empty source is one empty last chunk."""
    current = source.read(chunk_size)
    while True:
        following = source.read(chunk_size)
        yield current, not following
        if not following:
            return
        current = following

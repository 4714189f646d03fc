"""Encrypted backups in the tests: the passphrase test stations use, and opening a backup file by hand."""

from __future__ import annotations

from pathlib import Path

BACKUP_PASSPHRASE = "枫林居委会的备份口令2026"


def unseal_backup(backup: Path, target: Path, passphrase: str = BACKUP_PASSPHRASE) -> Path:
    """The plain SQLite database inside an encrypted backup, written to `target` (as a new machine would need)."""
    from gridstation.services.backup_file import unseal

    with backup.open("rb") as sealed, target.open("wb") as plain:
        unseal(sealed, plain, passphrase)
    return target

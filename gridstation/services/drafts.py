"""Intake drafts kept in a file beside the database, so typed text survives a crash or a failed save.

A file (not the database) on purpose: when the database is locked, full or broken, the draft must
still be written.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any

from gridstation.common.files import private_dir


class DraftStore:
    def __init__(self, directory: Path, name: str = "intake") -> None:
        self.path = Path(directory) / "drafts" / f"{name}.json"

    def save(self, fields: dict[str, Any]) -> None:
        private_dir(self.path.parent)  # mkstemp makes the file itself 0600; the folder is ours alone too
        fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=".draft-", suffix=".tmp")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                json.dump(fields, handle, ensure_ascii=False)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(tmp, self.path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    def load(self) -> dict[str, Any] | None:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (FileNotFoundError, ValueError):
            return None
        return data if isinstance(data, dict) else None

    def clear(self) -> None:
        self.path.unlink(missing_ok=True)

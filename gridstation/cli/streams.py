"""Standard streams that can print Chinese: set up first thing, before the command line is even read (and before
anything heavier is imported: the desk starts through here too)."""

from __future__ import annotations

import os
import sys
from typing import TextIO


def ensure_printable_streams() -> None:
    """Chinese output must not crash where the locale is C/ASCII or where a windowed build has no console."""
    for name in ("stdout", "stderr"):
        stream: TextIO | None = getattr(sys, name)
        if stream is None:
            setattr(sys, name, open(os.devnull, "w", encoding="utf-8"))  # noqa: SIM115 - lives as long as the process
            continue
        try:
            "民情".encode(stream.encoding or "ascii")
        except (LookupError, UnicodeEncodeError):
            reconfigure = getattr(stream, "reconfigure", None)
            if reconfigure is not None:
                reconfigure(encoding="utf-8", errors="replace")


def print_error(message: str) -> None:
    print(message, file=sys.stderr)

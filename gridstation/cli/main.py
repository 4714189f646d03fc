"""`gridstation`: start the desk, or work with a station's data from a terminal.

Every command reaches data through `StationService`. User errors (a `DomainError`) print their Chinese
message to stderr and exit with status 2; nothing a user can cause ends in a traceback. Qt is only imported
when the desk itself starts, so the commands work on a machine without a display.

The command line is declared in `parser.py`, the commands live in `commands/`, one module per family.
"""

from __future__ import annotations

from collections.abc import Sequence

from gridstation.cli.parser import build_parser
from gridstation.cli.streams import ensure_printable_streams
from gridstation.common.cli_kit import run_command
from gridstation.logsetup import DESK, configure_logging


def main(argv: Sequence[str] | None = None) -> int:
    ensure_printable_streams()
    # The desk has no console to print a traceback to: what goes wrong is kept in its log file (帮助 → 日志文件夹).
    configure_logging(DESK)
    return run_command(build_parser(), argv)


if __name__ == "__main__":
    raise SystemExit(main())

"""What the two command-line programs, `gridstation` (the desk) and `gridstation-server`, do the same way.

Both speak Chinese to their users, including when the command line itself is wrong; both turn every error a user
can cause (a `DomainError`) into its Chinese message and exit status 2, never a traceback; both read CSV files
that may come from Excel on a Chinese Windows.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import NoReturn

from gridstation.domain.errors import DomainError

EXIT_USER_ERROR = 2
EXIT_INTERRUPTED = 130  # what a shell reports for a process ended by Ctrl+C (128 + SIGINT)

Handler = Callable[[argparse.Namespace], int]


class ChineseArgumentParser(argparse.ArgumentParser):
    """argparse with its complaint about a malformed command line in Chinese, exiting with `EXIT_USER_ERROR`.

    Pass it on as `parser_class` to `add_subparsers`, so that subcommands complain the same way.
    """

    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        self.exit(EXIT_USER_ERROR, f"{self.prog}：参数错误：{message}\n")


def run_command(parser: argparse.ArgumentParser, argv: Sequence[str] | None, *, error_prefix: str = "") -> int:
    """Parse `argv` and run the handler the chosen (sub)command set with `set_defaults(handler=…)`; the exit status.

    A `DomainError` prints its Chinese message (after `error_prefix`) to stderr and gives `EXIT_USER_ERROR`.
    A command line that names no command with a handler prints the help and is a user error too.
    """
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # --help, or a malformed command line (argparse has printed why)
        return exc.code if isinstance(exc.code, int) else EXIT_USER_ERROR
    handler: Handler | None = getattr(args, "handler", None)
    if handler is None:
        parser.print_help()
        return EXIT_USER_ERROR
    try:
        return handler(args)
    except DomainError as exc:
        print(f"{error_prefix}{exc.message_zh}", file=sys.stderr)
        return EXIT_USER_ERROR
    except KeyboardInterrupt:
        print(f"{error_prefix}已中断。", file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:  # e.g. `gridstation cases list | head`
        return 0


def decode_csv(raw: bytes) -> str:
    """CSV saved by Excel on a Chinese Windows is GB18030; everything else is UTF-8 (with or without BOM).

    Raises `UnicodeDecodeError` when the bytes are neither; the caller says so in its own words.
    """
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return raw.decode("gb18030")


def read_csv_text(path: Path) -> str:
    """The text of the CSV file at `path` (see `decode_csv`), or a `DomainError` saying why it cannot be read."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError as exc:
        raise DomainError("file.missing", f"找不到文件：{path}") from exc
    except OSError as exc:
        raise DomainError("file.unreadable", f"无法读取文件：{path}（{exc.strerror}）") from exc
    try:
        return decode_csv(raw)
    except UnicodeDecodeError as exc:
        raise DomainError("csv.encoding", f"无法识别文件编码：{path.name}。请另存为 UTF-8 编码的 CSV。") from exc

"""What the two command-line programs, `gridstation` (the desk) and `gridstation-server`, do the same way.

Both speak Chinese to their users, including when the command line itself is wrong; both turn every error a user
can cause (a `DomainError`) into its Chinese message and exit status 2, never a traceback; both read CSV files
that may come from Excel on a Chinese Windows.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any, NoReturn

from gridstation.domain.errors import DomainError

EXIT_USER_ERROR = 2
EXIT_INTERRUPTED = 130  # what a shell reports for a process ended by Ctrl+C (128 + SIGINT)

Handler = Callable[[argparse.Namespace], int]


# argparse's own words, which it writes in English whatever the program's language.
_ARGPARSE_MESSAGES: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"^unrecognized arguments: (.*)$"), r"无法识别的参数：\1"),
    (re.compile(r"^the following arguments are required: (.*)$"), r"缺少必需的参数：\1"),
    (
        re.compile(r"^argument (\S+): invalid choice: '?(.*?)'? \(choose from (.*)\)$"),
        r"参数 \1 的值「\2」无效，可选：\3",
    ),
    (re.compile(r"^argument (\S+): expected one argument$"), r"参数 \1 需要一个值"),
    (re.compile(r"^argument (\S+): expected at least one argument$"), r"参数 \1 至少需要一个值"),
    (re.compile(r"^argument (\S+): invalid \S+ value: '?(.*?)'?$"), r"参数 \1 的值「\2」格式不对"),
    (re.compile(r"^argument (\S+): not allowed with argument (\S+)$"), r"参数 \1 不能与 \2 同时使用"),
    (re.compile(r"^argument (\S+): (.*)$"), r"参数 \1：\2"),
)


def chinese_argparse_message(message: str) -> str:
    for pattern, replacement in _ARGPARSE_MESSAGES:
        if pattern.match(message):
            return pattern.sub(replacement, message)
    return message


class ChineseHelpFormatter(argparse.HelpFormatter):
    def add_usage(
        self,
        usage: str | None,
        actions: Iterable[argparse.Action],
        groups: Iterable[Any],
        prefix: str | None = None,
    ) -> None:
        super().add_usage(usage, actions, groups, "用法：" if prefix is None else prefix)


class ChineseArgumentParser(argparse.ArgumentParser):
    """argparse in Chinese: its headings, its help option and its complaints about a malformed command line, which
    exit with `EXIT_USER_ERROR`.

    Pass it on as `parser_class` to `add_subparsers`, so that subcommands speak the same way.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("formatter_class", ChineseHelpFormatter)
        add_help = kwargs.get("add_help", True)
        kwargs["add_help"] = False  # its own help option below, worded in Chinese
        super().__init__(*args, **kwargs)
        self._positionals.title = "参数"
        self._optionals.title = "选项"
        if add_help:
            self.add_argument("-h", "--help", action="help", help="显示本帮助并退出")

    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        self.exit(EXIT_USER_ERROR, f"{self.prog}：参数错误：{chinese_argparse_message(message)}\n")


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

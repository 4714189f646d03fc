"""Quick checks of the basics: the station opens, numbers a case and finds it again; the command-line kit both
programs share speaks Chinese, exits 2 on a user's mistake and reads Excel's CSV files."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest

from gridstation.common.cli_kit import (
    EXIT_INTERRUPTED,
    EXIT_USER_ERROR,
    ChineseArgumentParser,
    decode_csv,
    read_csv_text,
    run_command,
)
from gridstation.domain.case import Intake
from gridstation.domain.enums import Channel, Tier
from gridstation.domain.errors import DomainError
from gridstation.domain.listing import CaseQuery
from gridstation.services.staff import StaffMember
from gridstation.services.station import StationService


def test_register_and_find(service: StationService, clerk: StaffMember) -> None:
    """A walk-in is numbered for today's local date and found by a Chinese word."""
    intake = Intake.validated(channel=Channel.WALK_IN, category_code="DRAIN.COVER", tier=Tier.QUICK,
                              description="绿化带下的污水井盖被土盖住，下雨天积水倒灌", phone="13800138000")
    state = service.register_case(clerk, intake)
    assert state.number.startswith("JA01-20261123-0001-")
    assert [c.id for c in service.search(CaseQuery(text="污水井盖"))] == [state.id]


def kit_parser() -> ChineseArgumentParser:
    """A program with a command that works, one that refuses, and one interrupted by Ctrl+C."""

    def refuse(args: argparse.Namespace) -> int:
        raise DomainError("test.refused", f"不能处理「{args.word}」。")

    def interrupted(args: argparse.Namespace) -> int:
        raise KeyboardInterrupt

    parser = ChineseArgumentParser(prog="kit")
    commands = parser.add_subparsers(parser_class=ChineseArgumentParser)
    commands.add_parser("ok").set_defaults(handler=lambda args: 0)
    refusing = commands.add_parser("refuse")
    refusing.add_argument("word")
    refusing.set_defaults(handler=refuse)
    commands.add_parser("stop").set_defaults(handler=interrupted)
    return parser


def test_cli_kit_turns_user_errors_into_chinese_and_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    """A refused command prints its message after the program's prefix; a malformed command line complains in
    Chinese; no command prints the help; Ctrl+C exits 130. None of them is a traceback."""
    assert run_command(kit_parser(), ["ok"]) == 0
    assert run_command(kit_parser(), ["refuse", "井盖"], error_prefix="kit：") == EXIT_USER_ERROR
    assert capsys.readouterr().err == "kit：不能处理「井盖」。\n"
    assert run_command(kit_parser(), ["refuse"]) == EXIT_USER_ERROR
    assert "kit refuse：参数错误：缺少必需的参数：word" in capsys.readouterr().err
    assert run_command(kit_parser(), []) == EXIT_USER_ERROR
    help_text = capsys.readouterr().out
    # argparse's own headings in Chinese too (issue 14, item 5): no "usage:", "options:" or "show this help".
    assert help_text.startswith("用法：kit") and "选项" in help_text and "显示本帮助并退出" in help_text
    assert "usage" not in help_text and "options" not in help_text
    assert run_command(kit_parser(), ["stop"]) == EXIT_INTERRUPTED
    assert capsys.readouterr().err == "已中断。\n"


def test_cli_kit_reads_utf8_and_gb18030_csv(tmp_path: Path) -> None:
    """Excel on a Chinese Windows saves GB18030, everything else UTF-8 (maybe with a BOM); anything else, or a
    missing file, is a DomainError in Chinese."""
    row = "name,grid_code\n乌鲁木齐路小区,G03\n"
    assert decode_csv(row.encode("gb18030")) == row
    assert decode_csv(row.encode("utf-8-sig")) == row
    with pytest.raises(UnicodeDecodeError):
        decode_csv(b"\xff\xfe\x00\xd8")
    unreadable = tmp_path / "bad.csv"
    unreadable.write_bytes(b"\xff\xfe\x00\xd8")
    with pytest.raises(DomainError, match=r"无法识别文件编码：bad\.csv"):
        read_csv_text(unreadable)
    with pytest.raises(DomainError, match="找不到文件"):
        read_csv_text(tmp_path / "nope.csv")

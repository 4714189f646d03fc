"""`gridstation` without a command: open the desk (optionally on a fresh demo station)."""

from __future__ import annotations

import argparse
import os
import sys

from gridstation.cli.context import PIN_ENV, USER_ENV, has_station, resolve_data_dir
from gridstation.cli.defaults import DEMO_CASES, DEMO_SEED
from gridstation.cli.streams import print_error


def run_desktop_command(args: argparse.Namespace) -> int:
    data_dir = resolve_data_dir(args)
    if args.demo_if_empty and not has_station(data_dir):
        from gridstation.cli.commands.demo import create_demo

        create_demo(data_dir, cases=DEMO_CASES, seed=DEMO_SEED)
        print()
    if sys.platform.startswith("linux") and not any(
        os.environ.get(name) for name in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")
    ):
        # Qt would abort the process with an English message about the xcb plugin.
        print_error(
            "未检测到图形界面（没有 DISPLAY），无法打开桌面程序。请在图形桌面中运行，"
            "或使用 `xvfb-run gridstation`；命令行功能见 `gridstation --help`。"
        )
        return 1
    try:
        # Imported here so every other command works without Qt (or without a display).
        from gridstation.ui.app import run_desktop
    except ImportError as exc:  # usually a system library Qt needs (libEGL, libxkbcommon …) is missing
        print_error(
            f"无法启动桌面程序：{exc}\n"
            "请先运行 `bash scripts/run.sh` 安装所需的系统库；命令行功能见 `gridstation --help`。"
        )
        return 1
    if not args.smoke_exit:
        return int(run_desktop(data_dir, args.lang))
    # The installation check (docs/packaging.md): signs in with the commands' name and PIN when both are given.
    user, pin = os.environ.get(USER_ENV), os.environ.get(PIN_ENV)
    credentials = (user, pin) if user and pin else None
    return int(run_desktop(data_dir, args.lang, smoke_exit=True, credentials=credentials))

"""Where a command's station is and who runs it: the data directory, opening the station, the operator, consent."""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from gridstation.domain.errors import DomainError
from gridstation.services.station_files import DB_FILE

if TYPE_CHECKING:  # the station is opened by the commands that need it: the desk starts without loading it first
    from gridstation.services.staff import StaffMember
    from gridstation.services.station import StationService

APP_NAME = "GridStation"
DATA_DIR_ENV = "GRIDSTATION_DATA_DIR"
USER_ENV = "GRIDSTATION_USER"
PIN_ENV = "GRIDSTATION_PIN"
# For scheduled backups: a passphrase typed on a command line would show in the process list and shell history.
PASSPHRASE_ENV = "GRIDSTATION_BACKUP_PASSPHRASE"


# ---------------------------------------------------------------------- data directory and the station


def resolve_data_dir(args: argparse.Namespace) -> Path:
    chosen: Path | None = args.data_dir
    if chosen is None:
        env = os.environ.get(DATA_DIR_ENV, "").strip()
        if env:
            chosen = Path(env)
        else:
            import platformdirs

            chosen = Path(platformdirs.user_data_dir(APP_NAME, APP_NAME))
    return chosen.expanduser()


def has_station(data_dir: Path) -> bool:
    """True if `data_dir` holds an initialised station; never creates a database."""
    if not (data_dir / DB_FILE).exists():
        return False
    from gridstation.services.station import StationService

    service = StationService(data_dir)
    try:
        return service.is_initialised()
    finally:
        service.close()


@contextmanager
def open_station(data_dir: Path) -> Iterator[StationService]:
    """The station in `data_dir`; refuses (rather than creating an empty database) if there is none."""
    if not (data_dir / DB_FILE).exists():
        raise _no_station(data_dir)
    from gridstation.services.station import StationService

    service = StationService(data_dir)
    try:
        if not service.is_initialised():
            raise _no_station(data_dir)
        yield service
    finally:
        service.close()


def _no_station(data_dir: Path) -> DomainError:
    return DomainError(
        "station.none",
        f"数据目录中还没有工作站：{data_dir}\n"
        "可运行 `gridstation demo` 创建演示工作站，或运行 `gridstation` 在桌面程序中初始化；"
        f"也可用 --data-dir 或环境变量 {DATA_DIR_ENV} 指定其他数据目录。",
    )


def station_zone(service: StationService) -> ZoneInfo:
    """The station's time zone: every time a command prints is local to the station."""
    station = service.station()
    return ZoneInfo(station.timezone if station else "Asia/Shanghai")


# ---------------------------------------------------------------------- the operator


def required_actor(service: StationService, args: argparse.Namespace) -> StaffMember:
    name = (args.user or os.environ.get(USER_ENV, "")).strip()
    if not name:
        raise DomainError("auth.user_missing", f"请用 --user 指定操作人姓名（或设置环境变量 {USER_ENV}）。")
    pin = args.pin if args.pin is not None else os.environ.get(PIN_ENV)
    if pin is None:
        if not _in_a_terminal():
            raise DomainError("auth.pin_missing", f"请用 --pin 或环境变量 {PIN_ENV} 提供 PIN。")
        pin = getpass.getpass(f"{name} 的 PIN：")
    member = service.sign_in(name, pin)
    if member.pin_change_required:
        # Still accepted (a scheduled task must not stop overnight), but said every time until it is changed.
        print(
            f"提示：管理员的 PIN 现在至少要 6 位，「{member.name}」的 PIN 太短。"
            f"请尽快修改：gridstation staff pin {member.name} --user {member.name}",
            file=sys.stderr,
        )
    return member


def backup_passphrase(*, new: bool) -> str:
    """The backup passphrase: from GRIDSTATION_BACKUP_PASSPHRASE, else asked in a terminal (twice for a new one)."""
    from_env = os.environ.get(PASSPHRASE_ENV)
    if from_env is not None:
        return from_env.rstrip("\r\n")
    if not _in_a_terminal():
        raise DomainError(
            "backup.passphrase_missing",
            f"请在终端中运行以输入备份口令，或设置环境变量 {PASSPHRASE_ENV}（计划任务用）。",
        )
    passphrase = getpass.getpass("备份口令：")
    if new and getpass.getpass("再次输入备份口令：") != passphrase:
        raise DomainError("backup.passphrase_mismatch", "两次输入的备份口令不一致，未做任何更改。")
    return passphrase


def _in_a_terminal() -> bool:
    return bool(sys.stdin) and sys.stdin.isatty()


def confirm(prompt: str) -> bool:
    try:
        answer = input(prompt)
    except EOFError:
        print()
        return False
    return answer.strip().lower() in {"y", "yes", "是", "确认"}

"""`gridstation demo`: a demo station with fictional cases, without ever overwriting a real one."""

from __future__ import annotations

import argparse
import sqlite3
from datetime import datetime
from pathlib import Path

from gridstation.cli.context import has_station, resolve_data_dir
from gridstation.cli.output import pad, text_width
from gridstation.domain.enums import ROLE_LABELS
from gridstation.domain.errors import DomainError
from gridstation.domain.listing import CaseQuery
from gridstation.services.station_files import DB_FILE, LEDGER_FILE


def cmd_demo(args: argparse.Namespace) -> int:
    data_dir = resolve_data_dir(args)
    db = data_dir / DB_FILE
    if db.exists():
        if args.force:
            moved = move_station_aside(data_dir)
            print(f"原有数据已改名保存（未删除）：{moved}")
        elif has_station(data_dir):
            raise DomainError(
                "demo.data_exists",
                f"数据目录中已有工作站数据：{data_dir}\n"
                "为避免覆盖，未创建演示数据。如确需重建，请加 --force（原数据库会先改名保存，不会删除），"
                "或用 --data-dir 指定另一个目录。",
            )
    create_demo(data_dir, cases=args.cases, seed=args.seed)
    return 0


def create_demo(data_dir: Path, *, cases: int, seed: int) -> None:
    from gridstation.services.demo import DEMO_ACCOUNTS, create_demo_station

    print(f"正在创建演示工作站（{cases} 条虚构诉求）……", flush=True)
    service = create_demo_station(data_dir, cases=cases, seed=seed)
    try:
        station = service.station()
        total = service.count(CaseQuery())
    finally:
        service.close()
    assert station is not None
    print(f"已创建演示工作站「{station.name}」（编号 {station.code}，{station.sub_district}），共 {total} 条诉求。")
    print(f"数据目录：{data_dir}")
    print("登录账号（演示用）：")
    width = max(text_width(a.name) for a in DEMO_ACCOUNTS)
    for account in DEMO_ACCOUNTS:
        print(f"  {pad(ROLE_LABELS[account.role], 6)}  {pad(account.name, width)}  PIN {account.pin}")


def move_station_aside(data_dir: Path) -> Path:
    """Rename the station database (and its WAL files and numbering ledger) with a timestamp; never delete."""
    db = data_dir / DB_FILE
    try:
        connection = sqlite3.connect(db)
        try:
            connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        finally:
            connection.close()
    except sqlite3.Error:
        pass  # a damaged file is moved as it is, WAL files with it
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    stem = f"station-before-demo-{stamp}"
    n = 1
    while (data_dir / f"{stem}.db").exists():
        n += 1
        stem = f"station-before-demo-{stamp}-{n}"
    target = data_dir / f"{stem}.db"
    try:
        for suffix in ("", "-wal", "-shm"):
            source = data_dir / f"{DB_FILE}{suffix}"
            if source.exists():
                source.rename(data_dir / f"{stem}.db{suffix}")
        ledger = data_dir / LEDGER_FILE
        if ledger.exists():
            ledger.rename(data_dir / f"{stem}-{LEDGER_FILE}")
    except OSError as exc:
        raise DomainError("demo.move_failed", f"无法改名保存原有数据：{exc}") from exc
    return target

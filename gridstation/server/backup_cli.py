"""`gridstation-server backup | restore` (docs/deploy.md, 备份与恢复).

    backup [--output FILE.tar|FOLDER] [--keep N]   the database and the photos in one archive with a manifest
    restore FILE.tar [--force]                     checks the archive first; a server holding data needs --force

Progress goes to stderr (a step every tenth of the way), the result to stdout. Stop the server before a restore:
it replaces the database under a running server otherwise.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TextIO

from sqlalchemy import make_url

from gridstation.server.backup import make_backup, restore_backup
from gridstation.server.backup_archive import Manifest, Progress
from gridstation.server.settings import ServerSettings

STEP_LABELS = {
    "database": "数据库",
    "checksum": "计算校验值",
    "write": "写入备份文件",
    "verify": "核对备份文件",
    "photos": "恢复照片",
}
COUNT_LABELS = {"stations": "工作站", "cases": "诉求", "events": "事件", "attachments": "照片"}


def add_backup_commands(commands: argparse._SubParsersAction[Any], settings_of: Callable[..., ServerSettings]) -> None:
    backup = commands.add_parser("backup", help="备份数据库和照片（一个归档文件，含清单和校验值）")
    backup.add_argument(
        "--output",
        type=Path,
        default=None,
        metavar="文件或目录",
        help="备份文件（*.tar）或目录（默认：数据目录下的 backups）",
    )
    backup.add_argument("--keep", type=int, default=None, metavar="N", help="备份到目录时只保留最新的 N 份")
    backup.set_defaults(handler=lambda args: run_backup(settings_of(args), args.output, args.keep))

    restore = commands.add_parser(
        "restore", help="从备份恢复（先核对校验值；目标已有数据时须加 --force，并先另行备份现有数据）"
    )
    restore.add_argument("file", type=Path, help="备份文件（gridstation-server backup 生成）")
    restore.add_argument("--force", action="store_true", help="目标已有数据时仍然恢复（替换全部数据）")
    restore.set_defaults(handler=lambda args: run_restore(settings_of(args), args.file, args.force))


class ProgressLines:
    """Progress as a line each time a step is another tenth of the way, so a log or a terminal shows it alike."""

    def __init__(self, out: TextIO | None = None) -> None:
        self.out = out
        self.shown: dict[str, int] = {}

    def __call__(self, step: str, done: int, total: int) -> None:
        tenth = 10 if total <= 0 else min(10, done * 10 // total)
        if self.shown.get(step, -1) >= tenth:
            return
        self.shown[step] = tenth
        label = STEP_LABELS.get(step, step)
        said = f"{done}/{total}" if step in ("checksum", "write", "verify", "photos") else f"{tenth * 10}%"
        print(f"  {label}：{said}", file=self.out or sys.stderr, flush=True)


def run_backup(
    settings: ServerSettings, output: Path | None, keep: int | None, progress: Progress | None = None
) -> int:
    where = make_url(settings.database_url).render_as_string(hide_password=True)
    print(f"正在备份 {where} 和 {settings.data_dir / 'attachments'} …", file=sys.stderr, flush=True)
    result = make_backup(settings, output, keep=keep, progress=progress or ProgressLines())
    size = result.path.stat().st_size
    print(f"备份完成：{result.path}（{_size(size)}）")
    print(f"  {describe(result.manifest)}")
    for path in result.removed:
        print(f"  已删除较早的备份：{path.name}")
    print("备份文件含全部居民信息，请妥善保管（仅本账号可读），并复制到另一台机器或介质上。")
    return 0


def run_restore(settings: ServerSettings, archive: Path, force: bool, progress: Progress | None = None) -> int:
    print(f"正在核对并恢复 {archive} …", file=sys.stderr, flush=True)
    result = restore_backup(settings, archive, force=force, progress=progress or ProgressLines())
    if result.replaced_backup is not None:
        print(f"恢复前的数据已另行备份：{result.replaced_backup}")
    print(f"已恢复 {result.manifest.created_at[:19].replace('T', ' ')} UTC 的备份：{describe(result.manifest)}")
    print(
        f"已让 {result.stations_reset} 个工作站下次同步时重新完整拉取；"
        "备份之后上传的事件会由各工作站在下次同步时重新上传。"
    )
    return 0


def describe(manifest: Manifest) -> str:
    counts = "，".join(f"{COUNT_LABELS.get(k, k)} {v}" for k, v in manifest.counts.items())
    return f"{counts}（数据库结构 {manifest.schema_revision}，程序版本 {manifest.program_version}）"


def _size(size: int) -> str:
    return f"{size / 1024 / 1024:.1f} MB" if size >= 1024 * 1024 else f"{max(1, size // 1024)} KB"

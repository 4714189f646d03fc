"""`gridstation-server check`: is this installation fit to serve? Each check says ✓, ! (a warning) or ✗, and why.

The database is opened without migrating it (a check changes nothing): reachable, and at the newest migration.
The data directory must be writable with enough free disk (photos and the SQLite file grow there). The clock must
not run behind what the server already stored, nor before this release was made: a clock set back a year would
date new events before old ones and start every deadline in the past.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

from sqlalchemy import create_engine, func, make_url, select, text
from sqlalchemy.engine import Engine

from gridstation.common import migrations
from gridstation.domain.localtime import local_minute
from gridstation.server.db import MIGRATIONS_DIR
from gridstation.server.models import ServerAuditRow, ServerEventRow
from gridstation.server.settings import ServerSettings

Verdict = Literal["ok", "warn", "fail"]
MARKS = {"ok": "✓", "warn": "!", "fail": "✗"}
# No server of this release ran before this day: a clock showing an earlier one was reset (a flat CMOS battery).
RELEASED = datetime(2026, 1, 1, tzinfo=UTC)
MB = 1024 * 1024


@dataclass(frozen=True, slots=True)
class Check:
    name: str  # in Chinese, for the table
    verdict: Verdict
    reason: str

    def to_json(self) -> dict[str, str]:
        return {"name": self.name, "verdict": self.verdict, "reason": self.reason}


def run_checks(settings: ServerSettings, *, now: Callable[[], datetime] = lambda: datetime.now(UTC)) -> list[Check]:
    checks = [_data_dir_writable(settings.data_dir), _disk_space(settings.data_dir, settings.disk_warn_mb)]
    try:
        engine = create_engine(settings.database_url)
    except Exception as err:  # a malformed URL or a missing driver: the database check says so
        return [*checks, Check("数据库连接", "fail", f"数据库地址无法使用：{_short(err)}")]
    try:
        reachable = _database_reachable(engine, settings.database_url)
        checks.append(reachable)
        if reachable.verdict == "ok":
            checks.append(_migrations_at_head(engine))
            checks.append(_clock(engine, now()))
    finally:
        engine.dispose()
    return checks


def failed(checks: list[Check]) -> bool:
    return any(c.verdict == "fail" for c in checks)


def _data_dir_writable(data_dir: Path) -> Check:
    name = "数据目录可写"
    if not data_dir.is_dir():
        return Check(name, "fail", f"{data_dir} 不存在（gridstation-server init 会创建它）")
    try:
        with tempfile.NamedTemporaryFile(dir=data_dir, prefix=".check-", delete=True) as probe:
            probe.write(b"ok")
            probe.flush()
    except OSError as err:
        return Check(name, "fail", f"无法在 {data_dir} 写入文件：{err.strerror or err}")
    return Check(name, "ok", str(data_dir))


def _disk_space(data_dir: Path, warn_mb: int) -> Check:
    name = "磁盘剩余空间"
    probe = data_dir if data_dir.exists() else _existing_parent(data_dir)
    free_mb = shutil.disk_usage(probe).free // MB
    said = f"{_size(free_mb)} 可用（低于 {_size(warn_mb)} 时提醒）"
    if free_mb < max(1, warn_mb // 10):
        return Check(name, "fail", f"仅剩 {said}：照片和数据库将无法写入，请先清理或扩容")
    if free_mb < warn_mb:
        return Check(name, "warn", f"仅剩 {said}，请尽快清理或扩容")
    return Check(name, "ok", said)


def _database_reachable(engine: Engine, url: str) -> Check:
    name = "数据库连接"
    where = make_url(url).render_as_string(hide_password=True)
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite" and parsed.database and not Path(parsed.database).exists():
        # Connecting would create an empty file: say what is missing instead.
        return Check(name, "fail", f"{where}：数据库文件不存在（运行 gridstation-server migrate 创建）")
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except Exception as err:
        return Check(name, "fail", f"{where}：无法连接（{_short(err)}）")
    return Check(name, "ok", where)


def _migrations_at_head(engine: Engine) -> Check:
    name = "数据库结构版本"
    head = migrations.head_revision(MIGRATIONS_DIR)
    current = migrations.current_revision(engine)
    if current is None:
        return Check(name, "fail", "数据库尚未初始化（运行 gridstation-server migrate）")
    if current != head:
        return Check(name, "fail", f"数据库在 {current}，程序需要 {head}（运行 gridstation-server migrate 升级）")
    return Check(name, "ok", f"已是最新（{head}）")


def _clock(engine: Engine, now: datetime) -> Check:
    name = "系统时钟"
    with engine.connect() as connection:
        newest_event = connection.scalar(select(func.max(ServerEventRow.received_at)))
        newest_audit = connection.scalar(select(func.max(ServerAuditRow.at)))
    stored = [moment for moment in (newest_event, newest_audit) if moment is not None]
    newest = max(stored) if stored else None
    if now < RELEASED:
        return Check(name, "fail", f"系统时间 {_local(now)} 早于本版本发布日期 {RELEASED:%Y-%m-%d}，请校准时钟（NTP）")
    if newest is not None and now < newest:
        return Check(
            name,
            "fail",
            f"系统时间 {_local(now)} 早于服务器已记录的最新时间 {_local(newest)}，时钟被调慢，请校准（NTP）",
        )
    return Check(name, "ok", f"{_local(now)}，不早于已记录的最新时间")


def _local(moment: datetime) -> str:
    """As the centre's staff read times everywhere else: Beijing time, named (the clock itself keeps UTC)."""
    return f"{local_minute(moment)}（北京时间）"


def _size(mb: int) -> str:
    return f"{mb / 1024:.1f} GB" if mb >= 1024 else f"{mb} MB"


def _existing_parent(path: Path) -> Path:
    while not path.exists() and path.parent != path:
        path = path.parent
    return path


def _short(err: BaseException) -> str:
    text_of = str(getattr(err, "orig", None) or err).strip().splitlines()
    return (text_of[0] if text_of else type(err).__name__)[:200]


def table(checks: list[Check]) -> str:
    """The checks as a table a person reads in a terminal: mark, name, reason."""
    width = max(_display_width(c.name) for c in checks)
    lines = [f"   检查项{' ' * (width - 6)}  说明"]
    for c in checks:
        pad = " " * (width - _display_width(c.name))
        lines.append(f"{MARKS[c.verdict]}  {c.name}{pad}  {c.reason}")
    return "\n".join(lines)


def _display_width(text_: str) -> int:
    """Columns in a terminal: a Chinese character takes two."""
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text_)

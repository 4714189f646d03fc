"""`gridstation-server init | migrate | check`: setting up an installation and checking it (docs/deploy.md).

    init [--data-dir D] [--db URL] [--force]   write the config file with safe defaults, print the next steps
    migrate                                    bring the database to the newest schema (creating it if new)
    check [--json]                             database, migrations, disk, clock, data directory: ✓ / ! / ✗

The config file is the one `--config` or GRIDSTATION_SERVER_CONFIG names, else the default (`settings.py`).
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import make_url

from gridstation.common.files import PRIVATE_FILE_MODE, new_private_dir, write_private_file
from gridstation.common.migrations import current_revision
from gridstation.domain.errors import DomainError
from gridstation.server.checks import failed, run_checks, table
from gridstation.server.db import open_database
from gridstation.server.settings import CONFIG_ENV, ServerSettings, config_file_path, default_config_file

EXIT_CHECK_FAILED = 1
# Read by the service's account alone when it holds a secret; else anyone on the machine may read how it is set up.
SHARED_FILE_MODE = 0o644


def add_setup_commands(commands: argparse._SubParsersAction[Any], settings_of: Callable[..., ServerSettings]) -> None:
    init = commands.add_parser("init", help="生成服务器配置文件（安全的默认值），并列出接下来的步骤")
    # SUPPRESS: given before `init` (gridstation-server --db … init) they are not overwritten by an absent one here.
    init.add_argument("--data-dir", default=argparse.SUPPRESS, help="数据目录（照片、默认的 SQLite 数据库）")
    init.add_argument("--db", default=argparse.SUPPRESS, help="数据库地址（默认：数据目录下的 SQLite）")
    init.add_argument("--force", action="store_true", help="覆盖已有的配置文件")
    init.set_defaults(handler=lambda args: run_init(args))

    migrate = commands.add_parser("migrate", help="把数据库升级到最新结构（新数据库则创建）")
    migrate.set_defaults(handler=lambda args: run_migrate(settings_of(args)))

    check = commands.add_parser(
        "check",
        help="检查数据库、结构版本、磁盘空间、系统时钟和数据目录",
        epilog=f"退出码：0 全部通过（可有提醒）；{EXIT_CHECK_FAILED} 有检查未通过；2 使用错误。",
    )
    check.add_argument("--json", action="store_true", help="以 JSON 输出")
    check.set_defaults(handler=lambda args: run_check(settings_of(args), args.json))


def run_init(args: argparse.Namespace) -> int:
    path, _ = config_file_path(args.config)
    if path.exists() and not args.force:
        raise DomainError("init.exists", f"配置文件已存在：{path}。如确要覆盖，请加 --force。")
    defaults = ServerSettings.model_construct()  # the model's defaults, not this machine's environment
    data_dir = Path(getattr(args, "data_dir", None) or defaults.data_dir).expanduser().resolve()
    db = getattr(args, "db", None) or ""
    if db:
        _check_url(db)
    settings = ServerSettings.model_validate({**_defaults_of(defaults), "data_dir": data_dir, "db": db})
    new_private_dir(data_dir)
    text = config_text(settings)
    holds_secret = bool(make_url(settings.database_url).password) or bool(settings.metrics_token)
    new_private_dir(path.parent)  # a folder that exists keeps its permissions (/etc/gridstation-server)
    write_private_file(path, text.encode("utf-8"))
    path.chmod(PRIVATE_FILE_MODE if holds_secret else SHARED_FILE_MODE)
    print(f"已写入服务器配置文件：{path}" + ("（含数据库口令，仅本账号可读）" if holds_secret else ""))
    print(f"数据目录：{data_dir}")
    print(f"数据库：{make_url(settings.database_url).render_as_string(hide_password=True)}")
    print()
    print(next_steps(path, named=path != default_config_file()))
    return 0


def _defaults_of(settings: ServerSettings) -> dict[str, Any]:
    return {name: getattr(settings, name) for name in ServerSettings.model_fields}


def _check_url(url: str) -> None:
    try:
        parsed = make_url(url)
    except Exception as err:
        raise DomainError("init.db_url", f"数据库地址格式有误：{err}") from err
    if parsed.get_backend_name() not in ("sqlite", "postgresql"):
        raise DomainError("init.db_url", f"不支持的数据库：{parsed.get_backend_name()}（支持 SQLite 和 PostgreSQL）。")


def config_text(settings: ServerSettings) -> str:
    """The config file: every setting with a Chinese note on what it is and what is safe."""
    written = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    lines = [
        f"# GridStation 城运中心服务器配置（gridstation-server init 生成于 {written}）",
        "# 优先级：命令行参数 > 环境变量 GRIDSTATION_SERVER_<名称> > 本文件 > 默认值。",
        f"# 本文件不在默认位置时，用环境变量 {CONFIG_ENV} 或 --config 指向它。",
        "",
        "# 数据库地址；留空则用数据目录下的 SQLite（server.db）。",
        "# PostgreSQL 如：postgresql+psycopg://gridstation:口令@127.0.0.1/gridstation（含口令时本文件仅本账号可读）",
        f"db = {_toml(settings.db)}",
        "# 数据目录：照片、SQLite 数据库。",
        f"data_dir = {_toml(str(settings.data_dir))}",
        "# 监听地址：保持 127.0.0.1，对外由 nginx 等 TLS 反向代理转发（见 deploy/nginx）。",
        f"host = {_toml(settings.host)}",
        f"port = {settings.port}",
        "# 服务进程数（SQLite 请保持 1）。",
        f"workers = {settings.workers}",
        "# 已办结诉求的姓名、电话、门牌室号保存年限，期满每天自动匿名化。",
        f"retention_years = {settings.retention_years}",
        "# 督办巡查间隔（秒）；0 为不自动巡查。",
        f"supervise_seconds = {settings.supervise_seconds}",
        "# 请求日志格式：json（供日志系统采集）或 keyvalue（便于阅读）。",
        f"log_format = {_toml(settings.log_format)}",
        "# /metrics 的访问令牌；留空则只允许本机直接访问（不经反向代理）。",
        f"metrics_token = {_toml(settings.metrics_token)}",
        "# 数据目录所在磁盘剩余空间低于此值（MB）时 check 提醒。",
        f"disk_warn_mb = {settings.disk_warn_mb}",
        "",
    ]
    return "\n".join(lines)


def _toml(value: str) -> str:
    # A TOML basic string: JSON's escapes are TOML's (\" \\ \n \uXXXX), and Chinese stays readable.
    return json.dumps(value, ensure_ascii=False)


def next_steps(path: Path, *, named: bool) -> str:
    env = f"export {CONFIG_ENV}={path}\n     " if named else ""
    return "\n".join(
        [
            "接下来：",
            f"  1. 创建或升级数据库，再检查安装：\n     {env}gridstation-server migrate && gridstation-server check",
            "  2. 创建第一个城运中心账号（登录控制台 /console/）：",
            "     gridstation-server user add zhangwei --role centre --name 张伟",
            "  3. 登记工作站，把登记码或二维码交给工作站管理员：",
            "     gridstation-server station add JA01 枫林居委会民情快办工作站 --qr JA01.png \\",
            "         --server-url https://chengyun.example.gov.cn",
            "  4. 作为系统服务运行：deploy/gridstation-server.service（systemctl enable --now gridstation-server）",
            "  5. 对外只经 HTTPS：deploy/nginx/gridstation.conf（TLS 反向代理，/metrics 不对外）",
            "  6. 每日备份：gridstation-server backup --output /var/backups/gridstation/",
            "     （deploy/gridstation-backup.timer；恢复：gridstation-server restore 文件）",
            "详见 docs/deploy.md。",
        ]
    )


def run_migrate(settings: ServerSettings) -> int:
    database = open_database(settings.database_url, pool_size=1)  # migrates to the newest revision
    try:
        revision = current_revision(database.write_engine)
    finally:
        database.dispose()
    where = make_url(settings.database_url).render_as_string(hide_password=True)
    print(f"数据库已是最新结构（{revision}）：{where}")
    return 0


def run_check(settings: ServerSettings, as_json: bool) -> int:
    checks = run_checks(settings)
    bad = failed(checks)
    if as_json:
        print(json.dumps({"ok": not bad, "checks": [c.to_json() for c in checks]}, ensure_ascii=False, indent=2))
    else:
        print(table(checks))
        print()
        print("有检查未通过，请按说明处理。" if bad else "检查通过。")
    return EXIT_CHECK_FAILED if bad else 0

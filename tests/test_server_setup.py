"""`gridstation-server init`, `migrate` and `check` (issue 19): the config file, its precedence, and the checks."""

from __future__ import annotations

import json
import shutil
import stat
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from gridstation.domain.errors import DomainError
from gridstation.server.checks import RELEASED, run_checks
from gridstation.server.cli import main
from gridstation.server.db import open_database
from gridstation.server.service import ServerService
from gridstation.server.settings import CONFIG_ENV, ServerSettings
from tests.support.clock import FakeClock


@pytest.fixture
def config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Where this test's config file goes; no GRIDSTATION_SERVER_* variable of the machine running the tests."""
    path = tmp_path / "etc" / "server.toml"
    monkeypatch.setenv(CONFIG_ENV, str(path))
    for name in ("DB", "DATA_DIR", "PORT", "HOST", "LOG_FORMAT", "RETENTION_YEARS"):
        monkeypatch.delenv(f"GRIDSTATION_SERVER_{name}", raising=False)
    return path


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_init_writes_safe_defaults_and_the_next_steps(
    config: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(capsys, "init", "--data-dir", str(tmp_path / "data"))

    assert code == 0
    settings = ServerSettings.load()
    assert settings.host == "127.0.0.1" and settings.port == 8311 and settings.workers == 1
    assert settings.database_url == f"sqlite:///{tmp_path / 'data' / 'server.db'}"
    assert settings.retention_years == 3 and settings.log_format == "json" and settings.metrics_token == ""
    assert (tmp_path / "data").is_dir()
    assert stat.S_IMODE(config.stat().st_mode) == 0o644  # no secret in it
    for step in (
        "gridstation-server migrate",
        "gridstation-server check",
        "user add",
        "station add",
        "systemctl",
        "nginx",
        "gridstation-server backup",
        "docs/deploy.md",
    ):
        assert step in out, step
    assert f"export {CONFIG_ENV}={config}" in out


def test_init_refuses_to_overwrite_without_force(
    config: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run(capsys, "init", "--data-dir", str(tmp_path / "first"))
    code, _, err = run(capsys, "init", "--data-dir", str(tmp_path / "second"))
    assert code == 2 and "配置文件已存在" in err and "--force" in err
    assert ServerSettings.load().data_dir == tmp_path / "first"

    code, _, _ = run(capsys, "init", "--data-dir", str(tmp_path / "second"), "--force")
    assert code == 0 and ServerSettings.load().data_dir == tmp_path / "second"


def test_a_config_with_a_database_password_is_for_the_owner_alone(
    config: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = "postgresql+psycopg://gridstation:s3cret@127.0.0.1/gridstation"
    code, out, _ = run(capsys, "init", "--data-dir", str(tmp_path / "data"), "--db", url)
    assert code == 0
    assert stat.S_IMODE(config.stat().st_mode) == 0o600
    assert "s3cret" not in out and "***" in out
    assert ServerSettings.load().db == url


def test_flags_win_over_the_environment_which_wins_over_the_file(
    config: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config.parent.mkdir()
    config.write_text('port = 8400\nhost = "127.0.0.2"\nlog_format = "keyvalue"\n', encoding="utf-8")
    assert ServerSettings.load().port == 8400
    assert ServerSettings.load().log_format == "keyvalue"
    monkeypatch.setenv("GRIDSTATION_SERVER_PORT", "8500")
    assert ServerSettings.load().port == 8500
    assert ServerSettings.load(port=8600).port == 8600
    assert ServerSettings.load(port=8600).host == "127.0.0.2"  # what nothing overrides still comes from the file


def test_a_named_config_that_is_missing_or_wrong_is_a_chinese_error(config: Path) -> None:
    with pytest.raises(DomainError, match="找不到服务器配置文件") as missing:
        ServerSettings.load()
    assert missing.value.code == "server.config_missing"
    config.parent.mkdir()
    config.write_text("prot = 8400\n", encoding="utf-8")  # a typo is refused, not ignored
    with pytest.raises(DomainError, match="prot") as typo:
        ServerSettings.load()
    assert typo.value.code == "server.settings"
    config.write_text("port = \n", encoding="utf-8")
    with pytest.raises(DomainError, match="格式有误"):
        ServerSettings.load()


def test_other_commands_read_the_config_file(config: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    run(capsys, "init", "--data-dir", str(tmp_path / "data"))
    assert run(capsys, "station", "add", "JA01", "枫林居委会")[0] == 0
    assert (tmp_path / "data" / "server.db").exists()
    code, out, _ = run(capsys, "--config", str(config), "station", "list", "--json")
    assert code == 0 and json.loads(out)[0]["code"] == "JA01"


def test_check_fails_on_a_database_not_yet_created_and_passes_after_migrate(
    config: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run(capsys, "init", "--data-dir", str(tmp_path / "data"))
    code, out, _ = run(capsys, "check")
    assert code == 1
    assert "✗  数据库连接" in out and "gridstation-server migrate" in out
    assert not (tmp_path / "data" / "server.db").exists()  # a check creates nothing

    assert run(capsys, "migrate")[0] == 0
    code, out, _ = run(capsys, "check", "--json")
    report = json.loads(out)
    assert code == 0 and report["ok"] is True
    assert [c["name"] for c in report["checks"]] == [
        "数据目录可写",
        "磁盘剩余空间",
        "数据库连接",
        "数据库结构版本",
        "系统时钟",
    ]
    assert {c["verdict"] for c in report["checks"]} == {"ok"}


def test_check_names_a_database_behind_the_newest_migration(tmp_path: Path) -> None:
    settings = ServerSettings.load(config=_empty_config(tmp_path), data_dir=str(tmp_path))
    open_database(settings.database_url).dispose()
    engine = create_engine(settings.database_url)
    with engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = '0006'"))
    engine.dispose()

    verdicts = {c.name: c for c in run_checks(settings)}
    assert verdicts["数据库结构版本"].verdict == "fail"
    assert "0006" in verdicts["数据库结构版本"].reason


def test_check_fails_a_clock_behind_what_is_stored_or_before_the_release(tmp_path: Path) -> None:
    settings = ServerSettings.load(config=_empty_config(tmp_path), data_dir=str(tmp_path))
    stored_at = datetime(2026, 11, 23, 9, 30, tzinfo=UTC)
    database = open_database(settings.database_url)
    service = ServerService(database, clock=FakeClock(stored_at))
    service.add_station("JA01", "枫林居委会")  # audited at `stored_at`
    database.dispose()

    def clock_of(now: datetime) -> str:
        (found,) = [c for c in run_checks(settings, now=lambda: now) if c.name == "系统时钟"]
        return found.verdict

    assert clock_of(stored_at + timedelta(minutes=1)) == "ok"
    assert clock_of(stored_at - timedelta(days=1)) == "fail"
    assert clock_of(RELEASED - timedelta(days=1)) == "fail"


def test_check_warns_of_little_disk_and_fails_an_unusable_data_dir(tmp_path: Path) -> None:
    roomy = ServerSettings.load(config=_empty_config(tmp_path), data_dir=str(tmp_path), disk_warn_mb=10**9)
    (disk,) = [c for c in run_checks(roomy) if c.name == "磁盘剩余空间"]
    assert disk.verdict == "fail"  # under a tenth of a petabyte free: nothing on this machine has that much
    free_mb = shutil.disk_usage(tmp_path).free // (1024 * 1024)
    tight = ServerSettings.load(config=_empty_config(tmp_path), data_dir=str(tmp_path), disk_warn_mb=free_mb * 2)
    (disk,) = [c for c in run_checks(tight) if c.name == "磁盘剩余空间"]
    assert disk.verdict == "warn" and "请尽快清理或扩容" in disk.reason
    easy = ServerSettings.load(
        config=_empty_config(tmp_path), data_dir=str(tmp_path), disk_warn_mb=max(1, free_mb // 2)
    )
    assert [c.verdict for c in run_checks(easy) if c.name == "磁盘剩余空间"] == ["ok"]

    a_file = tmp_path / "not-a-folder"
    a_file.write_text("", encoding="utf-8")
    settings = ServerSettings.load(config=_empty_config(tmp_path), data_dir=str(a_file))
    (writable,) = [c for c in run_checks(settings) if c.name == "数据目录可写"]
    assert writable.verdict == "fail" and "不存在" in writable.reason


def _empty_config(tmp_path: Path) -> Path:
    path = tmp_path / "empty.toml"
    path.write_text("", encoding="utf-8")
    return path

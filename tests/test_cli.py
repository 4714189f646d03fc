"""The `gridstation` command: demo data, listing, backup and restore, imports, and clean user errors."""

from __future__ import annotations

import io
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import types
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from gridstation.cli import main as cli
from gridstation.cli.commands import desk
from gridstation.cli.context import DATA_DIR_ENV, PASSPHRASE_ENV, PIN_ENV, USER_ENV
from gridstation.domain.case import Intake
from gridstation.domain.enums import Channel, Tier
from gridstation.services.station import StationService
from tests.support.backups import BACKUP_PASSPHRASE
from tests.support.snapshots import snapshot

DEMO_CASES = 20
REPO = Path(__file__).resolve().parents[1]


ADMIN = ("--user", "王芳", "--pin", "246810")
# Reading cases needs a signed-in member of staff, as at the desk.
CLERK = ("--user", "李明", "--pin", "1357")

def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No test reads the developer's settings or writes to their real data directory."""
    for name in (DATA_DIR_ENV, USER_ENV, PIN_ENV):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg-data"))
    # Backups are sealed with a passphrase; scheduled tasks give it in the environment, as these tests do.
    monkeypatch.setenv(PASSPHRASE_ENV, BACKUP_PASSPHRASE)


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """One demo station built through the CLI, copied by each test that needs data."""
    data_dir = tmp_path_factory.mktemp("demo-template") / "data"
    stdout = io.StringIO()
    saved = sys.stdout
    sys.stdout = stdout
    try:
        code = cli.main(["--data-dir", str(data_dir), "demo", "--cases", str(DEMO_CASES)])
    finally:
        sys.stdout = saved
    assert code == 0
    return data_dir, stdout.getvalue()


@pytest.fixture
def demo_dir(demo_template: tuple[Path, str], tmp_path: Path) -> Path:
    target = tmp_path / "station"
    shutil.copytree(demo_template[0], target)
    return target


def stored(data_dir: Path) -> Any:
    """The station's cases, events and counters as stored: what must stay untouched (a listing would not do, its
    colours move on with the wall clock between two calls)."""
    service = StationService(data_dir)
    try:
        return snapshot(service)
    finally:
        service.close()


def list_json(capsys: pytest.CaptureFixture[str], data_dir: Path, *extra: str) -> list[dict[str, Any]]:
    code, out, err = run(capsys, "--data-dir", str(data_dir), "cases", "list", "--json", *CLERK, *extra)
    assert code == 0, err
    rows: list[dict[str, Any]] = json.loads(out)
    return rows


@pytest.fixture
def station(demo_dir: Path) -> Iterator[StationService]:
    service = StationService(demo_dir)
    yield service
    service.close()


# ---------------------------------------------------------------------- demo


def test_demo_prints_sign_in_accounts(demo_template: tuple[Path, str]) -> None:
    """A newcomer sees the station and the three demo accounts with their PINs."""
    _, out = demo_template
    assert "枫林居委会民情快办工作站" in out
    for name, pin in (("王芳", "246810"), ("李明", "1357"), ("赵建国", "8642")):
        assert name in out and pin in out
    assert f"共 {DEMO_CASES} 条诉求" in out


def test_demo_refuses_when_data_exists(capsys: pytest.CaptureFixture[str], demo_dir: Path) -> None:
    """A second `demo` leaves the existing station alone and says why in Chinese."""
    before = stored(demo_dir)
    code, _, err = run(capsys, "--data-dir", str(demo_dir), "demo", "--cases", "2")
    assert code == 2
    assert "已有工作站数据" in err and "--force" in err
    assert "Traceback" not in err
    assert stored(demo_dir) == before


def test_demo_force_moves_old_database_aside(capsys: pytest.CaptureFixture[str], demo_dir: Path) -> None:
    """--force renames the old database (never deletes it) and builds a fresh demo."""
    code, out, _ = run(capsys, "--data-dir", str(demo_dir), "demo", "--cases", "3", "--force")
    assert code == 0
    kept = list(demo_dir.glob("station-before-demo-*.db"))
    assert len(kept) == 1 and str(kept[0]) in out
    with sqlite3.connect(f"file:{kept[0]}?mode=ro", uri=True) as old:
        assert old.execute("SELECT count(*) FROM cases").fetchone() == (DEMO_CASES,)
    assert len(list_json(capsys, demo_dir)) == 3


# ---------------------------------------------------------------------- listing


def test_cases_list_json_has_cases_and_no_phone(capsys: pytest.CaptureFixture[str], demo_dir: Path) -> None:
    """The JSON list holds every case with the documented fields, and no phone numbers at all."""
    code, out, _ = run(capsys, "--data-dir", str(demo_dir), "cases", "list", "--json", *CLERK)
    assert code == 0
    rows = json.loads(out)
    assert len(rows) == DEMO_CASES
    expected = {"number", "registered_at", "status", "tier", "category_code", "compound", "description",
                "assignee", "sla_due_at"}
    for row in rows:
        assert expected <= row.keys()
        assert not any("phone" in key for key in row)
        assert row["number"].startswith("JA01-")
    assert "1380013" not in out and "021-6433" not in out


def test_cases_list_filters(capsys: pytest.CaptureFixture[str], demo_dir: Path) -> None:
    """--status (code or Chinese label), --open, --text and --limit narrow the list."""
    closed = list_json(capsys, demo_dir, "--status", "closed")
    assert closed and {r["status"] for r in closed} == {"closed"}
    assert list_json(capsys, demo_dir, "--status", "已办结") == closed
    open_rows = list_json(capsys, demo_dir, "--open")
    assert open_rows and not {r["status"] for r in open_rows} & {"closed", "followed_up"}
    assert len(list_json(capsys, demo_dir, "--limit", "2")) == 2
    word = closed[0]["compound"]
    assert all(word in r["description"] or word == r["compound"] for r in list_json(capsys, demo_dir, "--text", word))


def test_cases_list_table_is_chinese(capsys: pytest.CaptureFixture[str], demo_dir: Path) -> None:
    """The human listing has Chinese headings and a total."""
    code, out, _ = run(capsys, "--data-dir", str(demo_dir), "cases", "list", *CLERK)
    assert code == 0
    assert out.splitlines()[0].startswith("编号")
    assert f"共 {DEMO_CASES} 条" in out


def test_unknown_status_is_a_user_error(capsys: pytest.CaptureFixture[str], demo_dir: Path) -> None:
    """A status that does not exist is refused with the valid choices, exit 2."""
    code, _, err = run(capsys, "--data-dir", str(demo_dir), "cases", "list", "--status", "bogus")
    assert code == 2
    assert "不认识的状态" in err and "已登记" in err


def test_cases_show_has_timeline_and_masked_phone(capsys: pytest.CaptureFixture[str], demo_dir: Path) -> None:
    """`cases show` gives the whole timeline, oldest first; a phone number only appears masked."""
    number = list_json(capsys, demo_dir, "--status", "followed_up")[0]["number"]
    code, out, _ = run(capsys, "--data-dir", str(demo_dir), "cases", "show", number, "--json", *CLERK)
    assert code == 0
    case = json.loads(out)
    assert case["number"] == number
    types_ = [e["type"] for e in case["timeline"]]
    assert types_[0] == "case.registered" and "case.follow_up" in types_
    assert case["timeline"] == sorted(case["timeline"], key=lambda e: e["at"])
    assert "phone" not in case
    if case["phone_masked"]:
        assert "*" in case["phone_masked"]
    code, out, _ = run(capsys, "--data-dir", str(demo_dir), "cases", "show", number, *CLERK)
    assert code == 0
    assert "办理记录" in out and number in out


def test_show_unknown_number(capsys: pytest.CaptureFixture[str], demo_dir: Path) -> None:
    """An unknown case number is a Chinese error, exit 2."""
    code, _, err = run(capsys, "--data-dir", str(demo_dir), "cases", "show", "JA01-20000101-0001-X", *CLERK)
    assert code == 2 and "找不到" in err


# ---------------------------------------------------------------------- data directory


def test_data_dir_from_environment(
    capsys: pytest.CaptureFixture[str], demo_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """GRIDSTATION_DATA_DIR picks the station; --data-dir (before or after the subcommand) overrides it."""
    monkeypatch.setenv(DATA_DIR_ENV, str(demo_dir))
    code, out, _ = run(capsys, "cases", "list", "--json", *CLERK)
    assert code == 0 and len(json.loads(out)) == DEMO_CASES
    monkeypatch.setenv(DATA_DIR_ENV, str(demo_dir.parent / "elsewhere"))
    code, out, _ = run(capsys, "cases", "list", "--json", "--data-dir", str(demo_dir), *CLERK)
    assert code == 0 and len(json.loads(out)) == DEMO_CASES


def test_missing_station_is_refused_without_creating_one(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """Listing an empty data directory explains what to do and leaves no database behind."""
    empty = tmp_path / "empty"
    code, _, err = run(capsys, "--data-dir", str(empty), "cases", "list")
    assert code == 2
    assert "还没有工作站" in err and "gridstation demo" in err
    assert not (empty / "station.db").exists()


# ---------------------------------------------------------------------- backup and restore


def _register_one(data_dir: Path) -> None:
    service = StationService(data_dir)
    try:
        clerk = service.sign_in("李明", "1357")
        service.register_case(clerk, Intake.validated(
            channel=Channel.WALK_IN, category_code="FACIL.LAMP", tier=Tier.QUICK,
            description="康乐小区3号楼门口路灯不亮", phone="13800138000"))
    finally:
        service.close()


def test_backup_then_restore_round_trip(capsys: pytest.CaptureFixture[str], demo_dir: Path, tmp_path: Path) -> None:
    """A backup restores the station as it was, and the replaced data is kept as a safety copy."""
    backup = tmp_path / "backups" / "jiaxing.gsbackup"
    code, out, _ = run(capsys, "--data-dir", str(demo_dir), "backup", str(backup), *CLERK)
    assert code == 0 and str(backup) in out and backup.is_file()
    before = stored(demo_dir)

    _register_one(demo_dir)
    assert len(list_json(capsys, demo_dir)) == DEMO_CASES + 1

    code, out, _ = run(capsys, "--data-dir", str(demo_dir), "restore", str(backup), "--yes", *ADMIN)
    assert code == 0
    cases, events, counters = stored(demo_dir)
    assert (cases, events) == before[:2]
    today = max(counters)
    assert counters[today] > before[2].get(today, 0)  # the number issued since is never issued again
    safety = next(line.split("：", 1)[1] for line in out.splitlines() if line.startswith("恢复前的数据已另存为"))
    assert Path(safety).is_file()


def test_restore_needs_an_admin(capsys: pytest.CaptureFixture[str], demo_dir: Path, tmp_path: Path) -> None:
    """Restore replaces every case: without credentials, or as a clerk, it is refused and nothing changes."""
    backup = tmp_path / "b.gsbackup"
    assert run(capsys, "--data-dir", str(demo_dir), "backup", str(backup), *CLERK)[0] == 0
    _register_one(demo_dir)
    code, _, err = run(capsys, "--data-dir", str(demo_dir), "restore", str(backup), "--yes")
    assert code == 2 and "--user" in err
    code, _, err = run(capsys, "--data-dir", str(demo_dir), "restore", str(backup), "--yes",
                       "--user", "李明", "--pin", "1357")
    assert code == 2 and "无权" in err
    assert len(list_json(capsys, demo_dir)) == DEMO_CASES + 1


def test_backup_into_a_new_folder(capsys: pytest.CaptureFixture[str], demo_dir: Path, tmp_path: Path) -> None:
    """A path ending in / is a folder: it is created and the backup gets a dated name inside it."""
    folder = tmp_path / "usb" / "gridstation"
    code, out, _ = run(capsys, "--data-dir", str(demo_dir), "backup", f"{folder}/", *CLERK)
    assert code == 0
    [made] = folder.glob("gridstation-*.gsbackup")
    assert str(made) in out


def test_restore_asks_for_confirmation(
    capsys: pytest.CaptureFixture[str], demo_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without --yes, restore goes ahead only on an explicit yes; no answer (no stdin) cancels."""
    backup = tmp_path / "b.gsbackup"
    assert run(capsys, "--data-dir", str(demo_dir), "backup", str(backup), *CLERK)[0] == 0
    _register_one(demo_dir)
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))
    code, out, _ = run(capsys, "--data-dir", str(demo_dir), "restore", str(backup), *ADMIN)
    assert code == 1 and "已取消" in out
    assert len(list_json(capsys, demo_dir)) == DEMO_CASES + 1
    monkeypatch.setattr(sys, "stdin", io.StringIO("y\n"))
    code, _, _ = run(capsys, "--data-dir", str(demo_dir), "restore", str(backup), *ADMIN)
    assert code == 0
    assert len(list_json(capsys, demo_dir)) == DEMO_CASES


def test_restore_rejects_a_file_that_is_not_a_backup(
    capsys: pytest.CaptureFixture[str], demo_dir: Path, tmp_path: Path
) -> None:
    """Restoring a non-database file is a Chinese error with exit 2, and the station is untouched."""
    bogus = tmp_path / "notes.db"
    bogus.write_text("这不是数据库", encoding="utf-8")
    before = stored(demo_dir)
    code, _, err = run(capsys, "--data-dir", str(demo_dir), "restore", str(bogus), "--yes", *ADMIN)
    assert code == 2
    assert "不是有效的 GridStation 备份" in err
    assert "Traceback" not in err
    assert stored(demo_dir) == before
    assert not (demo_dir / "backups").exists()


# ---------------------------------------------------------------------- import and staff


def test_import_checks_permission(
    capsys: pytest.CaptureFixture[str], demo_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Imports need a signed-in admin or grid chief; a GB18030 file from Excel is read correctly."""
    csv_file = tmp_path / "compounds.csv"
    csv_file.write_bytes("name,grid_code\n乌鲁木齐路小区,G03\n".encode("gb18030"))
    args = ["--data-dir", str(demo_dir), "import", "compounds", str(csv_file)]

    code, _, err = run(capsys, *args)
    assert code == 2 and "--user" in err
    code, _, err = run(capsys, *args, "--user", "李明", "--pin", "1357")
    assert code == 2 and "无权" in err
    code, _, err = run(capsys, *args, "--user", "赵建国", "--pin", "0000")
    assert code == 2 and "PIN 不正确" in err

    monkeypatch.setenv(PIN_ENV, "246810")
    code, out, _ = run(capsys, *args, "--user", "王芳")
    assert code == 0 and "已导入小区 1 条" in out
    service = StationService(demo_dir)
    try:
        assert "乌鲁木齐路小区" in {c.name for c in service.compounds()}
    finally:
        service.close()


def test_import_missing_file(capsys: pytest.CaptureFixture[str], demo_dir: Path, tmp_path: Path) -> None:
    """A CSV that is not there is a Chinese error, not a traceback."""
    code, _, err = run(capsys, "--data-dir", str(demo_dir), "import", "grids", str(tmp_path / "nope.csv"),
                       "--user", "王芳", "--pin", "246810")
    assert code == 2 and "找不到文件" in err


def test_staff_add_needs_an_admin(capsys: pytest.CaptureFixture[str], demo_dir: Path) -> None:
    """An admin adds a clerk who can then sign in; a generated PIN is shown once."""
    base = ["--data-dir", str(demo_dir), "staff", "add"]
    code, _, err = run(capsys, *base, "孙丽", "--role", "clerk", "--user", "李明", "--pin", "1357")
    assert code == 2 and "无权" in err
    code, out, _ = run(capsys, *base, "孙丽", "--role", "clerk", "--user", "王芳", "--pin", "246810",
                       "--new-pin", "9753")
    assert code == 0 and "孙丽" in out and "9753" not in out
    code, out, _ = run(capsys, *base, "周强", "--role", "grid_chief", "--user", "王芳", "--pin", "246810")
    assert code == 0
    generated = out.split("初始 PIN：", 1)[1][:6]
    service = StationService(demo_dir)
    try:
        assert service.sign_in("孙丽", "9753").name == "孙丽"
        assert service.sign_in("周强", generated).name == "周强"
    finally:
        service.close()


# ---------------------------------------------------------------------- the desk and the process


def test_desktop_gets_data_dir_and_language(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No subcommand starts the desk; --demo-if-empty fills an empty data directory first."""
    calls: list[tuple[Path, str]] = []
    fake = types.ModuleType("gridstation.ui.app")

    def run_desktop(data_dir: Path, lang: str) -> int:
        calls.append((data_dir, lang))
        return 0

    fake.run_desktop = run_desktop  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "gridstation.ui.app", fake)
    monkeypatch.setattr(desk, "DEMO_CASES", 3)
    data_dir = tmp_path / "fresh"

    code, out, _ = run(capsys, "--data-dir", str(data_dir), "--lang", "en")
    assert code == 0 and calls == [(data_dir, "en")]
    assert not (data_dir / "station.db").exists()

    code, out, _ = run(capsys, "--data-dir", str(data_dir), "--demo-if-empty")
    assert code == 0 and calls[-1] == (data_dir, "zh_CN")
    assert "王芳" in out and "246810" in out
    assert len(list_json(capsys, data_dir)) == 3

    code, out, _ = run(capsys, "--data-dir", str(data_dir), "--demo-if-empty")
    assert code == 0 and "演示" not in out


def test_desktop_without_display_explains(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """On Linux with no display, starting the desk says so in Chinese instead of letting Qt abort."""
    monkeypatch.setattr(sys, "platform", "linux")
    for name in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM"):
        monkeypatch.delenv(name, raising=False)
    code, _, err = run(capsys, "--data-dir", str(tmp_path / "d"))
    assert code == 1 and "DISPLAY" in err and "xvfb-run" in err


def test_real_process(demo_dir: Path, tmp_path: Path) -> None:
    """`python -m gridstation` lists cases as JSON and turns a bad restore into exit 2 without a traceback."""
    env = {**os.environ, DATA_DIR_ENV: str(demo_dir), "PYTHONPATH": str(REPO), "GRIDSTATION_USER": "王芳",
           "GRIDSTATION_PIN": "246810"}
    listing = subprocess.run([sys.executable, "-m", "gridstation", "cases", "list", "--json"],
                             env=env, capture_output=True, text=True, encoding="utf-8", timeout=60, check=False)
    assert listing.returncode == 0, listing.stderr
    assert len(json.loads(listing.stdout)) == DEMO_CASES

    bogus = tmp_path / "bogus.db"
    bogus.write_bytes(b"\x00" * 100)
    restore = subprocess.run([sys.executable, "-m", "gridstation.cli.main", "restore", str(bogus), "--yes"],
                             env=env, capture_output=True, text=True, encoding="utf-8", timeout=60, check=False)
    assert restore.returncode == 2
    assert "不是有效的 GridStation 备份" in restore.stderr
    assert "Traceback" not in restore.stderr

    script = Path(sys.executable).with_name("gridstation")
    if script.exists():
        helped = subprocess.run([str(script), "--help"], env=env, capture_output=True, text=True,
                                encoding="utf-8", timeout=60, check=False)
        assert helped.returncode == 0 and "民情快办" in helped.stdout


def test_settings_show_and_set(capsys: pytest.CaptureFixture[str], demo_dir: Path, tmp_path: Path) -> None:
    """An admin changes the deadline policy from a JSON file; a clerk may not; a broken file changes nothing."""
    code, out, _ = run(capsys, "--data-dir", str(demo_dir), "settings", "show")
    current = json.loads(out)
    assert code == 0 and current["deadlines"]["by_tier"]["quick"]["on_site"] == 60
    current["deadlines"]["by_category"] = {"BUILD.SHED": {"*": {"dispose": 1440}}}
    policy = tmp_path / "policy.json"
    policy.write_text(json.dumps(current["deadlines"], ensure_ascii=False), encoding="utf-8")
    code, _, err = run(capsys, "--data-dir", str(demo_dir), "settings", "set", "deadlines", str(policy),
                       "--user", "李明", "--pin", "1357")
    assert code == 2 and "无权" in err
    broken = tmp_path / "broken.json"
    broken.write_text('{"by_tier": {"quick": {"on_site": "一小时"}}}', encoding="utf-8")
    code, _, err = run(capsys, "--data-dir", str(demo_dir), "settings", "set", "deadlines", str(broken), *ADMIN)
    assert code == 2 and "不正确" in err
    code, out, _ = run(capsys, "--data-dir", str(demo_dir), "settings", "set", "deadlines", str(policy), *ADMIN)
    assert code == 0 and "重新计算" in out
    code, out, _ = run(capsys, "--data-dir", str(demo_dir), "settings", "show")
    assert json.loads(out)["deadlines"]["by_category"]["BUILD.SHED"]["*"]["dispose"] == 1440
    colours = tmp_path / "colours.json"
    colours.write_text('{"blue_from": 0.9, "yellow_from": 0.8, "orange_from": 0.95}', encoding="utf-8")
    code, _, err = run(capsys, "--data-dir", str(demo_dir), "settings", "set", "colours", str(colours), *ADMIN)
    assert code == 2 and "不正确" in err

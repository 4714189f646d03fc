"""`gridstation --smoke-exit`, the installation check packaging runs on the built program: the first window paints,
is named on standard output and closes; with a name and PIN it signs in and reaches the main window; a wrong PIN
fails the check. Run here in-process, through the same command line."""

from __future__ import annotations

from pathlib import Path

import pytest

from gridstation.cli.main import main as desk_cli
from gridstation.services.station import StationService
from tests.support.clock import FakeClock

pytestmark = pytest.mark.gui
ADMIN, PIN = "王芳", "246810"


@pytest.fixture
def station(tmp_path: Path, clock: FakeClock) -> Path:
    folder = tmp_path / "station"
    service = StationService(folder, now=clock)
    service.initialise(code="JA01", name="枫林居委会民情快办工作站", admin_name=ADMIN, admin_pin=PIN)
    service.close()
    return folder


def test_an_empty_folder_shows_the_first_start_dialog_and_quits(
    qapp: object, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("GRIDSTATION_USER", raising=False)
    assert desk_cli(["--data-dir", str(tmp_path / "empty"), "--smoke-exit"]) == 0
    assert "窗口已显示：首次使用：建立工作站" in capsys.readouterr().out


def test_with_a_name_and_pin_it_signs_in_and_reaches_the_main_window(
    qapp: object, station: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GRIDSTATION_USER", ADMIN)
    monkeypatch.setenv("GRIDSTATION_PIN", PIN)
    assert desk_cli(["--data-dir", str(station), "--smoke-exit"]) == 0
    shown = capsys.readouterr().out.splitlines()
    assert shown == [
        "窗口已显示：登录 GridStation",
        "窗口已显示：GridStation 民情快办工作站 — 枫林居委会民情快办工作站",
    ]


def test_a_wrong_pin_fails_the_check_in_words(
    qapp: object, station: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GRIDSTATION_USER", ADMIN)
    monkeypatch.setenv("GRIDSTATION_PIN", "000000")
    assert desk_cli(["--data-dir", str(station), "--smoke-exit"]) == 1
    captured = capsys.readouterr()
    assert "窗口已显示：GridStation 民情快办工作站" not in captured.out
    assert "安装检查失败：" in captured.err and "PIN" in captured.err


def test_without_the_option_nothing_closes_by_itself(qapp: object) -> None:
    from gridstation.cli.parser import build_parser

    assert build_parser().parse_args([]).smoke_exit is False

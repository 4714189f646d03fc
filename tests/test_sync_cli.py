"""`gridstation sync` against a real `gridstation-server serve` process on 127.0.0.1."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from gridstation.cli import main as cli
from gridstation.domain.enums import EventType
from gridstation.services.station import StationService
from gridstation.sync.report import EXIT_ATTENTION, EXIT_FAILED, EXIT_OK, EXIT_REFUSED
from tests.support.complaints import complaint
from tests.support.live_server import LiveServer
from tests.support.staff import ADMIN_NAME, ADMIN_PIN


@pytest.fixture
def live(tmp_path: Path) -> Iterator[LiveServer]:
    server = LiveServer(f"sqlite:///{tmp_path / 'centre.db'}", tmp_path / "centre")
    server.start()
    yield server
    server.kill()


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def enrolled(live: LiveServer, service: StationService, data_dir: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    enrolment = live.admin("station", "add", "JA01", "枫林居委会民情快办工作站").strip().splitlines()[-1]
    service.close()  # the CLI opens the station itself, as a scheduled task would
    code, out, err = run(
        capsys,
        "sync",
        "enrol",
        live.url,
        enrolment,
        "--data-dir",
        str(data_dir),
        "--user",
        ADMIN_NAME,
        "--pin",
        ADMIN_PIN,
    )
    assert code == 0, err
    assert "已登记" in out and "JA01" in out
    return data_dir


def test_headless_sync_prints_json_and_exit_code(
    enrolled: Path, live: LiveServer, capsys: pytest.CaptureFixture[str]
) -> None:
    with_station(enrolled, cases=3)

    code, out, _ = run(capsys, "sync", "--json", "--data-dir", str(enrolled))

    summary = json.loads(out)
    assert code == EXIT_OK and summary["exit_code"] == EXIT_OK
    assert summary["ok"] is True and summary["pushed"] == 6 and summary["receipt"]["matches"] is True

    code, out, _ = run(capsys, "sync", "status", "--json", "--data-dir", str(enrolled))
    status = json.loads(out)
    assert status["unsent"] == 0 and status["last_success_at"] and status["enrolled"] is True


def test_headless_sync_in_words(enrolled: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with_station(enrolled, cases=1)
    code, out, _ = run(capsys, "sync", "--data-dir", str(enrolled))
    assert code == EXIT_OK
    assert "同步完成，数据一致" in out and "上传本站事件 2 条" in out and "一致 ✓" in out


def test_a_server_that_is_down_is_exit_1_and_nothing_is_lost(
    enrolled: Path, live: LiveServer, capsys: pytest.CaptureFixture[str]
) -> None:
    with_station(enrolled, cases=2)
    live.kill()

    code, out, _ = run(capsys, "sync", "--json", "--attempts", "1", "--data-dir", str(enrolled))

    summary = json.loads(out)
    assert code == EXIT_FAILED and summary["error_code"] == "sync.offline"
    assert "无法连接" in summary["error"]
    live.start()
    code, out, _ = run(capsys, "sync", "--json", "--data-dir", str(enrolled))
    assert code == EXIT_OK and json.loads(out)["pushed"] == 4


def test_a_revoked_station_is_exit_3(enrolled: Path, live: LiveServer, capsys: pytest.CaptureFixture[str]) -> None:
    live.admin("station", "revoke", "JA01")
    code, out, _ = run(capsys, "sync", "--data-dir", str(enrolled))
    assert code == EXIT_REFUSED and "停用" in out


def test_an_unenrolled_station_is_exit_3(service: StationService, data_dir: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    service.close()
    code, out, _ = run(capsys, "sync", "--data-dir", str(data_dir))
    assert code == EXIT_REFUSED and "尚未登记" in out


def test_a_receipt_that_does_not_match_is_exit_4(
    enrolled: Path, live: LiveServer, capsys: pytest.CaptureFixture[str]
) -> None:
    with_station(enrolled, cases=1)
    station = StationService(enrolled)
    try:
        with station.transaction() as session:
            from sqlalchemy import update

            from gridstation.storage.models import EventRow

            session.execute(update(EventRow).values(acknowledged_at=EventRow.occurred_at, sync_outcome="applied"))
    finally:
        station.close()
    code, out, _ = run(capsys, "sync", "--data-dir", str(enrolled))
    assert code == EXIT_ATTENTION
    assert "服务器缺少：第 1–2 号" in out


def with_station(data_dir: Path, *, cases: int) -> None:
    station = StationService(data_dir)
    try:
        clerk = station.sign_in(ADMIN_NAME, ADMIN_PIN)
        for index in range(cases):
            case = station.register_case(clerk, complaint(index))
            station.record(clerk, case.id, EventType.FIRST_CONTACT, {"note": "已电话联系居民"})
    finally:
        station.close()


def test_two_headless_syncs_started_at_once_both_end_correct(enrolled: Path, live: LiveServer) -> None:
    with_station(enrolled, cases=4)
    command = [sys.executable, "-m", "gridstation", "sync", "--json", "--data-dir", str(enrolled)]
    first = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    second = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    results = [json.loads(process.communicate(timeout=120)[0]) for process in (first, second)]

    assert [r["exit_code"] for r in results] == [EXIT_OK, EXIT_OK]
    assert sorted(r["pushed"] for r in results) == [0, 8]  # the second waited for the first, then had nothing
    station = StationService(enrolled)
    try:
        assert station.integrity_ok()
    finally:
        station.close()
    code = subprocess.run(command, capture_output=True, text=True, check=False)
    assert json.loads(code.stdout)["receipt"]["matches"] is True

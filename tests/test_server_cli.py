"""`gridstation-server`: the admin commands, and the real server process on loopback."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from gridstation.domain.enums import EventType
from gridstation.protocol import PullResponse, PushResponse, parse_enrolment
from gridstation.server.cli import main
from tests.support.clock import FakeClock
from tests.support.live_server import LiveServer
from tests.support.server import ModelStation


def run(capsys: pytest.CaptureFixture[str], url: str, *args: str) -> tuple[int, str, str]:
    code = main(["--db", url, *args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_station_add_with_the_server_url_prints_the_text_the_desk_accepts_pasted(
    capsys: pytest.CaptureFixture[str], server_db_url: str
) -> None:
    """The QR code's text, printed too: pasted into the desk's set-up guide it fills in the server and the code."""
    code, out, _ = run(
        capsys, server_db_url, "station", "add", "JA01", "枫林居委会", "--server-url", "https://cyzx.example.gov.cn"
    )
    assert code == 0
    lines = out.strip().splitlines()
    assert parse_enrolment(lines[-1]) == ("https://cyzx.example.gov.cn", lines[-3])


def test_station_commands(capsys: pytest.CaptureFixture[str], server_db_url: str) -> None:
    code, out, _ = run(capsys, server_db_url, "station", "add", "ja01", "枫林居委会民情快办工作站")
    assert code == 0
    enrolment = out.strip().splitlines()[-1]
    assert len(enrolment) == 19 and enrolment.count("-") == 3
    code, _, err = run(capsys, server_db_url, "station", "add", "JA01", "重复")
    assert code == 2 and "已存在" in err
    code, out, _ = run(capsys, server_db_url, "station", "list", "--json")
    assert [(s["code"], s["state"]) for s in json.loads(out)] == [("JA01", "pending")]
    assert run(capsys, server_db_url, "station", "revoke", "JA01")[0] == 0
    code, out, _ = run(capsys, server_db_url, "station", "list")
    assert "已停用" in out
    code, _, err = run(capsys, server_db_url, "station", "revoke", "ZZ99")
    assert code == 2 and "找不到工作站 ZZ99" in err


def test_workorder_commands(capsys: pytest.CaptureFixture[str], server_db_url: str, tmp_path: Path) -> None:
    run(capsys, server_db_url, "station", "add", "JA01", "枫林居委会")
    code, out, err = run(
        capsys,
        server_db_url,
        "workorder",
        "add",
        "--ticket",
        "12345-20261123-0001",
        "--station",
        "JA01",
        "--category",
        "GREEN.LIGHT",
        "--description",
        "来电反映：枫林苑 3 号楼前香樟树遮挡采光，请修剪。",
        "--due-hours",
        "24",
    )
    assert code == 0, err
    export = tmp_path / "12345导出.csv"
    export.write_text(
        "工单编号,来源,派单时间,承办工作站,诉求分类,诉求内容,小区,地址,联系人,联系电话,处理时限（小时）,紧急\n"
        "12345-20261123-0001,12345,2026-11-23 09:00,JA01,GREEN.LIGHT,香樟树遮挡采光,枫林苑,3号楼,,,24,否\n"
        "12345-20261123-0002,12345,2026-11-23 09:30,JA01,NOISE.TRAFFIC,隧道口车辆夜间鸣笛扰民,,嘉善路隧道口,,,48,是\n",
        encoding="gb18030",
    )
    code, out, err = run(capsys, server_db_url, "workorder", "import", str(export))
    assert code == 0, err
    assert "导入 1 张工单；1 张已导入过" in out
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "工单编号,承办工作站,诉求分类,诉求内容,处理时限（小时）\n"
        "12345-20261123-0003,JA01,GREEN.LIGHT,,24\n"
        "12345-20261123-0004,JA01,GREEN.LIGHT,楼道堆放易燃物,很快\n",
        encoding="utf-8",
    )
    code, _, err = run(capsys, server_db_url, "workorder", "import", str(bad))
    assert code == 2
    assert "第 2 行" in err and "第 3 行" in err and "未导入任何工单" in err
    code, out, _ = run(capsys, server_db_url, "station", "list", "--json")
    assert json.loads(out)[0]["feed_head"] == 2  # the bad file added nothing


def test_department_and_api_key_commands(capsys: pytest.CaptureFixture[str], server_db_url: str) -> None:
    run(capsys, server_db_url, "station", "add", "JA01", "枫林居委会")
    code, out, _ = run(capsys, server_db_url, "department", "add", "green", "区绿化市容局")
    assert code == 0 and out.strip().splitlines()[-1].startswith("gsd_")
    code, out, _ = run(capsys, server_db_url, "apikey", "add", "码上就来", "--station", "JA01")
    assert code == 0 and out.strip().splitlines()[-1].startswith("o311_")
    code, _, _ = run(capsys, server_db_url, "apikey", "add", "x", "--station", "NOPE")
    assert code == 2


@pytest.fixture
def live_server(server_db_url: str, tmp_path: Path) -> Iterator[tuple[str, str]]:
    server = LiveServer(server_db_url, tmp_path)
    enrolment = server.admin("station", "add", "JA01", "枫林居委会").strip().splitlines()[-1]
    server.start()
    try:
        yield server.url, enrolment
    finally:
        server.stop()


def test_real_server_process_on_loopback(live_server: tuple[str, str]) -> None:
    url, enrolment = live_server
    assert not os.environ.get("http_proxy")
    with httpx.Client(base_url=url, timeout=10) as client:
        credential = client.post("/api/v1/enrol", json={"code": enrolment}).json()["credential"]
        headers = {"Authorization": f"Bearer {credential}"}
        station = ModelStation("JA01", FakeClock())
        case_id = station.register()
        station.record(case_id, EventType.FIRST_CONTACT, note="已电话联系")
        pushed = PushResponse.model_validate(
            client.post("/api/v1/sync/push", json=station.batch(), headers=headers).json()
        )
        assert pushed.acknowledged_seq == 2
        page = PullResponse.model_validate(client.get("/api/v1/sync/pull", headers=headers).json())
        assert [item.event.id for item in page.items] == [e.id for e in station.events]
        assert client.get(f"/status/{station.local_states[case_id].number}").status_code == 200
        assert client.post("/api/v1/sync/push", content=b"{", headers=headers).status_code == 422

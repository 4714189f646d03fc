"""Every time a person reads is local time: the server's command line shows Beijing time even on a machine that runs
in UTC, as the desk shows the station's own time (issue 14, item 5)."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from gridstation.domain.localtime import BEIJING, local_minute
from gridstation.server.cli import main

SYNCED = datetime(2026, 11, 23, 1, 30, tzinfo=UTC)  # 09:30 in Beijing
STORED = "2026-11-23 01:30:00.000000"  # how the server's database keeps that moment (UTC)


@pytest.fixture
def utc_machine(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The server's machine runs in UTC, as containers do."""
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


@pytest.fixture
def server_file(tmp_path: Path) -> tuple[str, Path]:
    path = tmp_path / "server.db"
    return f"sqlite:///{path}", path


def run(capsys: pytest.CaptureFixture[str], url: str, *args: str) -> str:
    code = main(["--db", url, *args])
    out, err = capsys.readouterr()
    assert code == 0, err
    return out


def test_local_minute_is_beijing_time_by_default() -> None:
    assert local_minute(SYNCED) == "2026-11-23 09:30"
    assert local_minute(None, "从未同步") == "从未同步"
    assert local_minute(SYNCED, zone=ZoneInfo("Asia/Urumqi")) == "2026-11-23 07:30"
    assert BEIJING.key == "Asia/Shanghai"


@pytest.mark.usefixtures("utc_machine")
def test_station_list_shows_the_last_sync_in_beijing_time(capsys: pytest.CaptureFixture[str],
                                                          server_file: tuple[str, Path]) -> None:
    url, path = server_file
    run(capsys, url, "station", "add", "JA01", "枫林居委会")
    with sqlite3.connect(path) as db:
        db.execute("UPDATE stations SET last_seen_at = ? WHERE code = 'JA01'", (STORED,))
    listed = run(capsys, url, "station", "list")
    assert "最近同步 2026-11-23 09:30" in listed and "01:30" not in listed
    # JSON stays machine-readable: ISO 8601 with its offset.
    assert '"last_seen_at": "2026-11-23T01:30:00+00:00"' in run(capsys, url, "station", "list", "--json")


@pytest.mark.usefixtures("utc_machine")
def test_credential_lists_show_the_last_use_in_beijing_time(capsys: pytest.CaptureFixture[str],
                                                            server_file: tuple[str, Path]) -> None:
    url, path = server_file
    run(capsys, url, "station", "add", "JA01", "枫林居委会")
    run(capsys, url, "department", "add", "green", "区绿化市容局")
    run(capsys, url, "apikey", "add", "码上就来", "--station", "JA01")
    with sqlite3.connect(path) as db:
        db.execute("UPDATE departments SET last_used_at = ?", (STORED,))
        db.execute("UPDATE api_keys SET last_used_at = ?", (STORED,))
    assert "最近使用 2026-11-23 09:30" in run(capsys, url, "department", "list")
    assert "最近使用 2026-11-23 09:30" in run(capsys, url, "apikey", "list")

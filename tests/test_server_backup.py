"""`gridstation-server backup` / `restore` (issue 19), on SQLite and PostgreSQL alike.

The proof a backup is worth keeping: a server restored from it serves the same cases through its API (photos
included), and a station that went on working after the backup loses nothing. Its events the restored server no
longer holds go up again at its next sync, even when it has nothing new to push (the desk learns of the restore
from its reset feed and asks the receipt which numbers the server still holds: `gridstation/sync/recovery.py`).
"""

from __future__ import annotations

import io
import json
import re
import tarfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from gridstation.domain.console_roles import ConsoleRole
from gridstation.domain.enums import EventType
from gridstation.domain.errors import DomainError
from gridstation.server.app import create_app
from gridstation.server.backup import make_backup, restore_backup
from gridstation.server.backup_archive import MANIFEST, read_manifest
from gridstation.server.cli import main
from gridstation.server.db import open_database
from gridstation.server.service import ServerService
from gridstation.server.settings import ServerSettings
from gridstation.services.staff import StaffMember
from gridstation.services.station import StationService
from gridstation.storage.settings import SettingKey, setting
from tests.support.clock import FakeClock
from tests.support.complaints import complaint
from tests.support.console import PASSWORD
from tests.support.photos import photo_bytes
from tests.support.server import auth
from tests.support.sync import CENTRE_URL, Centre, Desk, FaultyTransport, make_desk


@dataclass
class Site:
    """A centre on a database that can be stopped, restored and started again, and an enrolled desk."""

    settings: ServerSettings
    centre: Centre
    desk: Desk
    photo_cases: list[str] = field(default_factory=list)

    def start(self) -> None:
        database = open_database(self.settings.database_url)
        service = ServerService(database, clock=self.centre.clock)
        client = TestClient(create_app(service, self.settings.data_dir), raise_server_exceptions=False)
        self.centre.service, self.centre.client = service, client
        self.centre.transport = FaultyTransport(client._transport)

    def stop(self) -> None:
        if self.desk is not None:
            # The desk keeps its HTTP client from sync to sync (issue 18); here that client is bound to this app
            # instance, which a real server's restart would not be: let it connect afresh to the next one.
            self.desk.sync.close()
        self.centre.client.close()
        self.centre.service.database.dispose()

    def api_cases(self) -> dict[str, Any]:
        """Every case as the centre's API serves it: the list and each case's detail, by number."""
        client = self.centre.client
        answer = client.post("/api/v1/login", json={"username": "zhangwei", "password": PASSWORD})
        headers = auth(answer.json()["token"])
        page = client.get("/api/v1/cases", headers=headers, params={"limit": 200}).json()
        details = {
            item["number"]: client.get(f"/api/v1/cases/{item['number']}", headers=headers).json()
            for item in page["items"]
        }
        return {"total": page["total"], "details": details, "photos": self.station_photos()}

    def station_photos(self) -> dict[str, bytes]:
        """The desk's photos as the server hands them back to the station, by hash."""
        with self.desk.station.reading() as session:
            credential = str(setting(session, SettingKey.CREDENTIAL, ""))
        hashes = [p.sha256 for case_id in self.photo_cases for p in self.desk.station.photos(case_id)]
        answers = {
            sha: self.centre.client.get(f"/api/v1/attachments/{sha}/content", headers=auth(credential))
            for sha in hashes
        }
        return {sha: answer.content for sha, answer in answers.items() if answer.status_code == 200}


@pytest.fixture
def site(
    server_db_url: str,
    tmp_path: Path,
    clock: FakeClock,
    service: StationService,
    admin: StaffMember,
    clerk: StaffMember,
) -> Iterator[Site]:
    config = tmp_path / "server.toml"
    config.write_text("", encoding="utf-8")
    settings = ServerSettings.load(config=config, db=server_db_url, data_dir=str(tmp_path / "centre-data"))
    centre = Centre(None, None, None, clock)  # type: ignore[arg-type]
    made = Site(settings, centre, None)  # type: ignore[arg-type]
    made.start()
    centre.service.add_user("zhangwei", ConsoleRole.CENTRE, PASSWORD)
    made.desk = make_desk(centre, service, admin, clerk)
    made.desk.sync.enrol(admin, CENTRE_URL, centre.enrolment_code("JA01"))
    yield made
    made.stop()


def register(desk: Desk, index: int) -> str:
    case = desk.station.register_case(desk.clerk, complaint(index))
    desk.station.record(desk.clerk, case.id, EventType.FIRST_CONTACT, {"note": "已电话联系居民"})
    return case.id


def test_a_restored_server_serves_the_same_cases_and_the_station_sends_what_it_lost(site: Site, tmp_path: Path) -> None:
    desk = site.desk
    first = register(desk, 0)
    register(desk, 1)
    desk.station.attach_photo(desk.clerk, first, photo_bytes(), "香樟树遮挡采光.jpg")
    site.photo_cases.append(first)
    assert desk.sync.run().ok
    before = site.api_cases()
    assert before["total"] == 2 and list(before["photos"].values()) == [photo_bytes()]

    backup = make_backup(site.settings, tmp_path / "backups")
    assert backup.manifest.counts == {"stations": 1, "cases": 2, "events": 5, "attachments": 1}

    lost = register(desk, 2)  # after the backup: the restored server will not have it
    assert desk.sync.run().ok
    assert site.api_cases()["total"] == 3

    site.stop()
    with pytest.raises(DomainError) as refused:
        restore_backup(site.settings, backup.path)
    assert refused.value.code == "restore.not_empty"
    restored = restore_backup(site.settings, backup.path, force=True)
    assert restored.photos == 1 and restored.stations_reset == 1
    assert restored.replaced_backup is not None and read_manifest(restored.replaced_backup).counts["cases"] == 3
    site.start()

    assert site.api_cases() == before  # the same cases, the same details, the same photo

    summary = desk.sync.run()  # nothing new at the desk: it must find out by itself what the server lost

    assert summary.ok, summary.error
    assert summary.resets == 1 and summary.resent == 2
    assert desk.sync.status().unsent == 0
    after = site.api_cases()
    assert after["total"] == 3
    assert desk.station.case(lost).number in after["details"]
    held = set(site.centre.service.events_held())
    local = {(event_id, digest) for event_id, seq, digest in desk.held_events() if seq is not None}
    assert local <= held and len(held) == len({event_id for event_id, _ in held})


def test_new_work_after_the_restore_goes_up_with_what_was_lost(site: Site, tmp_path: Path) -> None:
    desk = site.desk
    register(desk, 0)
    assert desk.sync.run().ok
    backup = make_backup(site.settings, tmp_path / "backups")
    register(desk, 1)
    assert desk.sync.run().ok
    site.stop()
    restore_backup(site.settings, backup.path, force=True)
    site.start()
    register(desk, 2)

    summary = desk.sync.run()

    assert summary.ok, summary.error
    assert summary.outcomes == {"applied": 4}  # the lost case's two events and the new case's two
    assert site.api_cases()["total"] == 3


def test_a_damaged_archive_changes_nothing(site: Site, tmp_path: Path) -> None:
    register(site.desk, 0)
    assert site.desk.sync.run().ok
    backup = make_backup(site.settings, tmp_path / "backups")
    damaged = tmp_path / "damaged.tar"
    with tarfile.open(backup.path) as source, tarfile.open(damaged, "w") as target:
        for member in source:
            data = source.extractfile(member).read()  # type: ignore[union-attr]
            if member.name.startswith("database/"):
                data = data[:-1] + bytes([data[-1] ^ 0xFF])
            target.addfile(member, io.BytesIO(data))
    register(site.desk, 1)
    assert site.desk.sync.run().ok
    site.stop()

    with pytest.raises(DomainError) as refused:
        restore_backup(site.settings, damaged, force=True)

    assert refused.value.code == "backup.checksum" and "未做任何恢复" in refused.value.message_zh
    site.start()
    assert site.api_cases()["total"] == 2  # still the server as it was


def test_an_archive_with_a_path_outside_the_data_dir_is_refused(tmp_path: Path) -> None:
    archive = tmp_path / "evil.tar"
    evil = "../../etc/cron.d/evil"
    manifest = json.dumps(
        {
            "format": "gridstation-server-backup",
            "format_version": 1,
            "program_version": "0.1.0",
            "created_at": "2026-11-23T01:30:00+00:00",
            "database": {"backend": "sqlite", "schema_revision": "0008"},
            "counts": {},
            "files": {evil: {"sha256": "0" * 64, "size": 17}, "database/server.db": {"sha256": "0" * 64, "size": 0}},
        }
    ).encode()
    with tarfile.open(archive, "w") as target:
        for name, data in ((MANIFEST, manifest), (evil, b"* * * * * root sh")):
            info = tarfile.TarInfo(name)
            info.size = len(data)
            target.addfile(info, io.BytesIO(data))
    settings = ServerSettings.load(config=_empty(tmp_path), data_dir=str(tmp_path / "data"))
    with pytest.raises(DomainError, match=re.escape(f"不应出现的项目 {evil!r}")):
        restore_backup(settings, archive)
    assert not (tmp_path / "data").exists()


def test_backup_keeps_the_newest_n_and_the_commands_speak_chinese(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GRIDSTATION_SERVER_CONFIG", str(_empty(tmp_path)))
    base = ["--data-dir", str(tmp_path / "data")]
    assert main([*base, "station", "add", "JA01", "枫林居委会"]) == 0
    folder = tmp_path / "backups"
    folder.mkdir()
    for stamp in ("20261120-023000", "20261121-023000", "20261122-023000"):
        (folder / f"gridstation-server-{stamp}.tar").write_bytes(b"older")
    (folder / "notes.txt").write_text("不是备份", encoding="utf-8")
    capsys.readouterr()

    assert main([*base, "backup", "--output", str(folder), "--keep", "2"]) == 0

    out, err = capsys.readouterr()
    kept = sorted(p.name for p in folder.iterdir())
    assert len(kept) == 3 and "notes.txt" in kept and "gridstation-server-20261122-023000.tar" in kept
    assert "备份完成" in out and "工作站 1" in out and "已删除较早的备份：gridstation-server-20261120-023000.tar" in out
    assert "数据库：100%" in err
    (made,) = [name for name in kept if name not in ("notes.txt", "gridstation-server-20261122-023000.tar")]
    assert (folder / made).stat().st_mode & 0o077 == 0  # every resident's data: the owner's alone

    assert main([*base, "restore", str(folder / made)]) == 2
    assert "已有数据" in capsys.readouterr().err
    assert main([*base, "restore", str(folder / made), "--force"]) == 0
    out, err = capsys.readouterr()
    assert "已让 1 个工作站下次同步时重新完整拉取" in out and "核对备份文件" in err


def _empty(tmp_path: Path) -> Path:
    path = tmp_path / "empty.toml"
    path.write_text("", encoding="utf-8")
    return path


def test_the_live_server_answers_after_a_restore(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Through the real command line and a real server process: back up, restore into a fresh data dir, serve."""
    from tests.support.live_server import LiveServer

    monkeypatch.setenv("GRIDSTATION_SERVER_CONFIG", str(_empty(tmp_path)))
    live = LiveServer(f"sqlite:///{tmp_path / 'first' / 'server.db'}", tmp_path / "first")
    live.admin("station", "add", "JA01", "枫林居委会")
    live.admin("backup", "--output", str(tmp_path / "backup.tar"))
    second = LiveServer(f"sqlite:///{tmp_path / 'second' / 'server.db'}", tmp_path / "second")
    second.admin("restore", str(tmp_path / "backup.tar"))
    second.start()
    try:
        listed = json.loads(second.admin("station", "list", "--json"))
        assert [s["code"] for s in listed] == ["JA01"] and listed[0]["epoch"] == 2
        assert httpx.get(f"{second.url}/healthz", timeout=10).status_code == 200
    finally:
        second.stop()

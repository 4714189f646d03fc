"""The desk's photos reach the server by sync (issue 15): through the existing resumable upload, after the events
that name them, resuming after a cut, nothing lost, counted in the summary. A real server process on 127.0.0.1
(`gridstation-server serve`, SQLite); an in-process centre for the refusals."""

from __future__ import annotations

import hashlib
import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest
from sqlalchemy import select

from gridstation.domain.enums import EventType
from gridstation.protocol import MAX_ATTACHMENT_CHUNK
from gridstation.server.db import open_database
from gridstation.server.models import AttachmentCaseRow, AttachmentRow, ServerEventRow
from gridstation.server.service import ServerService
from gridstation.services.staff import StaffMember
from gridstation.services.station import StationService
from gridstation.storage.settings import SettingKey, setting
from gridstation.sync import engine
from gridstation.sync.engine import SyncService
from gridstation.sync.errors import SyncError
from gridstation.sync.report import EXIT_ATTENTION, as_text, exit_code
from gridstation.sync.retry import RetryPolicy
from gridstation.sync.transport import ServerTransport
from tests.support.clock import FakeClock
from tests.support.complaints import complaint
from tests.support.live_server import LiveServer
from tests.support.photos import noisy_png, photo_bytes
from tests.support.staff import ADMIN_NAME, ADMIN_PIN
from tests.support.sync import Centre, Desk, Fault

PATIENT = RetryPolicy(attempts=6, first_delay=0.01, max_delay=0.05)
ONCE = RetryPolicy(attempts=1, first_delay=0.01, max_delay=0.05)


class CuttingTransport(ServerTransport):
    """The real HTTP client; notes every chunk it sends, and the line goes dead after `cut_after` chunks."""

    def __init__(self, url: str, credential: str, chunks: list[int], cut_after: int | None) -> None:
        super().__init__(url, credential)
        self.chunks = chunks
        self.cut_after = cut_after

    def upload_chunk(self, sha256: str, offset: int, data: bytes) -> Any:
        if self.cut_after is not None and len(self.chunks) >= self.cut_after:
            raise SyncError("sync.offline", "无法连接城运中心服务器（线路中断），稍后将自动重试。", retryable=True)
        self.chunks.append(offset)
        return super().upload_chunk(sha256, offset, data)


@dataclass
class LiveDesk:
    station: StationService
    clerk: StaffMember
    code: str
    live: LiveServer
    centre: ServerService

    def sync(
        self, chunks: list[int] | None = None, cut_after: int | None = None, retry: RetryPolicy = PATIENT
    ) -> SyncService:
        sent = chunks if chunks is not None else []
        return SyncService(
            self.station,
            transport_factory=lambda url, credential: CuttingTransport(url, credential, sent, cut_after),
            retry=retry,
            sleep=lambda _seconds: None,
            rng=random.Random(15),
        )

    def credential(self) -> str:
        with self.station.reading() as session:
            return str(setting(session, SettingKey.CREDENTIAL, ""))

    def server_photo(self, sha256: str) -> tuple[AttachmentRow | None, list[str]]:
        """The server's record of this station's upload and the cases it is linked to."""
        with self.centre.reading() as session:
            row = session.get(AttachmentRow, {"station_code": self.code, "sha256": sha256})
            if row is not None:
                session.expunge(row)
            cases = list(
                session.scalars(
                    select(AttachmentCaseRow.case_id).where(
                        AttachmentCaseRow.station_code == self.code, AttachmentCaseRow.sha256 == sha256
                    )
                )
            )
        return row, cases


@pytest.fixture(scope="module")
def centre_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    return f"sqlite:///{tmp_path_factory.mktemp('centre') / 'centre.db'}"


@pytest.fixture(scope="module")
def live(centre_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    server = LiveServer(centre_url, tmp_path_factory.mktemp("centre-data"))
    server.start()
    yield server
    server.kill()
    assert "Traceback" not in server.log.read_text(encoding="utf-8", errors="replace")


@pytest.fixture(scope="module")
def live_centre(centre_url: str, live: LiveServer) -> Iterator[ServerService]:
    database = open_database(centre_url)
    yield ServerService(database)
    database.dispose()


CODES = iter(f"PH{n:02d}" for n in range(1, 100))


@pytest.fixture
def live_desk(live: LiveServer, live_centre: ServerService, tmp_path: Path, clock: FakeClock) -> Iterator[LiveDesk]:
    code = next(CODES)
    station = StationService(tmp_path / "station", now=clock)
    station.initialise(code=code, name="枫林居委会民情快办工作站", admin_name=ADMIN_NAME, admin_pin=ADMIN_PIN)
    try:
        admin = station.sign_in(ADMIN_NAME, ADMIN_PIN)
        made = LiveDesk(station, admin, code, live, live_centre)
        made.sync().enrol(admin, live.url, live_centre.add_station(code, "枫林居委会民情快办工作站"))
        yield made
    finally:
        station.close()


def test_a_photo_added_at_the_desk_is_on_the_server_after_sync_for_that_station_and_case(live_desk: LiveDesk) -> None:
    desk = live_desk
    case = desk.station.register_case(desk.clerk, complaint())
    data = photo_bytes("JPEG", (800, 600))
    photo = desk.station.attach_photo(desk.clerk, case.id, data, "井盖破损.jpg")
    assert desk.station.pending_photo_count() == 1

    summary = desk.sync().run()

    assert summary.ok, (summary.error_code, summary.error)
    assert summary.photos_uploaded == 1 and summary.photos_waiting == 0 and summary.photos_refused == []
    assert "上传照片 1 张" in as_text(summary, ZoneInfo("Asia/Shanghai"))
    row, cases = desk.server_photo(photo.sha256)
    assert row is not None and row.complete and row.size == len(data) and row.media_type == "image/jpeg"
    assert row.filename == "井盖破损.jpg"
    assert cases == [case.id]
    # The station reads its own photo back; the event naming it reached the server with the case's other events.
    headers = {"Authorization": f"Bearer {desk.credential()}"}
    content = httpx.get(f"{desk.live.url}/api/v1/attachments/{photo.sha256}/content", headers=headers)
    assert content.status_code == 200 and content.content == data
    with desk.centre.reading() as session:
        types = set(session.scalars(select(ServerEventRow.type).where(ServerEventRow.case_id == case.id)))
    assert str(EventType.PHOTO_ATTACHED) in types
    assert desk.station.photos(case.id)[0].uploaded

    again = desk.sync().run()  # nothing more to send
    assert again.ok and again.photos_uploaded == 0 and again.photos_waiting == 0


def test_an_upload_cut_off_in_the_middle_resumes_where_the_server_stopped(live_desk: LiveDesk) -> None:
    desk = live_desk
    case = desk.station.register_case(desk.clerk, complaint())
    data = noisy_png(3.5)
    chunks_needed = -(-len(data) // MAX_ATTACHMENT_CHUNK)
    assert chunks_needed >= 4
    photo = desk.station.attach_photo(desk.clerk, case.id, data, "现场.png")

    first: list[int] = []
    cut = desk.sync(first, cut_after=2, retry=ONCE).run()

    assert not cut.ok and cut.error_code == "sync.offline"
    assert cut.photos_uploaded == 0 and cut.photos_waiting == 1
    row, _ = desk.server_photo(photo.sha256)
    assert row is not None and not row.complete and row.received == 2 * MAX_ATTACHMENT_CHUNK

    second: list[int] = []
    resumed = desk.sync(second).run()

    assert resumed.ok, (resumed.error_code, resumed.error)
    assert resumed.photos_uploaded == 1 and resumed.photos_waiting == 0
    # Only what the server did not have was sent again.
    assert second == [offset * MAX_ATTACHMENT_CHUNK for offset in range(2, chunks_needed)]
    row, _ = desk.server_photo(photo.sha256)
    assert row is not None and row.complete and row.received == len(data)
    stored = desk.live.log.parent / "attachments" / photo.sha256[:2] / photo.sha256
    assert hashlib.sha256(stored.read_bytes()).hexdigest() == photo.sha256


# --- the in-process centre: photos that wait, photos refused -----------------------------------------------


def test_a_photo_waits_while_its_case_is_not_on_the_server(desk: Desk, monkeypatch: pytest.MonkeyPatch) -> None:
    """Its case's events did not go up (refused, or the push was cut): the photo waits for a later sync."""
    case = desk.station.register_case(desk.clerk, complaint())
    desk.station.attach_photo(desk.clerk, case.id, photo_bytes(), "a.jpg")
    with monkeypatch.context() as patched:
        patched.setattr(engine.SyncService, "_push_all", lambda *args, **kwargs: None)
        waiting = desk.sync.run(check_receipt=False)
    assert waiting.ok and waiting.photos_uploaded == 0 and waiting.photos_waiting == 1

    done = desk.sync.run()
    assert done.ok and done.photos_uploaded == 1 and done.photos_waiting == 0


def test_a_photo_the_server_will_not_take_is_set_aside_with_its_reason(desk: Desk, centre: Centre) -> None:
    """Another station's case (here: the server says so) is final: not offered on every sync again."""
    case = desk.station.register_case(desk.clerk, complaint())
    desk.station.attach_photo(desk.clerk, case.id, photo_bytes(), "井盖.jpg")
    refusal = answer_json(403, "scope.foreign_case", "该诉求不属于本工作站，不能上传照片。")
    centre.transport.add("/api/v1/attachments", refusal)

    summary = desk.sync.run()

    assert summary.photos_uploaded == 0 and summary.photos_waiting == 0
    assert len(summary.photos_refused) == 1
    assert case.number in summary.photos_refused[0] and "不属于本工作站" in summary.photos_refused[0]
    photo = desk.station.photos(case.id)[0]
    assert not photo.uploaded and "不属于本工作站" in photo.refused
    assert exit_code(summary) == EXIT_ATTENTION
    assert "未被接收" in as_text(summary, ZoneInfo("Asia/Shanghai"))
    assert desk.sync.run().photos_refused == []  # set aside: not offered again


def answer_json(status: int, code: str, message: str) -> Fault:
    def fault(request: httpx.Request, forward: Callable[[httpx.Request], httpx.Response]) -> httpx.Response:
        return httpx.Response(status, json={"error": {"code": code, "message": message, "detail": {}}})

    return fault

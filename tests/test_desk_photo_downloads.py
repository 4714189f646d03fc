"""Issue 15, photos both ways: a department's result photo added at the console comes down to the desk by sync —
its event with the pull, its bytes after everything else — and is kept like a photo added at the desk (checked by
its hash, a thumbnail beside it). What the server cannot give yet, or gives damaged, waits for the next sync with
its reason beside the photo; a line that goes down stops the run and loses nothing."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from zoneinfo import ZoneInfo

import httpx
import pytest

from gridstation.domain.console_roles import ConsoleRole
from gridstation.server.case_photos import CasePhotos, checked_photo
from gridstation.server.dispatch_views import DispatchRequest
from gridstation.server.visibility import Principal
from gridstation.sync.report import as_text
from tests.support.complaints import complaint
from tests.support.photos import photo_bytes
from tests.support.sync import Centre, Desk, Fault, refuse_connection

CENTRE = Principal("u-centre", "centre", ConsoleRole.CENTRE)
WATER = Principal("u-water", "water", ConsoleRole.DEPARTMENT, department="WATER")
PHOTO = photo_bytes("JPEG", colour="#2a6")
PHOTO_SHA = hashlib.sha256(PHOTO).hexdigest()


def result_photo_at_the_console(desk: Desk, centre: Centre, data: bytes = PHOTO) -> str:
    """The desk's case, synced, dispatched to WATER; WATER answers with a photo of the new cover. Its case id."""
    case = desk.station.register_case(desk.clerk, complaint())
    assert desk.sync.run().ok
    centre.service.add_department("WATER", "区水务局")
    centre.service.dispatch_case(CENTRE, case.number, DispatchRequest(lead="WATER", idempotency_key="dispatch-0001"))
    photos = CasePhotos(centre.client.app.state.attachments)  # type: ignore[attr-defined]
    photos.add(WATER, case.number, data, "新井盖.jpg")
    payload = checked_photo(data, "新井盖.jpg").payload()
    centre.service.attach_result_photo(WATER, case.number, payload, "result-photo-0001")
    return case.id


def test_a_result_photo_added_at_the_console_comes_down_whole_with_a_thumbnail(desk: Desk, centre: Centre) -> None:
    case_id = result_photo_at_the_console(desk, centre)

    summary = desk.sync.run()

    assert summary.ok and summary.photos_downloaded == 1 and summary.photos_to_download == 0
    [photo] = desk.station.photos(case_id)
    assert photo.came_down and not photo.to_download and photo.filename == "新井盖.jpg"
    assert photo.path is not None and photo.path.read_bytes() == PHOTO
    assert desk.station.thumbnail(PHOTO_SHA) is not None
    assert "下载照片 1 张" in as_text(summary, ZoneInfo("Asia/Shanghai"))
    again = desk.sync.run()
    assert again.ok and again.photos_downloaded == 0 and again.photos_uploaded == 0  # nothing twice, nor back up


def answer_bytes(data: bytes) -> Fault:
    def fault(request: httpx.Request, forward: Callable[[httpx.Request], httpx.Response]) -> httpx.Response:
        return httpx.Response(200, content=data, headers={"Content-Type": "image/jpeg"})

    return fault


def answer_not_found(request: httpx.Request, forward: Callable[[httpx.Request], httpx.Response]) -> httpx.Response:
    body = {"error": {"code": "attachment.unknown", "message": "找不到该照片。", "detail": {}}}
    return httpx.Response(404, json=body)


@pytest.mark.parametrize(
    ("fault", "reason"),
    [
        (answer_bytes(photo_bytes("JPEG", colour="#a00")), "校验值不符"),  # damaged on the way
        (answer_not_found, "暂时没有这张照片"),  # another device's upload still under way
    ],
    ids=["damaged", "not-there-yet"],
)
def test_a_photo_the_server_cannot_give_now_waits_with_its_reason(
    desk: Desk, centre: Centre, fault: Fault, reason: str
) -> None:
    case_id = result_photo_at_the_console(desk, centre)
    centre.transport.add(f"/api/v1/attachments/{PHOTO_SHA}/content", fault)

    waiting = desk.sync.run()

    assert waiting.ok and waiting.photos_downloaded == 0 and waiting.photos_to_download == 1
    assert len(waiting.photo_downloads_failed) == 1 and reason in waiting.photo_downloads_failed[0]
    [photo] = desk.station.photos(case_id)
    assert photo.path is None and photo.to_download and reason in photo.download_failed
    assert not desk.station.photo_file(PHOTO_SHA).exists()  # nothing damaged is kept

    fetched = desk.sync.run()
    assert fetched.photos_downloaded == 1 and fetched.photos_to_download == 0
    [photo] = desk.station.photos(case_id)
    assert photo.path is not None and photo.path.read_bytes() == PHOTO and photo.download_failed == ""


def test_a_line_that_goes_down_mid_download_loses_nothing(desk: Desk, centre: Centre) -> None:
    case_id = result_photo_at_the_console(desk, centre)
    centre.transport.add(f"/api/v1/attachments/{PHOTO_SHA}/content", refuse_connection, times=100)

    cut = desk.sync.run()

    assert not cut.ok and cut.error_code == "sync.offline"
    assert cut.photos_to_download == 1 and desk.station.photos(case_id)[0].to_download
    centre.transport.faults.clear()
    done = desk.sync.run()
    assert done.ok and done.photos_downloaded == 1
    assert desk.station.photos(case_id)[0].path is not None

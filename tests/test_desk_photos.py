"""Photos at the desk (issue 15): adding one to a case, checked by its bytes, stored for the owner alone,
recorded in the case's log and queued; uploaded by sync through the resumable upload; shown as thumbnails."""

from __future__ import annotations

import stat
import sys
from pathlib import Path

import pytest
from PIL import Image
from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QColor, QDragEnterEvent, QDropEvent, QGuiApplication, QImage
from PySide6.QtWidgets import QApplication, QFileDialog, QWidget
from pytestqt.qtbot import QtBot

from gridstation.domain.enums import EventType, Tier
from gridstation.domain.errors import ValidationError
from gridstation.domain.photos import MAX_PHOTO_BYTES, sniff_media_type
from gridstation.domain.timeline import describe_event
from gridstation.services.staff import StaffMember
from gridstation.services.station import StationService
from gridstation.ui.case_detail import CaseDetailPanel
from gridstation.ui.main_window import MainWindow
from gridstation.ui.photos import PhotoViewer
from tests.support.complaints import complaint, walk_in
from tests.support.photos import photo_bytes
from tests.support.staff import CLERK_NAME, CLERK_PIN

POSIX = pytest.mark.skipif(sys.platform == "win32", reason="file modes are POSIX; Windows uses an ACL")


@pytest.fixture
def case_id(service: StationService, clerk: StaffMember) -> str:
    return service.register_case(clerk, complaint()).id


# --- the rule: a photo is what its bytes are ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        (photo_bytes("JPEG")[:16], "image/jpeg"),
        (photo_bytes("PNG")[:16], "image/png"),
        (photo_bytes("WEBP")[:16], "image/webp"),
        (b"%PDF-1.7\n", "application/pdf"),
        (b"GIF89a\x01\x00", None),
        (b"<html><script>", None),
        (b"", None),
    ],
)
def test_sniffing_reads_the_magic_bytes(head: bytes, expected: str | None) -> None:
    assert sniff_media_type(head) == expected


def test_a_file_named_jpg_that_is_not_a_photo_is_refused(
    service: StationService, clerk: StaffMember, case_id: str, tmp_path: Path
) -> None:
    fake = tmp_path / "现场照片.jpg"
    fake.write_bytes(b"%PDF-1.7\n" + b"x" * 100)
    with pytest.raises(ValidationError) as refused:
        service.attach_photo(clerk, case_id, fake)
    assert refused.value.code == "photo.type"
    assert "现场照片.jpg" in refused.value.message_zh and "PDF" in refused.value.message_zh
    assert service.photos(case_id) == []
    assert service.pending_photo_count() == 0


def test_a_damaged_photo_is_refused(service: StationService, clerk: StaffMember, case_id: str) -> None:
    """Right magic bytes, nothing behind them: no thumbnail can be made, so no photo is kept."""
    with pytest.raises(ValidationError) as refused:
        service.attach_photo(clerk, case_id, b"\xff\xd8\xff\xe0" + b"\x00" * 64, "坏图.jpg")
    assert refused.value.code == "photo.damaged"
    assert "坏图.jpg" in refused.value.message_zh


def test_a_photo_over_the_size_limit_is_refused_with_its_size(
    service: StationService, clerk: StaffMember, case_id: str, tmp_path: Path
) -> None:
    big = tmp_path / "大图.jpg"
    with big.open("wb") as handle:
        handle.write(photo_bytes())
        handle.truncate(MAX_PHOTO_BYTES + 1)
    with pytest.raises(ValidationError) as refused:
        service.attach_photo(clerk, case_id, big)
    assert refused.value.code == "photo.too_large"
    assert "大图.jpg" in refused.value.message_zh and "10 MB" in refused.value.message_zh


# --- adding a photo -----------------------------------------------------------------------------------------


@POSIX
def test_attaching_stores_the_photo_privately_records_an_event_and_queues_it(
    service: StationService, clerk: StaffMember, case_id: str, tmp_path: Path
) -> None:
    source = tmp_path / "folder" / "井盖.png"
    source.parent.mkdir()
    source.write_bytes(photo_bytes("PNG"))
    photo = service.attach_photo(clerk, case_id, source)

    assert photo.media_type == "image/png" and photo.filename == "井盖.png" and photo.size == source.stat().st_size
    assert photo.path is not None and photo.path.read_bytes() == source.read_bytes()
    assert stat.S_IMODE(photo.path.stat().st_mode) == 0o600
    assert stat.S_IMODE(photo.path.parent.stat().st_mode) == 0o700
    thumbnail = service.thumbnail(photo.sha256)
    assert thumbnail is not None and stat.S_IMODE(thumbnail.stat().st_mode) == 0o600
    with Image.open(thumbnail) as small:
        assert max(small.size) <= 240

    event = service.timeline(case_id)[-1]
    assert event.type is EventType.PHOTO_ATTACHED
    assert event.payload == {
        "sha256": photo.sha256,
        "size": photo.size,
        "media_type": "image/png",
        "filename": "井盖.png",  # the name alone: the folder may name the clerk's account
    }
    assert event.actor_name == clerk.name
    assert "井盖.png" in describe_event(event)
    assert service.pending_photo_count() == 1
    assert [p.sha256 for p in service.photos(case_id)] == [photo.sha256]


def test_the_same_photo_twice_is_added_once(service: StationService, clerk: StaffMember, case_id: str) -> None:
    """A double click on 添加, or the same photo dropped again: one event, one upload."""
    data = photo_bytes()
    first = service.attach_photo(clerk, case_id, data, "a.jpg")
    second = service.attach_photo(clerk, case_id, data, "a.jpg")
    assert first.event_id == second.event_id
    assert [e.type for e in service.timeline(case_id)].count(EventType.PHOTO_ATTACHED) == 1
    assert service.pending_photo_count() == 1


def test_a_photo_can_be_added_to_a_closed_case(service: StationService, clerk: StaffMember) -> None:
    """A resident brings a photo after the answer: still part of the case's record."""
    closed = service.register_case(clerk, walk_in(tier=Tier.ON_THE_SPOT))
    service.attach_photo(clerk, closed.id, photo_bytes("WEBP"), "补充.webp")
    assert service.photos(closed.id)[0].media_type == "image/webp"


def test_a_lost_thumbnail_is_made_again(service: StationService, clerk: StaffMember, case_id: str) -> None:
    photo = service.attach_photo(clerk, case_id, photo_bytes(size=(1200, 900)), "a.jpg")
    thumbnail = service.thumbnail(photo.sha256)
    assert thumbnail is not None
    thumbnail.unlink()
    again = service.thumbnail(photo.sha256)
    assert again is not None and again.exists()


# --- at the desk: the detail pane ---------------------------------------------------------------------------

SHOTS = Path(__file__).resolve().parents[1] / "shots"


@pytest.fixture
def open_case(qtbot: QtBot, window: MainWindow, service: StationService, clerk: StaffMember) -> CaseDetailPanel:
    case = service.register_case(clerk, complaint())
    window.cases.reload_and_select(case.id)
    detail = window.detail
    qtbot.waitUntil(lambda: detail.state is not None and detail.state.id == case.id)
    assert detail.photos.heading.text() == "照片：暂无" and not detail.photos.thumbnails.isVisible()
    return detail


def wait_for_photos(qtbot: QtBot, detail: CaseDetailPanel, count: int) -> None:
    qtbot.waitUntil(lambda: detail.photos.busy == 0 and detail.photos.thumbnails.count() == count)


def drop_on(widget: QWidget, mime: QMimeData) -> QDropEvent:
    """What the window system delivers when a file manager's drag is let go over `widget`."""
    where = QPointF(widget.rect().center())
    enter = QDragEnterEvent(
        where, Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier
    )
    QApplication.sendEvent(widget, enter)
    assert enter.isAccepted()
    drop = QDropEvent(
        where, Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier
    )
    QApplication.sendEvent(widget, drop)
    return drop


def test_a_photo_file_dropped_on_the_detail_pane_is_added_and_shown(
    qtbot: QtBot, open_case: CaseDetailPanel, service: StationService, tmp_path: Path
) -> None:
    detail = open_case
    photo = tmp_path / "楼道堆物.jpg"
    photo.write_bytes(photo_bytes("JPEG", (1024, 768), "#b55"))
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(photo))])

    with qtbot.waitSignal(detail.case_changed):
        assert drop_on(detail, mime).isAccepted()
    wait_for_photos(qtbot, detail, 1)

    assert detail.photos.heading.text() == "照片（1）"
    item = detail.photos.thumbnails.item(0)
    assert item.text() == "楼道堆物.jpg" and not item.icon().isNull()
    assert "待上传" in item.toolTip()
    # The timeline has the photo's event, as every other step of the case.
    last = detail.timeline.topLevelItem(detail.timeline.topLevelItemCount() - 1)
    assert last is not None and last.text(1) == "添加照片" and "楼道堆物.jpg" in last.text(3)
    assert detail.state is not None and service.photos(detail.state.id)[0].filename == "楼道堆物.jpg"


def test_a_file_that_is_not_a_photo_is_refused_in_place(
    qtbot: QtBot, open_case: CaseDetailPanel, tmp_path: Path
) -> None:
    detail = open_case
    fake = tmp_path / "病毒.png"
    fake.write_bytes(b"MZ\x90\x00" + b"\x00" * 200)
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(fake))])
    drop_on(detail, mime)
    qtbot.waitUntil(lambda: detail.photos.error.isVisible())
    assert "病毒.png" in detail.photos.error.text() and "不是照片" in detail.photos.error.text()
    assert detail.photos.thumbnails.count() == 0


def test_an_image_pasted_with_ctrl_v_is_added(qtbot: QtBot, open_case: CaseDetailPanel) -> None:
    detail = open_case
    image = QImage(320, 240, QImage.Format.Format_RGB32)
    image.fill(QColor("#2a6"))
    QGuiApplication.clipboard().setImage(image)
    detail.timeline.setFocus()
    qtbot.waitUntil(lambda: detail.timeline.hasFocus())

    with qtbot.waitSignal(detail.case_changed):
        qtbot.keyClick(detail.timeline, Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier)
    wait_for_photos(qtbot, detail, 1)

    assert detail.photos.thumbnails.item(0).text() == "粘贴的图片.png"


def test_the_file_picker_adds_each_chosen_photo_and_a_click_opens_it_larger(
    qtbot: QtBot, chinese_font: None, open_case: CaseDetailPanel, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    detail = open_case
    chosen = []
    for index, (kind, colour) in enumerate((("JPEG", "#c33"), ("PNG", "#36c"), ("WEBP", "#c93"))):
        path = tmp_path / f"现场{index + 1}.{kind.lower()}"
        path.write_bytes(photo_bytes(kind, (900, 600), colour))
        chosen.append(str(path))
    asked: list[str] = []

    def pick(parent: QWidget, title: str, folder: str, filters: str) -> tuple[list[str], str]:
        asked.append(title)
        return chosen, filters

    monkeypatch.setattr(QFileDialog, "getOpenFileNames", staticmethod(pick))
    qtbot.mouseClick(detail.photos.add_button, Qt.MouseButton.LeftButton)
    wait_for_photos(qtbot, detail, 3)

    assert asked == ["选择照片"]
    assert [detail.photos.thumbnails.item(i).text() for i in range(3)] == ["现场1.jpeg", "现场2.png", "现场3.webp"]
    SHOTS.mkdir(exist_ok=True)
    detail.grab().save(str(SHOTS / "desk-case-photos.png"))

    list_view = detail.photos.thumbnails
    spot = list_view.visualItemRect(list_view.item(1)).center()
    qtbot.mouseClick(list_view.viewport(), Qt.MouseButton.LeftButton, pos=spot)
    viewer = detail.photos.findChild(PhotoViewer)
    assert viewer is not None
    qtbot.waitUntil(viewer.isVisible)
    pixmap = viewer.picture.pixmap()
    assert pixmap is not None and not pixmap.isNull()
    # Larger than its thumbnail, as large as the screen allows (the test's screen is 800×600), not distorted.
    assert pixmap.width() > 240 and abs(pixmap.width() / pixmap.height() - 1.5) < 0.01
    viewer.accept()


# --- the command line ---------------------------------------------------------------------------------------


def test_cases_attach_adds_photos_from_the_command_line(
    service: StationService, clerk: StaffMember, case_id: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from gridstation.cli import main as cli

    number = service.case(case_id).number
    good = tmp_path / "现场.jpg"
    good.write_bytes(photo_bytes())
    bad = tmp_path / "说明.jpg"
    bad.write_text("不是照片", encoding="utf-8")
    data_dir = str(service.data_dir)
    service.close()  # the command opens the station itself, as it would from a scheduled task

    common = ["--data-dir", data_dir, "cases", "attach", number]
    assert cli.main([*common, str(good), "--user", CLERK_NAME, "--pin", CLERK_PIN]) == 0
    assert f"已为诉求 {number} 添加照片 现场.jpg" in capsys.readouterr().out
    assert cli.main([*common, str(bad), "--user", CLERK_NAME, "--pin", CLERK_PIN]) != 0
    assert "「说明.jpg」不是照片" in capsys.readouterr().err

    reopened = StationService(Path(data_dir))
    try:
        assert [p.filename for p in reopened.photos(case_id)] == ["现场.jpg"]
    finally:
        reopened.close()

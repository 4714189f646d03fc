"""Photos at the desk (issue 15): adding one to a case, checked by its bytes, stored for the owner alone,
recorded in the case's log and queued; uploaded by sync through the resumable upload; shown as thumbnails."""

from __future__ import annotations

import stat
import sys
from pathlib import Path

import pytest
from PIL import Image

from gridstation.domain.enums import EventType, Tier
from gridstation.domain.errors import ValidationError
from gridstation.domain.photos import MAX_PHOTO_BYTES, sniff_media_type
from gridstation.domain.timeline import describe_event
from gridstation.services.staff import StaffMember
from gridstation.services.station import StationService
from tests.support.complaints import complaint, walk_in
from tests.support.photos import photo_bytes

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

"""Enrolment: this desk exchanges the one-time code from the centre for its credential and remembers the server.

The code is typed, or read from the QR image the server printed (its format is the protocol's `enrolment_uri`).
"""

from __future__ import annotations

import hashlib
import secrets
from pathlib import Path

from gridstation.domain.errors import DomainError
from gridstation.domain.roles import Permission, require
from gridstation.protocol import EnrolResponse
from gridstation.services.staff import StaffMember
from gridstation.services.station import StationService
from gridstation.storage import sync_store
from gridstation.storage.settings import SettingKey, forget_setting, put_setting, setting
from gridstation.sync.retry import Retrier
from gridstation.sync.transport import TransportFactory, normalise_server_url


def exchange_code(
    station: StationService,
    actor: StaffMember,
    server_url: str,
    code: str,
    device_name: str,
    *,
    transport_factory: TransportFactory,
    retrier: Retrier,
) -> EnrolResponse:
    """Exchange a one-time enrolment code for this station's credential and remember the server."""
    require(actor.role, Permission.MANAGE_SETTINGS)
    info = station.station()
    if info is None:
        raise DomainError("station.missing", "工作站尚未初始化。")
    url = normalise_server_url(server_url)
    code = code.strip()
    if not code:
        raise DomainError("sync.code_missing", "请输入街道管理员给出的一次性登记码。")
    attempt = enrol_attempt(station, code)
    transport = transport_factory(url, "")
    try:
        answer = retrier.call(lambda: transport.enrol(code, device_name, attempt))
    finally:
        transport.close()
    if answer.station_code != info.code:
        raise DomainError(
            "sync.wrong_station",
            f"该登记码属于工作站 {answer.station_code}（{answer.station_name}），本机是 {info.code}。"
            "登记码已失效，请管理员为本站重新生成。",
        )
    with station.transaction() as session:
        previous = setting(session, SettingKey.SERVER_URL, "")
        put_setting(session, SettingKey.SERVER_URL, url)
        put_setting(session, SettingKey.CREDENTIAL, answer.credential)
        if not setting(session, SettingKey.STATUS_PAGE_URL, ""):
            # The receipt's QR code opens the case's status page on this same server.
            put_setting(session, SettingKey.STATUS_PAGE_URL, url)
        if previous and previous != url:
            # Another server has its own feed: start reading it from the beginning.
            sync_store.save_feed_position(session, sync_store.FeedPosition(0, 0))
        forget_setting(session, SettingKey.ENROL_ATTEMPT)
        station.record_audit(session, actor, "sync.enrolled", server=url, device=device_name)
    return answer


def enrol_attempt(station: StationService, code: str) -> str:
    """The attempt id for this code, kept on disk before asking: if the desk dies after the server used the
    code, enrolling again with the same code is a retry of the same attempt and still works."""
    key = hashlib.sha256(code.encode()).hexdigest()
    with station.transaction() as session:
        saved = setting(session, SettingKey.ENROL_ATTEMPT)
        if isinstance(saved, dict) and saved.get("code") == key and isinstance(saved.get("attempt"), str):
            return str(saved["attempt"])
        attempt = secrets.token_urlsafe(24)
        put_setting(session, SettingKey.ENROL_ATTEMPT, {"code": key, "attempt": attempt})
        return attempt


def decode_qr_image(path: Path) -> str:
    """The text of the (first) QR code in an image file."""
    import zxingcpp
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(path) as image:
            found = zxingcpp.read_barcodes(image.convert("L"))
    except (OSError, UnidentifiedImageError) as err:
        raise DomainError("enrol.image_unreadable", f"无法打开图片：{path.name}") from err
    texts = [result.text for result in found if result.text]
    if not texts:
        raise DomainError("enrol.qr_missing", "图片中没有找到二维码，请换一张清晰的图片。")
    return texts[0]

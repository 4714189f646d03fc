"""The ESC/POS receipt slip as bytes, and sending it to a fake network printer on 127.0.0.1."""

from __future__ import annotations

import re
import socket
import struct
import threading
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

import pytest
from escpos.printer import Usb

from gridstation.common.pdf_text import MISSING_GLYPH_NOTE
from gridstation.printing.documents import ReceiptData, StationHeader
from gridstation.printing.errors import PrinterError
from gridstation.printing.escpos import (
    EscPosSettings,
    open_printer,
    print_escpos,
    printer_label,
    receipt_escpos,
)
from tests.support.ports import free_port

OFFLINE_CAUSE = b"\x10\x04\x02"
PAPER_SENSOR = b"\x10\x04\x04"
NUMBER = "JA01-20261123-0007-K"


def receipt(**changes: object) -> ReceiptData:
    data = ReceiptData(
        station=StationHeader("枫林居委会民情快办工作站", "湖南路街道", "021-64331234"),
        number=NUMBER,
        qr_payload=NUMBER,
        lookup_url="",
        registered_at=datetime(2026, 11, 23, 9, 30),
        channel="来访",
        category="绿化养护",
        complainant="张*",
        phone="138****1234",
        location="枫林路 88 弄 12 号楼前",
        description="楼前香樟树遮挡采光，三楼以下白天也要开灯，希望物业联系绿化队修剪。",
        tier="快办",
        promise="5 分钟内响应",
        answer="",
        clerk="李明",
    )
    return replace(data, **changes)  # type: ignore[arg-type]


def gb(text: str) -> bytes:
    return text.encode("gb18030")


def parse(stream: bytes) -> tuple[list[tuple[str, int]], list[bytes]]:
    """The printed lines (text, horizontal scale) and the commands, in order. Unknown commands fail the test."""
    lines: list[tuple[str, int]] = []
    commands: list[bytes] = []
    line = bytearray()
    scale = 1
    i = 0
    while i < len(stream):
        byte = stream[i]
        if byte == 0x0A:
            lines.append((line.decode("gb18030"), scale))
            line.clear()
            i += 1
            continue
        if byte not in (0x1B, 0x1C, 0x1D):
            line.append(byte)
            i += 1
            continue
        head = stream[i : i + 2]
        if head in (b"\x1b@", b"\x1c&"):
            size = 2
        elif head in (b"\x1ba", b"\x1bE", b"\x1bd", b"\x1d!", b"\x1dV"):
            size = 3
        elif head == b"\x1d(" and stream[i + 2 : i + 3] == b"k":
            size = 5 + stream[i + 3] + 256 * stream[i + 4]
        else:
            raise AssertionError(f"unexpected command {stream[i : i + 4]!r} at {i}")
        command = stream[i : i + size]
        if head == b"\x1d!":
            scale = 2 if command[2] & 0xF0 else 1
        commands.append(command)
        i += size
    assert not line, "the stream ends in the middle of a line"
    return lines, commands


def width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def text_of(stream: bytes) -> str:
    return "\n".join(text for text, _ in parse(stream)[0])


def flat(stream: bytes) -> str:
    """The printed text with wrapped lines joined again."""
    return "".join(text.strip() for text, _ in parse(stream)[0])


# ------------------------------------------------------------------------------------------------ the byte stream


def test_stream_starts_with_init_and_chinese_mode() -> None:
    stream = receipt_escpos(receipt())
    assert stream.startswith(b"\x1b@\x1c&")


def test_slip_text_is_gb18030_and_shows_the_rows() -> None:
    stream = receipt_escpos(receipt())
    for text in ("民情诉求受理回执", NUMBER, "138****1234", "楼前香樟树遮挡采光", "枫林居委会民情快办工作站"):
        assert gb(text) in stream, text
    lines = [text for text, _ in parse(stream)[0]]
    assert "联系电话：138****1234" in lines
    assert "诉求人：  张*" in lines
    assert any(line.startswith("受理时间：2026-11-23 09:30") for line in lines)
    assert "办理承诺：5 分钟内响应（快办）" in lines
    assert not re.search(r"1\d{10}", text_of(stream)), "an unmasked phone number was printed"
    assert b"??" not in stream
    text = text_of(stream)
    assert "凭受理编号可到本站或致电 021-64331234 查询办理进度" in flat(stream)
    assert "个人信息保护提示" in text


def test_title_and_number_are_printed_large() -> None:
    lines, _ = parse(receipt_escpos(receipt()))
    assert ("民情诉求受理回执", 2) in lines
    assert (NUMBER, 2) in lines
    # 20 characters at double width would not fit 32 columns: 58 mm paper prints the number double height only.
    assert (NUMBER, 1) in parse(receipt_escpos(receipt(), "thermal58"))[0]


def test_native_qr_stores_the_payload_then_prints_it() -> None:
    url = f"https://gs.hunanlu.example.cn/status/{NUMBER}"
    stream = receipt_escpos(receipt(qr_payload=url, lookup_url=url))
    _, commands = parse(stream)
    stores = [i for i, c in enumerate(commands) if c.startswith(b"\x1d(k") and c[5:8] == b"1P0"]
    assert len(stores) == 1
    stored = commands[stores[0]]
    assert stored[8:] == url.encode()
    assert NUMBER.encode() in stored
    assert int.from_bytes(stored[3:5], "little") == len(stored) - 5
    assert commands[stores[0] + 1] == b"\x1d(k\x03\x001Q0"
    assert "扫描二维码或访问" in text_of(stream)


def test_one_partial_cut_at_the_end() -> None:
    stream = receipt_escpos(receipt())
    _, commands = parse(stream)
    assert [c for c in commands if c.startswith(b"\x1dV")] == [b"\x1dV\x01"]
    assert stream.endswith(b"\x1dV\x01")
    assert gb("存根") not in stream


def test_stub_is_cut_off_and_has_no_qr() -> None:
    stream = receipt_escpos(receipt(), stub=True)
    _, commands = parse(stream)
    cuts = [i for i, c in enumerate(commands) if c.startswith(b"\x1dV")]
    assert len(cuts) == 2
    assert cuts[-1] == len(commands) - 1
    assert gb("存根（工作站留存）") in stream
    assert stream.index(gb("存根")) > stream.index(b"\x1dV\x01")
    assert sum(1 for c in commands if c[5:8] == b"1P0") == 1
    assert stream.count(gb("楼前香樟树")) == 2


def test_reprint_mark_only_on_a_reprint() -> None:
    assert gb("补打") not in receipt_escpos(receipt())
    again = receipt_escpos(receipt(reprint_at=datetime(2026, 11, 24, 10, 5)))
    assert "【补打】 2026-11-24 10:05" in text_of(again)


@pytest.mark.parametrize(("paper", "columns"), [("thermal58", 32), ("thermal80", 48)])
def test_lines_fit_the_paper(paper: str, columns: int) -> None:
    data = receipt(
        description="自行车棚违章搭建，占用消防通道约二十米，住户多次反映无人处理。" * 3,
        answer="已联系物业（电话 021-64339876）核实，城管中队将于本周五前到场处理。",
        lookup_url=f"https://gs.hunanlu.example.cn/status/{NUMBER}",
        qr_payload=f"https://gs.hunanlu.example.cn/status/{NUMBER}",
        reprint_at=datetime(2026, 11, 24, 10, 5),
    )
    lines, _ = parse(receipt_escpos(data, paper, stub=True))
    widths = [width(text) * scale for text, scale in lines]
    assert max(widths) <= columns
    assert max(widths) >= columns - 2, "the paper's width is not used"
    continued = [text for text, _ in lines if text.startswith(" " * 10) and text.strip()]
    assert continued, "a long description should wrap under its value"
    assert not any(text.startswith("，") or text.startswith("。") for text, _ in lines)


def test_characters_the_printer_font_lacks_become_a_mark_with_a_note() -> None:
    data = receipt(description="𠮷野家门口的井盖松动😀，夜里有响声👍🏻。", complainant="王*")
    stream = receipt_escpos(data)
    text = flat(stream)
    assert "〓野家门口的井盖松动〓，夜里有响声〓〓。" in text
    assert MISSING_GLYPH_NOTE in text
    assert gb("𠮷") not in stream
    assert b"?" not in stream
    assert "注：〓" not in flat(receipt_escpos(receipt()))


def test_yen_sign_prints_fullwidth() -> None:
    stream = receipt_escpos(receipt(description="修剪费用约¥200，物业承担。"))
    assert "费用约￥200" in text_of(stream)
    assert gb("￥") in stream
    assert "〓" not in text_of(stream)


def test_no_line_starts_with_closing_punctuation() -> None:
    # 22 columns are left for the value on 58 mm paper: eleven Han characters, then the full stop.
    lines, _ = parse(receipt_escpos(receipt(description="请尽快清理楼道堆放杂物。"), "thermal58"))
    texts = [text for text, _ in lines]
    assert "诉求内容：请尽快清理楼道堆放杂" in texts
    assert " " * 10 + "物。" in texts


def test_fullwidth_punctuation_without_han_survives() -> None:
    stream = receipt_escpos(receipt(answer="（１）ＯＫ！"))
    assert "当场答复：（１）ＯＫ！" in text_of(stream)
    assert b"?" not in stream


def test_same_data_same_bytes() -> None:
    data = receipt(reprint_at=datetime(2026, 11, 24, 10, 5))
    assert receipt_escpos(data, "thermal58", stub=True) == receipt_escpos(data, "thermal58", stub=True)
    assert receipt_escpos(data) != receipt_escpos(replace(data, number="JA01-20261123-0008-M"))


def test_only_thermal_rolls() -> None:
    with pytest.raises(KeyError):
        receipt_escpos(receipt(), "thermal112")
    with pytest.raises(ValueError, match="a4"):
        receipt_escpos(receipt(), "a4")


# ------------------------------------------------------------------------------------------------ transports


class FakePrinter:
    """A raw-TCP printer on 127.0.0.1 that records what it receives and answers DLE EOT status requests."""

    def __init__(self, *, paper: int = 0x12, offline: int = 0x12, answers: bool = True, hang_up: bool = False,
                 reset_after_status: bool = False) -> None:
        self.paper, self.offline, self.answers = paper, offline, answers
        self.hang_up, self.reset_after_status = hang_up, reset_after_status
        self.received = bytearray()
        self.server = socket.create_server(("127.0.0.1", 0))
        self.server.settimeout(3)
        self.port: int = self.server.getsockname()[1]
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        try:
            conn, _ = self.server.accept()
        except OSError:
            return
        with conn:
            if self.hang_up:
                return
            conn.settimeout(3)
            seen = 0
            try:
                while chunk := conn.recv(4096):
                    self.received += chunk
                    while (at := self.received.find(b"\x10\x04", seen)) != -1 and at + 2 < len(self.received):
                        seen = at + 3
                        if self.answers:
                            conn.sendall(bytes([self.paper if self.received[at + 2] == 4 else self.offline]))
                        if self.reset_after_status and self.received[at + 2] == 4:
                            conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                            return
            except OSError:
                return

    def settings(self, timeout_s: float = 0.5) -> EscPosSettings:
        return EscPosSettings(kind="network", host="127.0.0.1", port=self.port, timeout_s=timeout_s)

    def finish(self) -> bytes:
        """Everything received, once the printer has seen the connection end."""
        self.thread.join(timeout=3)
        assert not self.thread.is_alive()
        self.server.close()
        return bytes(self.received)


@pytest.fixture
def fake() -> Iterator[Callable[..., FakePrinter]]:
    made: list[FakePrinter] = []

    def make(**behaviour: Any) -> FakePrinter:
        made.append(FakePrinter(**behaviour))
        return made[-1]

    yield make
    for printer in made:
        printer.server.close()
        printer.thread.join(timeout=3)


@pytest.fixture
def slip() -> bytes:
    return receipt_escpos(receipt(), stub=True)


class WatchedSocket:
    """The printer connection, noting what was sent and what each read got, or that it timed out (and the timeout
    then in force): how long the printer code may wait is shown by the timeouts it set, not by a clock."""

    def __init__(self, sock: socket.socket, events: list[tuple[str, object]]) -> None:
        self._sock, self._events = sock, events

    def sendall(self, data: bytes) -> None:
        self._events.append(("send", bytes(data)))
        self._sock.sendall(data)

    def recv(self, size: int) -> bytes:
        try:
            data = self._sock.recv(size)
        except TimeoutError:
            self._events.append(("timed out", self._sock.gettimeout()))
            raise
        self._events.append(("read", data))
        return data

    def __getattr__(self, name: str) -> Any:
        return getattr(self._sock, name)


@dataclass
class Connections:
    attempts: list[tuple[tuple[str, int], float, str]] = field(default_factory=list)  # address, timeout, outcome
    events: list[tuple[str, object]] = field(default_factory=list)  # on the connections made, in order


@pytest.fixture
def watched(monkeypatch: pytest.MonkeyPatch) -> Connections:
    """Every connection the printer code opens (`socket.create_connection`) in this test, watched."""
    seen = Connections()
    real = socket.create_connection

    def connect(address: tuple[str, int], timeout: float, **options: Any) -> WatchedSocket:
        try:
            sock = real(address, timeout, **options)
        except OSError as error:
            seen.attempts.append((address, timeout, type(error).__name__))
            raise
        seen.attempts.append((address, timeout, "connected"))
        return WatchedSocket(sock, seen.events)

    monkeypatch.setattr(socket, "create_connection", connect)
    return seen


def test_payload_arrives_intact_after_status_checks(fake: Callable[..., FakePrinter], slip: bytes) -> None:
    printer = fake()
    print_escpos(printer.settings(), slip)
    assert printer.finish() == OFFLINE_CAUSE + PAPER_SENSOR + slip


def test_paper_near_end_still_prints(fake: Callable[..., FakePrinter], slip: bytes) -> None:
    printer = fake(paper=0x12 | 0x0C)
    print_escpos(printer.settings(), slip)
    assert printer.finish().endswith(slip)


def test_without_check_only_the_payload_is_sent(fake: Callable[..., FakePrinter], slip: bytes) -> None:
    printer = fake()
    print_escpos(printer.settings(), slip, check_paper=False)
    assert printer.finish() == slip


def test_paper_end_stops_before_the_slip(fake: Callable[..., FakePrinter], slip: bytes) -> None:
    printer = fake(paper=0x72)
    with pytest.raises(PrinterError) as caught:
        print_escpos(printer.settings(), slip)
    assert caught.value.code == "printer.out_of_paper"
    assert "缺纸" in str(caught.value)
    assert f"127.0.0.1:{printer.port}" in str(caught.value)
    assert printer.finish() == OFFLINE_CAUSE + PAPER_SENSOR


def test_cover_open_stops_before_the_slip(fake: Callable[..., FakePrinter], slip: bytes) -> None:
    printer = fake(offline=0x12 | 0x04)
    with pytest.raises(PrinterError) as caught:
        print_escpos(printer.settings(), slip)
    assert caught.value.code == "printer.cover_open"
    assert "纸仓盖" in str(caught.value)
    assert printer.finish() == OFFLINE_CAUSE


def test_printer_that_never_answers_status_still_prints(
    fake: Callable[..., FakePrinter], slip: bytes, watched: Connections
) -> None:
    printer = fake(answers=False)
    print_escpos(printer.settings(timeout_s=0.3), slip)
    # The silent printer cost one status read, given up after the configured 0.3 s; then the slip went out.
    assert watched.events[:3] == [("send", OFFLINE_CAUSE), ("timed out", 0.3), ("send", slip)]
    assert printer.finish() == OFFLINE_CAUSE + slip


def test_noise_is_not_taken_for_a_status(fake: Callable[..., FakePrinter], slip: bytes) -> None:
    printer = fake(offline=0xFF, paper=0x72)  # 0xFF cannot be a status byte: treated as no answer
    print_escpos(printer.settings(timeout_s=0.3), slip)
    assert printer.finish() == OFFLINE_CAUSE + slip


def test_nothing_listening_is_offline_quickly(slip: bytes, watched: Connections) -> None:
    port = free_port()
    settings = EscPosSettings(kind="network", host="127.0.0.1", port=port, timeout_s=0.5)
    with pytest.raises(PrinterError) as caught:
        print_escpos(settings, slip)
    # One attempt, refused at once by the kernel: no retries, no waiting out the timeout.
    assert watched.attempts == [(("127.0.0.1", port), 0.5, "ConnectionRefusedError")]
    assert caught.value.code == "printer.offline"
    assert caught.value.retryable
    assert f"「127.0.0.1:{port}」未连接或未开机" in str(caught.value)


def test_printer_hanging_up_at_once_is_a_printer_error(fake: Callable[..., FakePrinter], slip: bytes) -> None:
    printer = fake(hang_up=True)
    with pytest.raises(PrinterError) as caught:
        print_escpos(printer.settings(), slip)
    assert caught.value.code in ("printer.failed", "printer.offline")
    assert "打印机「127.0.0.1:" in str(caught.value)
    printer.finish()


def test_connection_reset_mid_job_is_failed(fake: Callable[..., FakePrinter], slip: bytes) -> None:
    printer = fake(reset_after_status=True)
    with pytest.raises(PrinterError) as caught:
        print_escpos(printer.settings(), slip * 20)
    assert caught.value.code == "printer.failed"
    assert "未能完成打印" in str(caught.value)
    printer.finish()


def test_no_printer_configured_is_a_programming_error(slip: bytes) -> None:
    with pytest.raises(ValueError):
        print_escpos(EscPosSettings(), slip)
    with pytest.raises(ValueError):
        open_printer(EscPosSettings(kind="bluetooth"))


def test_missing_serial_port(slip: bytes) -> None:
    settings = EscPosSettings(kind="serial", serial_device="/dev/ttyGRIDSTATION9")
    with pytest.raises(PrinterError) as caught:
        print_escpos(settings, slip)
    assert caught.value.code == "printer.missing"
    assert "/dev/ttyGRIDSTATION9" in str(caught.value)


@pytest.mark.skipif(Usb.is_usable(), reason="pyusb is installed here")
def test_usb_without_pyusb_says_so(slip: bytes) -> None:
    settings = EscPosSettings(kind="usb", usb_vendor="0416", usb_product="5011")
    with pytest.raises(PrinterError) as caught:
        print_escpos(settings, slip)
    assert caught.value.code == "printer.missing"
    assert not caught.value.retryable
    assert "pyusb" in caught.value.params["detail"]
    assert "USB 0416:5011" in str(caught.value)


def test_printer_labels() -> None:
    assert printer_label(EscPosSettings(kind="network", host="192.168.1.50", port=9100)) == "192.168.1.50:9100"
    assert printer_label(EscPosSettings(kind="usb", usb_vendor="0416", usb_product="5011")) == "USB 0416:5011"
    assert printer_label(EscPosSettings(kind="serial", serial_device="COM3")) == "COM3"

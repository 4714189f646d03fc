"""Receipt slips printed natively on ESC/POS thermal printers (network, USB or serial), in GB18030.

The printer sets text from its built-in font, not ours, so the slip is composed here as bytes: python-escpos's own
`text()` leaves out `FS &` (Chinese mode) and mangles fullwidth punctuation and "¥". Its printer classes are still
used for the transports and for the native QR code.
"""

from __future__ import annotations

import contextlib
import errno
import re
import socket
import unicodedata
from typing import Any

from escpos.constants import QR_ECLEVEL_M
from escpos.exceptions import DeviceNotFoundError
from escpos.printer import Dummy, Network, Serial, Usb

from gridstation.common.pdf_text import MISSING_GLYPH, MISSING_GLYPH_NOTE
from gridstation.printing.config import EscPosSettings
from gridstation.printing.documents import ReceiptData
from gridstation.printing.errors import PrinterError
from gridstation.printing.layout import local_text
from gridstation.printing.receipt import receipt_lines, receipt_lookup_text
from gridstation.printing.templates import load_template, receipt_papers

INIT = b"\x1b@"
CHINESE_MODE = b"\x1c&"
LEFT, CENTRE = b"\x1ba\x00", b"\x1ba\x01"
BOLD, NOT_BOLD = b"\x1bE\x01", b"\x1bE\x00"
NORMAL_SIZE, DOUBLE_HEIGHT, DOUBLE_SIZE = b"\x1d!\x00", b"\x1d!\x01", b"\x1d!\x11"
# Feed the last line past the cutter, then a partial cut (function A): the one form every auto-cutter accepts.
CUT = b"\x1bd\x04" + b"\x1dV\x01"
OFFLINE_CAUSE = b"\x10\x04\x02"  # DLE EOT 2
PAPER_SENSOR = b"\x10\x04\x04"  # DLE EOT 4
COVER_OPEN_BIT = 0x04
PAPER_END_BITS = 0x60  # 0x0C is "near end": there is still enough roll for a slip
STATUS_WAIT_S = 1.0  # printers answer in milliseconds; many cheap ones never do
DRAIN_WAIT_S = 0.5

# Halfwidth currency signs are not in GBK; the printer font has the fullwidth ones.
_SUBSTITUTES = str.maketrans({"¥": "￥", "£": "￡", "¢": "￠", "\t": " "})
# ASCII words (numbers, addresses) stay whole on a line when they fit; everything else may break anywhere.
_TOKENS = re.compile(r"[!-~]+|.", re.DOTALL)
_NO_LINE_START = frozenset("，。、；：？！）】》」』”’…—·")


def _width(text: str) -> int:
    # Called on text already made safe, so all but ASCII is a two-byte GBK code, which Chinese mode sets at full
    # width: Han and fullwidth forms, but also ambiguous-width punctuation such as "…" and "—".
    return sum(1 if ch < "\x80" else 2 for ch in text)


def _wrap(text: str, width: int) -> list[str]:
    lines: list[str] = []
    for paragraph in text.split("\n"):
        line = ""
        for token in _TOKENS.findall(paragraph):
            if _width(line + token) <= width:
                line += token
            elif token == " ":
                lines.append(line.rstrip())
                line = ""
            elif _width(token) > width:
                for ch in token:
                    if _width(line + ch) > width:
                        lines.append(line.rstrip())
                        line = ""
                    line += ch
            elif token in _NO_LINE_START and len(line) > 1 and not line.endswith(" "):
                # A line never starts with closing punctuation: the character before it moves down too.
                lines.append(line[:-1].rstrip())
                line = line[-1] + token
            else:
                lines.append(line.rstrip())
                line = token
        lines.append(line.rstrip())
    return lines


class _Slip:
    """One slip being composed; `replaced` says whether the current copy needed the 〓 mark."""

    def __init__(self, columns: int) -> None:
        self.columns = columns
        self.printer: Any = Dummy()
        self.replaced = False

    def raw(self, *commands: bytes) -> None:
        for command in commands:
            self.printer._raw(command)

    def safe(self, text: str) -> str:
        out: list[str] = []
        for ch in text.translate(_SUBSTITUTES):
            if ch != "\n" and unicodedata.category(ch) in ("Mn", "Cf", "Cc"):
                continue  # variation selectors, joiners and controls have no glyph of their own
            try:
                ch.encode("gbk")  # the printer's font stops at GBK, although GB18030 can encode everything
            except UnicodeEncodeError:
                out.append(MISSING_GLYPH)
                self.replaced = True
            else:
                out.append(ch)
        return "".join(out)

    def line(self, text: str) -> None:
        self.raw(text.encode("gb18030") + b"\n")

    def paragraph(self, text: str, width: int | None = None) -> None:
        for line in _wrap(self.safe(text), width or self.columns):
            self.line(line)

    def rows(self, rows: list[tuple[str, str]]) -> None:
        heads = [self.safe(label) + "：" for label, _ in rows]
        indent = max((_width(head) for head in heads), default=0)
        for head, (_, value) in zip(heads, rows, strict=True):
            lines = _wrap(self.safe(value), self.columns - indent)
            self.line(head + " " * (indent - _width(head)) + lines[0])
            for rest in lines[1:]:
                self.line(" " * indent + rest)


def _copy(slip: _Slip, data: ReceiptData, template: dict[str, Any], *, stub: bool) -> None:
    slip.replaced = False
    slip.raw(CENTRE)
    slip.paragraph(data.station.name)
    slip.raw(DOUBLE_SIZE, BOLD)
    slip.paragraph(str(template["stub_title" if stub else "title"]), slip.columns // 2)
    slip.raw(NOT_BOLD, NORMAL_SIZE)
    if data.reprint_at is not None:
        slip.paragraph(f"【{template['reprint_mark']}】 {local_text(data.reprint_at)}")
    slip.paragraph(f"{template['number_label']}：")
    number = slip.safe(data.number)
    slip.raw(DOUBLE_SIZE if 2 * _width(number) <= slip.columns else DOUBLE_HEIGHT, BOLD)
    slip.paragraph(number, slip.columns // 2 if 2 * _width(number) <= slip.columns else slip.columns)
    slip.raw(NOT_BOLD, NORMAL_SIZE, b"\n", LEFT)
    slip.rows(receipt_lines(data, template))
    if not stub:
        slip.raw(b"\n", CENTRE)
        # Module size in dots: a short status address comes out about 25 mm wide on 80 mm paper, 18 mm on 58 mm.
        slip.printer.qr(data.qr_payload, ec=QR_ECLEVEL_M, size=7 if slip.columns >= 48 else 5, native=True)
        slip.raw(b"\n", LEFT)
        slip.paragraph(receipt_lookup_text(data, template))
        slip.paragraph(str(template["notice"]))
    if slip.replaced:
        slip.paragraph(MISSING_GLYPH_NOTE)
    slip.raw(CUT)


def receipt_escpos(data: ReceiptData, paper_key: str = "thermal80", *, stub: bool = False) -> bytes:
    """The slip as ESC/POS bytes; with `stub`, the station's copy follows the visitor's after a cut."""
    papers = receipt_papers()
    if paper_key not in papers:
        raise KeyError(paper_key)
    paper = papers[paper_key]
    if not paper.is_roll or paper.escpos_columns <= 0:
        raise ValueError(f"{paper_key} is not a thermal roll")
    template = load_template("receipt")
    slip = _Slip(paper.escpos_columns)
    slip.raw(INIT, CHINESE_MODE)
    _copy(slip, data, template, stub=False)
    if stub:
        _copy(slip, data, template, stub=True)
    return bytes(slip.printer.output)


# ---------------------------------------------------------------------------------------------------- transports


def printer_label(settings: EscPosSettings) -> str:
    """How the clerk knows this printer: "192.168.1.50:9100", "USB 0416:5011", "COM3"."""
    if settings.kind == "network":
        return f"{settings.host}:{settings.port}"
    if settings.kind == "usb":
        return f"USB {settings.usb_vendor}:{settings.usb_product}"
    return settings.serial_device


def _cause(error: BaseException) -> BaseException:
    # python-escpos re-raises the OS error as DeviceNotFoundError inside its `except`, so it is the context.
    return error.__cause__ or error.__context__ or error


class _Network(Network):  # type: ignore[misc, unused-ignore]
    """python-escpos's own `open()` leaves the socket open when connecting fails."""

    def open(self, raise_not_found: bool = True) -> None:
        self.device = socket.create_connection((self.host, self.port), timeout=self.timeout)


def open_printer(settings: EscPosSettings) -> Any:
    """A connected python-escpos printer; every failure is a PrinterError."""
    if settings.kind not in ("network", "usb", "serial"):
        raise ValueError(f"no ESC/POS printer for kind {settings.kind!r}")
    name = printer_label(settings)
    if settings.kind == "network":
        printer: Any = _Network(settings.host, int(settings.port), timeout=settings.timeout_s)
    elif settings.kind == "usb":
        if not Usb.is_usable():
            raise PrinterError("printer.missing", name, "缺少 USB 驱动组件 pyusb", retryable=False)
        try:
            ids = int(settings.usb_vendor, 16), int(settings.usb_product, 16)
        except ValueError:
            raise PrinterError("printer.missing", name, "USB 厂商号或产品号不是十六进制数", retryable=False) from None
        printer = Usb(*ids, timeout=int(settings.timeout_s * 1000))
    else:
        if not Serial.is_usable():
            raise PrinterError("printer.missing", name, "缺少串口驱动组件 pyserial", retryable=False)
        printer = Serial(settings.serial_device, int(settings.baudrate), timeout=settings.timeout_s)
    try:
        printer.open()
    except ValueError as error:  # pyusb without a libusb backend, a malformed serial setting
        raise PrinterError("printer.missing", name, str(error), retryable=False) from error
    except (DeviceNotFoundError, OSError) as error:
        cause = _cause(error)
        code = getattr(cause, "errno", None)
        denied = isinstance(cause, PermissionError) or code == errno.EACCES or "PermissionError" in str(cause)
        if denied and settings.kind != "network":
            raise PrinterError("printer.failed", name, "没有权限使用该设备，或它正被其他程序占用") from error
        # A missing serial port is a wrong setting; an absent USB device or host is usually just switched off.
        if settings.kind == "serial" and (code == errno.ENOENT or "FileNotFoundError" in str(cause)):
            raise PrinterError("printer.missing", name, str(cause)) from error
        raise PrinterError("printer.offline", name, str(cause)) from error
    return printer


def _set_read_timeout(printer: Any, kind: str, seconds: float) -> None:
    if kind == "network":
        printer.device.settimeout(seconds)
    elif kind == "serial":
        printer.device.timeout = seconds


def _status(printer: Any, settings: EscPosSettings, request: bytes) -> int | None:
    """The printer's one-byte answer to a DLE EOT request, or None when it does not answer."""
    name = printer_label(settings)
    _set_read_timeout(printer, settings.kind, min(settings.timeout_s, STATUS_WAIT_S))
    try:
        printer._raw(request)
        reply = bytes(printer._read())
    except TimeoutError:
        return None
    except ConnectionError as error:
        raise PrinterError("printer.failed", name, "打印机断开了连接") from error
    except OSError:
        return None  # USB printers without an IN endpoint cannot answer
    finally:
        _set_read_timeout(printer, settings.kind, settings.timeout_s)
    if not reply and settings.kind == "network":
        raise PrinterError("printer.failed", name, "打印机断开了连接")
    # A status byte always reads 0xx1xx10; anything else is noise such as automatic status back.
    answers = [byte for byte in reply if byte & 0x93 == 0x12]
    return answers[-1] if answers else None


def _check_ready(printer: Any, settings: EscPosSettings) -> None:
    cause = _status(printer, settings, OFFLINE_CAUSE)
    if cause is None:
        return  # a printer that does not answer status queries: print anyway
    if cause & COVER_OPEN_BIT:
        raise PrinterError("printer.cover_open", printer_label(settings))
    paper = _status(printer, settings, PAPER_SENSOR)
    if paper is not None and paper & PAPER_END_BITS:
        raise PrinterError("printer.out_of_paper", printer_label(settings))


def _finish_network(sock: socket.socket) -> None:
    # Closing with unread bytes makes the kernel reset the connection and drop what the printer has not taken yet,
    # so half-close and read until the printer hangs up or goes quiet. A reset here means it discarded the slip.
    sock.shutdown(socket.SHUT_WR)
    sock.settimeout(DRAIN_WAIT_S)
    with contextlib.suppress(TimeoutError):
        for _ in range(64):  # bounded: a chatty printer (automatic status back) need not hold the desk up
            if not sock.recv(256):
                break


def print_escpos(settings: EscPosSettings, payload: bytes, *, check_paper: bool = True) -> None:
    """Send a slip; checks cover and paper first when the printer answers status queries."""
    printer = open_printer(settings)
    name = printer_label(settings)
    try:
        if check_paper:
            _check_ready(printer, settings)
        try:
            printer._raw(payload)
            if settings.kind == "network":
                _finish_network(printer.device)
        except TimeoutError as error:
            raise PrinterError("printer.failed", name, "发送超时，打印机没有接收数据") from error
        except OSError as error:
            raise PrinterError("printer.failed", name, f"连接中断（{error.strerror or error}）") from error
    finally:
        with contextlib.suppress(Exception):
            printer.close()

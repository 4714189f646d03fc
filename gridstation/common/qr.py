"""QR codes as a matrix of modules, and as a PNG image (the server's enrolment QR codes).

The receipt draws the same matrix as one reportlab path (printing/qr.py).
"""

from __future__ import annotations

import re
from functools import lru_cache
from itertools import pairwise
from pathlib import Path

from reportlab.graphics.barcode import qrencoder

QUIET_ZONE = 4  # modules of white border the QR specification asks for

Modules = tuple[tuple[bool, ...], ...]

_RUN_OF_FIVE = re.compile(rb"\x00{5,}|\x01{5,}")
_FINDER_LIKE = bytes((1, 0, 1, 1, 1, 0, 1, 0, 0, 0, 0))
_AS_DIGITS = bytes.maketrans(b"\x00\x01", b"01")


@lru_cache(maxsize=32)
def qr_modules(data: str) -> Modules:
    """The module matrix for `data` (byte mode, error correction M: survives a crease or a smudge on thermal paper).

    Remembered for the last few payloads: a preview and its print, or a reprint, draw the same code."""
    code = _QuickMaskQRCode(None, qrencoder.QRErrorCorrectLevel.M)
    code.addData(data)
    code.make()
    return tuple(tuple(bool(cell) for cell in row) for row in code.modules)


class _QuickMaskQRCode(qrencoder.QRCode):  # type: ignore[misc]
    """reportlab's encoder, choosing the same mask with a faster score: its pure-Python `getLostPoint` was two thirds
    of a receipt's QR code (~1.3 ms of ~2 ms). Choosing a mask builds the matrix nine times; the function patterns
    (finders, timing, format bits) depend only on the version and the mask, so each is built once by reportlab and
    copied, and the data modules are laid over the copy the way reportlab's `mapData` lays them."""

    modules: list[list[bool]]
    dataCache: list[int] | None

    def makeImpl(self, test: bool, maskPattern: int) -> None:  # reportlab's names: make() calls it
        key = (self.version, self.errorCorrectLevel, test, None if test else maskPattern)  # a test has no format bits
        patterns = _FUNCTION_PATTERNS.get(key)
        if patterns is None:
            super().makeImpl(test, maskPattern)
            _FUNCTION_PATTERNS[key] = tuple(tuple(row) for row in self.modules)
            return
        self.moduleCount = self.version * 4 + 17
        self.modules = [list(row) for row in patterns]
        data = self.dataCache
        if data is None:
            data = self.dataCache = qrencoder.QRCode.createData(self.version, self.errorCorrectLevel, self.dataList)
        self.mapData(data, maskPattern)

    def mapData(self, data: list[int], maskPattern: int) -> None:
        positions, masks = _data_layout(self, maskPattern)
        bits = list(self.dataBitIterator(data))
        bits += [False] * (len(positions) - len(bits))  # reportlab's zip_longest(…, fillvalue=False)
        modules = self.modules
        for (column, row), dark, masked in zip(positions, bits, masks, strict=False):
            modules[row][column] = dark != masked

    def getBestMaskPattern(self) -> int:  # reportlab's name: make() calls it
        best, best_points = 0, 0
        for pattern in range(8):
            self.makeImpl(True, pattern)
            points = lost_points(self.modules)
            if pattern == 0 or points < best_points:
                best, best_points = pattern, points
        return best


_FUNCTION_PATTERNS: dict[tuple[int, int, bool, int | None], tuple[tuple[bool, ...], ...]] = {}
_DATA_LAYOUTS: dict[tuple[int, int], tuple[list[tuple[int, int]], list[bool]]] = {}


def _data_layout(code: qrencoder.QRCode, mask_pattern: int) -> tuple[list[tuple[int, int]], list[bool]]:
    """Where a version's data modules go, in reportlab's order, and the mask's value at each."""
    key = (code.version, mask_pattern)
    layout = _DATA_LAYOUTS.get(key)
    if layout is None:
        positions = list(code.dataPosIterator())
        mask = qrencoder.QRUtil.getMask(mask_pattern)
        layout = _DATA_LAYOUTS[key] = (positions, [bool(mask(row, column)) for column, row in positions])
    return layout


def lost_points(modules: list[list[bool]]) -> int:
    """reportlab's `QRUtil.getLostPoint`, the same number computed on bytes and integers.

    Its rules as reportlab applies them: runs of five or more alike modules in rows and columns (length - 2 each),
    2×2 blocks of one colour (3 each), the finder-like pattern 1:1:3:1:1 followed by four light modules, searched
    left to right in rows only and not at the last possible start (40 each: reportlab's column search compares a
    tuple with a list and never matches), and the share of dark modules away from half (10 per 5 %)."""
    count = len(modules)
    rows = [bytes(row) for row in modules]
    columns = [bytes(column) for column in zip(*modules, strict=True)]
    points = 0
    for line in rows + columns:
        for run in _RUN_OF_FIVE.findall(line):
            points += len(run) - 2
    full = (1 << count) - 1
    bits = [int(row.translate(_AS_DIGITS), 2) for row in rows]
    for upper, lower in pairwise(bits):
        same_vertically = ~(upper ^ lower) & full
        same_horizontally = ~(upper ^ (upper >> 1)) & (full >> 1)
        points += 3 * (same_vertically & (same_vertically >> 1) & same_horizontally).bit_count()
    last_start = count - len(_FINDER_LIKE)
    for row in rows:
        start = row.find(_FINDER_LIKE)
        while 0 <= start < last_start:
            points += 40
            start = row.find(_FINDER_LIKE, start + len(_FINDER_LIKE))
    dark = sum(row.count(1) for row in rows)
    return points + 10 * (abs(100 * dark // (count * count) - 50) // 5)


def save_qr_png(text: str, path: Path, *, module_px: int = 8) -> None:
    """A plain black-on-white QR code image, with the quiet zone scanners need."""
    from PIL import Image

    modules = qr_modules(text)
    size = (len(modules) + 2 * QUIET_ZONE) * module_px
    image = Image.new("L", (size, size), 255)
    for y, row in enumerate(modules):
        for x, dark in enumerate(row):
            if dark:
                left, top = (x + QUIET_ZONE) * module_px, (y + QUIET_ZONE) * module_px
                image.paste(0, (left, top, left + module_px, top + module_px))
    path.parent.mkdir(parents=True, exist_ok=True)
    image.save(path, format="PNG")

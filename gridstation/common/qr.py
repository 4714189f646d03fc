"""QR codes as a matrix of modules, and as a PNG image (the server's enrolment QR codes).

The receipt draws the same matrix as one reportlab path (printing/qr.py).
"""

from __future__ import annotations

from pathlib import Path

from reportlab.graphics.barcode import qrencoder

QUIET_ZONE = 4  # modules of white border the QR specification asks for


def qr_modules(data: str) -> list[list[bool]]:
    """The module matrix for `data` (byte mode, error correction M: survives a crease or a smudge on thermal paper)."""
    code = qrencoder.QRCode(None, qrencoder.QRErrorCorrectLevel.M)
    code.addData(data)
    code.make()
    return [[bool(cell) for cell in row] for row in code.modules]


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

"""A QR code drawn as one filled path: reportlab's own QrCodeWidget draws a shape per module, three times slower."""

from __future__ import annotations

from typing import Any

from reportlab.platypus import Flowable

from gridstation.common.qr import QUIET_ZONE, Modules, qr_modules


class QrFlowable(Flowable):  # type: ignore[misc]
    def __init__(self, data: str, size: float, h_align: str = "CENTER") -> None:
        super().__init__()
        self.data = data
        self.size = size
        self.hAlign = h_align
        self.modules = qr_modules(data)

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        return self.size, self.size

    def draw(self) -> None:
        canvas: Any = self.canv
        box = self.size / (len(self.modules) + 2 * QUIET_ZONE)
        canvas.saveState()
        canvas.setFillColorRGB(0, 0, 0)
        # In modules from here on: every dark run is a rectangle of whole numbers, written as they are (reportlab's
        # path.rect formats each of its four coordinates in Python, ~120 runs a receipt).
        canvas.scale(box, box)
        canvas.addLiteral(dark_runs_path(self.modules))
        canvas.addLiteral("f")
        canvas.restoreState()


def dark_runs_path(modules: Modules) -> str:
    """The PDF path of the dark modules, one `re` per run of dark modules in a row, in units of one module with the
    quiet zone around them and y upwards (the first row at the top)."""
    count = len(modules)
    rectangles: list[str] = []
    for row_index, row in enumerate(modules):
        y = count + QUIET_ZONE - row_index - 1
        column = 0
        while column < count:
            if not row[column]:
                column += 1
                continue
            run_start = column
            while column < count and row[column]:
                column += 1
            rectangles.append(f"{run_start + QUIET_ZONE} {y} {column - run_start} 1 re")
    return "\n".join(rectangles)

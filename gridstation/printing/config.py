"""Printer settings as plain data: imported by the settings screens without loading python-escpos or reportlab."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class EscPosSettings:
    """A thermal receipt printer spoken to directly in ESC/POS (instead of through the system's print dialog)."""

    kind: str = "none"
    host: str = ""
    port: int = 9100
    usb_vendor: str = ""  # hexadecimal, e.g. 0416
    usb_product: str = ""
    serial_device: str = ""
    baudrate: int = 9600
    timeout_s: float = 5.0

    @property
    def enabled(self) -> bool:
        return self.kind != "none"

"""Photos for the tests: real image files made with Pillow (a small one, or a large one that does not compress)."""

from __future__ import annotations

import io
import random

from PIL import Image


def photo_bytes(kind: str = "JPEG", size: tuple[int, int] = (640, 480), colour: str = "#3a7") -> bytes:
    """A plain photo of one colour in the given format (JPEG, PNG, WEBP)."""
    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, format=kind)
    return out.getvalue()


def noisy_png(megabytes: float, seed: int = 15) -> bytes:
    """A PNG of random pixels, about `megabytes` large (noise does not compress): several upload chunks."""
    side = int((megabytes * 1024 * 1024 / 3) ** 0.5)
    pixels = random.Random(seed).randbytes(side * side * 3)
    out = io.BytesIO()
    Image.frombytes("RGB", (side, side), pixels).save(out, format="PNG", compress_level=0)
    return out.getvalue()

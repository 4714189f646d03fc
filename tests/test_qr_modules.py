"""The receipt's QR matrix: the quicker mask choice (gridstation/common/qr.py) must pick exactly the mask reportlab's
own encoder picks, so every code prints module for module as before."""

from __future__ import annotations

import random

import pytest
from reportlab.graphics.barcode import qrencoder

from gridstation.common.qr import _QuickMaskQRCode, lost_points, qr_modules

CASE_NUMBERS = [
    f"JA01-2025{month:02d}{day:02d}-{n:04d}-{check}"
    for month, day in ((1, 1), (12, 3))
    for n in (1, 42, 997, 9999)
    for check in "XK"
]
STATUS_URLS = [f"https://jiedao.example.cn/status/JA01-20251203-{n:04d}-K" for n in range(8)]
# Longer payloads reach QR versions 7 and up, which carry version bits and more alignment patterns.
MIXED = [
    "".join(random.Random(seed).choice("ABCxyz0123-/:.") for _ in range(length))
    for seed, length in enumerate((1, 17, 60, 130, 250, 300))
] + ["民情快办" * 12]


def reportlab_code(payload: str) -> qrencoder.QRCode:
    code = qrencoder.QRCode(None, qrencoder.QRErrorCorrectLevel.M)
    code.addData(payload)
    code.make()
    return code


@pytest.mark.parametrize("payload", CASE_NUMBERS + STATUS_URLS + MIXED)
def test_every_mask_scores_as_reportlab_scores_it(payload: str) -> None:
    code = reportlab_code(payload)
    scores = []
    for pattern in range(8):
        code.makeImpl(True, pattern)
        scores.append((qrencoder.QRUtil.getLostPoint(code), lost_points(code.modules)))
    assert [ours for _, ours in scores] == [theirs for theirs, _ in scores]


@pytest.mark.parametrize("payload", CASE_NUMBERS + STATUS_URLS + MIXED)
def test_the_matrix_is_reportlabs(payload: str) -> None:
    expected = tuple(tuple(bool(cell) for cell in row) for row in reportlab_code(payload).modules)
    assert qr_modules.__wrapped__(payload) == expected
    assert qr_modules(payload) == expected


def test_a_matrix_with_every_rule_scores_each_rule() -> None:
    """A hand-made 13×13 matrix: one light row (a run of 13), one 2×2 dark block, the finder-like pattern once."""
    rows = [[False] * 13 for _ in range(13)]
    rows[0] = [True, False, True, True, True, False, True, False, False, False, False, True, True]
    rows[5][5] = rows[5][6] = rows[6][5] = rows[6][6] = True
    code = _QuickMaskQRCode(None, qrencoder.QRErrorCorrectLevel.M)
    code.modules = rows
    assert lost_points(rows) == qrencoder.QRUtil.getLostPoint(code)

"""The embedded font's quicker subsetting (gridstation/common/pdf_font.py) must write exactly what reportlab writes:
the same glyphs, re-linked composites, metrics, tables and checksums, byte for byte."""

from __future__ import annotations

import random

import pytest
from reportlab.pdfbase.ttfonts import TTFont

from gridstation.assets import FONT_FILE
from gridstation.common.pdf_font import quick_subsetting

RECEIPT = "枫林居委会民情快办工作站 民情诉求受理回执 受理编号：JA01-20261123-0042-K 楼前香樟树长得太高，遮挡采光。"


@pytest.fixture(scope="module")
def faces() -> tuple[object, object]:
    reportlabs = TTFont("reportlab-subsets", str(FONT_FILE), subfontIndex=0).face
    quick = quick_subsetting(TTFont("quick-subsets", str(FONT_FILE), subfontIndex=0)).face
    return reportlabs, quick


def subsets() -> list[list[int]]:
    rng = random.Random(18)
    chosen = [
        list(dict.fromkeys(map(ord, RECEIPT))),
        [ord(" ")],
        list(range(0x20, 0x7F)),
        list(range(0xC0, 0x180)),  # accented Latin: composite glyphs built from a letter and a mark
        [0x1F600, ord("〓"), 0x20BB7],  # characters the font lacks fall back to glyph 0
    ]
    codes = sorted(TTFont("codes", str(FONT_FILE), subfontIndex=0).face.charToGlyph)
    chosen += [rng.sample(codes, rng.randrange(1, 256)) for _ in range(40)]
    return chosen


@pytest.mark.parametrize("subset", subsets())
def test_a_subset_is_byte_for_byte_reportlabs(faces: tuple[object, object], subset: list[int]) -> None:
    reportlabs, quick = faces
    assert quick.makeSubset(subset) == reportlabs.makeSubset(subset)  # type: ignore[attr-defined]


def test_the_same_subset_twice_is_the_same(faces: tuple[object, object]) -> None:
    """The glyphs read for the first document are reused, not changed, by the next (composites are re-linked on a
    copy)."""
    reportlabs, quick = faces
    first, second = [ord(c) for c in "ÀÉ民情"], [ord(c) for c in "情É民À"]
    expected = [reportlabs.makeSubset(first), reportlabs.makeSubset(second)]  # type: ignore[attr-defined]
    assert [quick.makeSubset(first), quick.makeSubset(second), quick.makeSubset(first)] == [  # type: ignore[attr-defined]
        expected[0],
        expected[1],
        expected[0],
    ]

"""Styles and building blocks shared by the documents."""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence
from datetime import datetime
from functools import lru_cache
from typing import Any

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_LEFT
from reportlab.lib.styles import ParagraphStyle
from reportlab.platypus import BaseDocTemplate, Flowable, Frame, PageTemplate, Paragraph, Table, TableStyle
from reportlab.platypus.paragraph import cleanBlockQuotedText
from reportlab.platypus.paraparser import ParaParser

from gridstation.common.pdf_text import MISSING_GLYPH_NOTE, Marked, register_fonts

CHECKED = "■"
UNCHECKED = "□"


class LaidOutParagraph(Paragraph):  # type: ignore[misc]
    """A paragraph that keeps its line breaks for the width it was last wrapped at, and reads plain text without
    reportlab's markup parser.

    platypus wraps each paragraph three or four times at the same width (the roll's length, the table's row heights,
    the frame, the table's cells as they are drawn); breaking Chinese text into lines measures every character, so a
    receipt spent ~1 ms doing it again. The breaks depend on the text, the style and the width only; a page break
    that splits the paragraph (or pushes it on whole) drops them, and they are made again.

    Text without a tag or an entity (most of a receipt: every label and most values) parses to one fragment in the
    style's font; that fragment is made from the style's own, parsed once, instead of running an HTML parser per
    paragraph (~0.4 ms a receipt)."""

    _wrapped_width: float | None = None

    def __init__(self, text: str | None, style: ParagraphStyle, **more: Any) -> None:
        # `more`: what platypus passes when it splits a paragraph across pages (its fragments, bullet text …).
        cleaned = cleanBlockQuotedText(text) if text is not None and not more else ""  # what the parser is given
        if cleaned and "<" not in cleaned and "&" not in cleaned:
            super().__init__(cleaned, style, frags=[_plain_fragment(style, cleaned)])
        else:
            super().__init__(text, style, **more)

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        if avail_width != self._wrapped_width or not hasattr(self, "blPara"):
            super().wrap(avail_width, avail_height)
            self._wrapped_width = avail_width
        return self.width, self.height


_fragments: dict[int, tuple[ParagraphStyle, Any]] = {}


def _plain_fragment(style: ParagraphStyle, text: str) -> Any:
    """The fragment reportlab's parser makes of plain `text` in `style`: the style's own fragment (parsed once per
    style) with the text, and lists of its own."""
    known = _fragments.get(id(style))
    if known is None or known[0] is not style:
        _style, parsed, _bullet = ParaParser().parse("x", style)
        known = _fragments[id(style)] = (style, parsed[0])
    fragment = known[1].clone(text=text)
    for name, value in vars(fragment).items():
        if isinstance(value, list):
            setattr(fragment, name, list(value))
    return fragment


@lru_cache(maxsize=64)
def style(size: float, *, align: int = TA_LEFT, leading: float | None = None, space_after: float = 0) -> ParagraphStyle:
    """A paragraph style in the embedded CJK font, wrapping between any two Han characters (one object per set of
    arguments: nothing changes a style once made, and the plain paragraphs' fragments are kept per style)."""
    font = register_fonts()
    return ParagraphStyle(
        name=f"cjk-{size}-{align}",
        fontName=font,
        fontSize=size,
        leading=leading if leading is not None else size * 1.35,
        alignment=align,
        wordWrap="CJK",
        spaceAfter=space_after,
    )


def centred(markup: str, size: float, space_after: float = 0) -> Paragraph:
    return Paragraph(markup, style(size, align=TA_CENTER, space_after=space_after))


def local_text(moment: datetime | None, with_time: bool = True) -> str:
    if moment is None:
        return ""
    return f"{moment:%Y-%m-%d %H:%M}" if with_time else f"{moment:%Y-%m-%d}"


def grid_table(
    rows: Sequence[Sequence[Any]],
    col_widths: Sequence[float],
    *,
    size: float,
    header: bool = False,
    extra: Sequence[tuple[Any, ...]] = (),
) -> Table:
    table = Table(list(rows), colWidths=list(col_widths), repeatRows=1 if header else 0)
    commands: list[tuple[Any, ...]] = [
        ("FONT", (0, 0), (-1, -1), register_fonts(), size),
        ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("LEFTPADDING", (0, 0), (-1, -1), 3),
        ("RIGHTPADDING", (0, 0), (-1, -1), 3),
    ]
    if header:
        commands.append(("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#E8E8E8")))
    commands.extend(extra)
    table.setStyle(TableStyle(commands))
    return table


def missing_glyph_note(marked: Marked, size: float) -> list[Flowable]:
    """The footnote that explains 〓, on documents where a character had to be replaced."""
    return [Paragraph(MISSING_GLYPH_NOTE, style(size))] if marked.replaced else []


def build_pdf(
    flowables: list[Flowable],
    page: tuple[float, float],
    margin: float,
    *,
    title: str,
    on_page: Callable[[Any, Any], None] | None = None,
    compressed: bool = True,
) -> bytes:
    """Lay out `flowables` on pages of size `page` and return the PDF; `compressed=False` leaves its streams (the
    embedded font's outlines, the page) uncompressed: a larger file, made faster."""
    buffer = io.BytesIO()
    width, height = page
    frame = Frame(margin, margin, width - 2 * margin, height - 2 * margin, 0, 0, 0, 0, id="body")
    doc = BaseDocTemplate(
        buffer,
        pagesize=page,
        leftMargin=margin,
        rightMargin=margin,
        topMargin=margin,
        bottomMargin=margin,
        title=title,
        author="GridStation",
        creator="GridStation",
        invariant=True,
        pageCompression=None if compressed else 0,
    )
    doc.addPageTemplates([PageTemplate(id="page", frames=[frame], onPage=on_page or _no_decoration)])
    doc.build(flowables)
    return buffer.getvalue()


def _no_decoration(canvas: Any, doc: Any) -> None:
    return None


def content_height(flowables: Sequence[Flowable], width: float) -> float:
    """Height the flowables need in a frame `width` wide (for a thermal roll, the page is as long as this)."""
    total = 0.0
    for index, flowable in enumerate(flowables):
        _, height = flowable.wrap(width, 1e6)
        total += height + flowable.getSpaceAfter()
        if index:
            total += flowable.getSpaceBefore()
    return total

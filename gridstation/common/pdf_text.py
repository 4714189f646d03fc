"""The embedded CJK font, and text made safe for it: shared by the desk's printing and the server's PDF agenda.

reportlab embeds TrueType outlines only; WenQuanYi Micro Hei (shipped in resources/fonts) covers GB18030's common
characters. A character outside the font (𠮷, emoji) would print as nothing, so it is replaced by 〓 — the
printer's conventional mark for a character that cannot be set — and the document says what the mark means.
"""

from __future__ import annotations

import threading
import unicodedata
from functools import cache
from xml.sax.saxutils import escape

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

from gridstation.assets import FONT_FILE
from gridstation.common.pdf_font import quick_subsetting

FONT = "WenQuanYiMicroHei"
MISSING_GLYPH = "〓"
MISSING_GLYPH_NOTE = "注：〓 为打印字体无法显示的字符，以登记内容为准。"
_lock = threading.Lock()


@cache
def _covered() -> frozenset[int]:
    return frozenset(_font().face.charToGlyph)


def _font() -> TTFont:
    return pdfmetrics.getFont(register_fonts())


def register_fonts() -> str:
    """Register the CJK font with reportlab once (thread-safe); returns its name."""
    with _lock:
        try:
            pdfmetrics.getFont(FONT)
        except KeyError:
            pdfmetrics.registerFont(quick_subsetting(TTFont(FONT, str(FONT_FILE), subfontIndex=0)))
    return FONT


def printable(text: str) -> tuple[str, bool]:
    """`text` with characters the font lacks replaced by 〓; also says whether any were replaced."""
    covered = _covered()
    out: list[str] = []
    replaced = False
    for ch in text:
        code = ord(ch)
        if code in covered or ch in "\n\t":
            out.append(ch)
        elif unicodedata.category(ch) in ("Mn", "Cf", "Cc"):
            # Variation selectors, zero-width joiners and control characters have no glyph of their own.
            continue
        else:
            out.append(MISSING_GLYPH)
            replaced = True
    return "".join(out), replaced


class Marked:
    """Collects whether any text in one document needed the 〓 mark, for the footnote."""

    def __init__(self) -> None:
        self.replaced = False

    def plain(self, text: str) -> str:
        safe, replaced = printable(text)
        self.replaced |= replaced
        return safe

    def markup(self, text: str) -> str:
        """For a reportlab Paragraph: safe, XML-escaped, line breaks kept."""
        return escape(self.plain(text)).replace("\n", "<br/>")


def shorten(text: str, limit: int, mark: str) -> str:
    """At most `limit` characters (code points), with `mark` appended when something was cut."""
    flat = " ".join(text.split())
    if len(flat) <= limit:
        return flat
    return flat[:limit].rstrip() + mark

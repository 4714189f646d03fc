"""The embedded font's subsetting: reportlab's output, byte for byte, made several times faster.

Every PDF embeds the glyphs it uses. A receipt uses ~150 of WenQuanYi Micro Hei, most of them composite (built from
other glyphs), and reportlab's `TTFontFile.makeSubset` reads, re-links and checksums each of them again for every
document: a quarter of a receipt's making, sampled with py-spy (benchmarks/README.md). `QuickSubsetFace` reads each
glyph once — its bytes, the components it refers to, its checksum — and sums the tables' and the file's checksums from
the parts instead of reading the whole file again. The steps and their order are reportlab's; tests/test_pdf_font.py
checks the result against reportlab's own for many subsets.
"""

from __future__ import annotations

from dataclasses import dataclass
from struct import pack, pack_into, unpack_from
from typing import Any

from reportlab.lib.rl_accel import add32, calcChecksum
from reportlab.pdfbase.ttfonts import (
    GF_ARG_1_AND_2_ARE_WORDS,
    GF_MORE_COMPONENTS,
    GF_WE_HAVE_A_SCALE,
    GF_WE_HAVE_A_TWO_BY_TWO,
    GF_WE_HAVE_AN_X_AND_Y_SCALE,
    TTFont,
    TTFontFace,
)

_COPIED_TABLES = ("name", "OS/2", "cvt ", "fpgm", "prep")


@dataclass(frozen=True, slots=True)
class _Glyph:
    data: bytes  # as stored in the font
    components: tuple[int, ...]  # the glyphs it is built from, in the order the subset takes them in
    links: tuple[tuple[int, int], ...]  # (offset in `data` of a component's glyph number, that number) to re-link
    checksum: int  # of `data` padded to four bytes; a re-linked glyph has its own


class QuickSubsetFace(TTFontFace):  # type: ignore[misc]
    """A TrueType face whose subsets are made from glyphs read once (see the module's docstring)."""

    def makeSubset(self, subset: list[int]) -> bytes:  # reportlab's name: TTFont.addObjects calls it
        glyph_map = [0]  # new glyph number -> the font's
        glyph_set = {0: 0}  # the font's glyph number -> new
        code_to_glyph: dict[int, int] = {}
        char_to_glyph = self.charToGlyph
        for code in subset:
            original = char_to_glyph.get(code, 0)
            if original not in glyph_set:
                glyph_set[original] = len(glyph_map)
                glyph_map.append(original)
            code_to_glyph[code] = glyph_set[original]
        glyphs: list[_Glyph] = []
        n = 0
        while n < len(glyph_map):  # glyph_map grows with the components of composite glyphs
            glyph = self._glyph(glyph_map[n])
            glyphs.append(glyph)
            n += 1
            for component in glyph.components:
                if component not in glyph_set:
                    glyph_set[component] = len(glyph_map)
                    glyph_map.append(component)

        fixed = self._fixed_tables()
        tables: dict[str, bytes] = {tag: fixed[tag] for tag in _COPIED_TABLES if tag in fixed}
        tables["post"] = fixed["post"]
        glyph_count = len(glyph_map)
        hmetrics = self.hmetrics
        hmtx: list[int] = []
        for original in glyph_map:
            advance, bearing = hmetrics[original]
            hmtx.append(int(advance))
            hmtx.append(int(bearing))
        n = len(hmtx) - 2
        while n and hmtx[n] == hmtx[n - 2]:
            n -= 2
        n += 2
        full_metrics = n >> 1
        hmtx = hmtx[:n] + hmtx[n + 1 :: 2]
        tables["hmtx"] = pack(f">{len(hmtx)}H", *hmtx)
        tables["hhea"] = _with_ushort(fixed["hhea"], 34, full_metrics)
        tables["maxp"] = _with_ushort(fixed["maxp"], 4, glyph_count)
        cmap = [0, 1, 1, 0, 0, 12, 6, 10 + len(subset) * 2, 0, 0, len(subset), *map(code_to_glyph.get, subset)]
        tables["cmap"] = pack(f">{len(cmap)}H", *cmap)

        parts: list[bytes] = []
        offsets: list[int] = []
        glyf_checksum = 0
        position = 0
        for glyph in glyphs:
            offsets.append(position)
            data, checksum = glyph.data, glyph.checksum
            if glyph.links:
                relinked = bytearray(data)
                for offset, original in glyph.links:
                    pack_into(">H", relinked, offset, glyph_set[original])
                data = bytes(relinked)
                checksum = calcChecksum(data)
            parts.append(data)
            glyf_checksum += checksum
            position += len(data)
            if position % 4:
                padding = 4 - position % 4
                parts.append(b"\0" * padding)
                position += padding
        offsets.append(position)
        tables["glyf"] = b"".join(parts)
        if (position + 1) >> 1 > 0xFFFF:
            location_format = 1
            tables["loca"] = pack(f">{len(offsets)}L", *offsets)
        else:
            location_format = 0
            tables["loca"] = pack(f">{len(offsets)}H", *(offset >> 1 for offset in offsets))
        head = _with_ushort(fixed["head"], 50, location_format)
        tables["head"] = head[:8] + b"\0\0\0\0" + head[12:]  # TTFontMaker.add: the adjustment is written last
        return _font_file(tables, {"glyf": glyf_checksum & 0xFFFFFFFF})

    def _glyph(self, original: int) -> _Glyph:
        glyphs: dict[int, _Glyph] = self.__dict__.setdefault("_glyphs", {})
        found = glyphs.get(original)
        if found is None:
            found = glyphs[original] = self._read_glyph(original)
        return found

    def _read_glyph(self, original: int) -> _Glyph:
        file = self._ttf_data
        start = self.get_table_pos("glyf")[0] + self.glyphPos[original]
        length = self.glyphPos[original + 1] - self.glyphPos[original]
        data = bytes(file[start : start + length])
        components: list[int] = []
        if length and unpack_from(">h", file, start)[0] < 0:  # composite: reportlab reads it from the file
            components = [glyph for _offset, glyph in _component_numbers(file, start)]
        links: list[tuple[int, int]] = []
        if length > 2 and unpack_from(">h", data, 0)[0] < 0:  # … and re-links it from the glyph's own bytes
            links = _component_numbers(data, 0)
        return _Glyph(data, tuple(components), tuple(links), calcChecksum(data))

    def _fixed_tables(self) -> dict[str, bytes]:
        """The tables every subset copies (or changes in a few bytes), read once."""
        fixed: dict[str, bytes] | None = self.__dict__.get("_fixed")
        if fixed is None:
            fixed = {}
            for tag in (*_COPIED_TABLES, "hhea", "maxp", "head"):
                try:
                    fixed[tag] = bytes(self.get_table(tag))
                except KeyError:  # cvt, fpgm and prep are optional; name and OS/2 were checked when the font loaded
                    pass
            fixed["post"] = b"\x00\x03\x00\x00" + self.get_table("post")[4:16] + b"\x00" * 16
            self.__dict__["_fixed"] = fixed
        return fixed


def _component_numbers(data: Any, start: int) -> list[tuple[int, int]]:
    """(position in `data`, glyph number) of each component of the composite glyph at `start` in `data`."""
    found: list[tuple[int, int]] = []
    position = start + 10
    flags = GF_MORE_COMPONENTS
    while flags & GF_MORE_COMPONENTS:
        flags, glyph = unpack_from(">HH", data, position)
        found.append((position + 2, glyph))
        position += 4
        position += 4 if flags & GF_ARG_1_AND_2_ARE_WORDS else 2
        if flags & GF_WE_HAVE_A_SCALE:
            position += 2
        elif flags & GF_WE_HAVE_AN_X_AND_Y_SCALE:
            position += 4
        elif flags & GF_WE_HAVE_A_TWO_BY_TWO:
            position += 8
    return found


def _with_ushort(data: bytes, offset: int, value: int) -> bytes:
    return data[:offset] + pack(">H", value) + data[offset + 2 :]


def _font_file(tables: dict[str, bytes], known_checksums: dict[str, int]) -> bytes:
    """reportlab's TTFontMaker.makeStream: the header, the table directory, the tables padded to four bytes, and the
    whole file's checksum adjustment in `head` — that checksum summed from the tables' instead of read again."""
    count = len(tables)
    search_range, entry_selector = 1, 0
    while search_range * 2 <= count:
        search_range *= 2
        entry_selector += 1
    search_range *= 16
    header = [pack(">lHHHH", 0x00010000, count, search_range, entry_selector, count * 16 - search_range)]
    offset = 12 + count * 16
    head_start = 0
    total = 0
    ordered = sorted(tables.items())
    for tag, data in ordered:
        if tag == "head":
            head_start = offset
        checksum = known_checksums[tag] if tag in known_checksums else calcChecksum(data)
        total += checksum
        header.append(tag.encode("latin1") + pack(">LLL", checksum, offset, len(data)))
        offset += (len(data) + 3) & ~3
    directory = b"".join(header)
    total += calcChecksum(directory)
    stream = bytearray(directory)
    for _tag, data in ordered:
        stream += data
        stream += b"\0" * (-len(data) % 4)
    pack_into(">L", stream, head_start + 8, add32(0xB1B0AFBA, -(total & 0xFFFFFFFF)))
    return bytes(stream)


def quick_subsetting(font: TTFont) -> TTFont:
    """`font` with its face subsetting the quick way (the face is reportlab's TTFontFace otherwise unchanged)."""
    font.face.__class__ = QuickSubsetFace
    return font

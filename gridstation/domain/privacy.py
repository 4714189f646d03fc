"""What the public may read of a case: free text with personal details taken out, and a place no finer than a
compound (小区) or a road.

Everything the server publishes about a case (Open311 in JSON and XML, the status page behind the receipt's QR
code) goes through here, so there is one list of what counts as personal: mainland mobile and landline numbers
(with or without separators or +86), resident ID numbers (18 digits, or the old 15), vehicle plates, room and door
numbers, e-mail addresses, very long digit runs, and the complainant's own name. Each is replaced by a label that
says what was there, so a reader still understands the sentence ("枫林苑〔门牌已隐去〕漏水").

The patterns lean towards hiding: a room number taken for an amount costs a resident nothing, the reverse costs
their privacy. What must survive is what a resident reads in a public notice: dates, times, amounts, distances,
"3号线", "12345热线", and a building alone ("5号楼门口").
"""

from __future__ import annotations

import re
from collections.abc import Iterable

PHONE_HIDDEN = "〔电话已隐去〕"
ID_HIDDEN = "〔证件号已隐去〕"
PLATE_HIDDEN = "〔车牌已隐去〕"
ROOM_HIDDEN = "〔门牌已隐去〕"
EMAIL_HIDDEN = "〔邮箱已隐去〕"
NUMBER_HIDDEN = "〔号码已隐去〕"
NAME_HIDDEN = "〔姓名已隐去〕"
SUMMARY_MAX_CHARS = 200

# Digits as typed on a Chinese keyboard: ASCII or full-width.
_D = "[0-9０-９]"
_NOT_D_BEFORE = "(?<![0-9０-９])"
_NOT_D_AFTER = "(?![0-9０-９])"
_LATIN = "A-Za-zＡ-Ｚａ-ｚ"
_SEP = r"[ \t\-－—.·]"  # what people put between groups of a number ("138 0013 8000", "021-6432-1234")

_EMAIL = re.compile(r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,}")
# 18 digits (the last may be X), optionally grouped 6-8-4; and the first-generation 15 digits, looked for after
# phone numbers (0086 and a mobile number are 15 digits too).
_RESIDENT_ID = re.compile(rf"{_NOT_D_BEFORE}{_D}{{6}} ?{_D}{{8}} ?{_D}{{3}}[0-9０-９XxＸｘ]{_NOT_D_AFTER}")
_OLD_RESIDENT_ID = re.compile(rf"{_NOT_D_BEFORE}{_D}{{15}}{_NOT_D_AFTER}")
# Bank cards, tracking numbers and the like: no public notice needs a run of twelve digits or more.
_LONG_NUMBER = re.compile(rf"{_D}{{12,}}")
_MOBILE = re.compile(
    rf"{_NOT_D_BEFORE}(?:[(（]?(?:[+＋]|00|００)?\s?[8８][6６][)）]?{_SEP}?)?[1１][3-9３-９]{_D}(?:{_SEP}?{_D}{{4}}){{2}}{_NOT_D_AFTER}"
)
_LANDLINE = re.compile(
    rf"{_NOT_D_BEFORE}(?:[(（]\s?[0０]{_D}{{2,3}}\s?[)）]|[0０]{_D}{{2,3}}){_SEP}?"
    rf"[2-9２-９]{_D}{{2,3}}{_SEP}?{_D}{{4}}"
    rf"(?:\s?(?:转|分机|ext\.?|x|#|＃)\s?{_D}{{1,6}})?{_NOT_D_AFTER}",
    re.IGNORECASE,
)
# A local number without its area code is only recognisable by what is said before it ("电话：64321234").
_LOCAL_NUMBER = re.compile(
    rf"(?P<lead>(?:电话|手机|座机|联系方式|致电|拨打|tel)[^0-9０-９\n]{{0,6}}?){_D}{{7,8}}{_NOT_D_AFTER}",
    re.IGNORECASE,
)
# Province, issuing letter, then five or six letters and digits (at least one digit), or four and 挂/学/警/港/澳.
_PROVINCES = "京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼"
_PLATE_CHAR = f"[{_LATIN}0-9０-９]"
_PLATE = re.compile(
    rf"[{_PROVINCES}]\s?[{_LATIN}]\s?[·•・.\-\s]?\s?"
    rf"(?=[{_LATIN}]{{0,5}}[0-9０-９])(?:{_PLATE_CHAR}{{4}}[挂学警港澳]|{_PLATE_CHAR}{{5,6}})(?![{_LATIN}0-9０-９])"
)
_BUILDING = rf"(?:{_D}{{1,3}}\s?(?:号楼|号|栋|幢|座|楼)|[{_LATIN}]\s?(?:座|栋|幢))"
_UNIT = rf"{_D}{{1,2}}\s?单元"
_ROOM_WORD = "(?:室|号房|房间|房(?![租价东产屋子贷]))"
# 1201室, 5号楼1201室, 3单元502室, 5-1201室, 12-3-401室
_ROOM_WITH_WORD = re.compile(
    rf"(?:{_BUILDING}\s?)?(?:{_UNIT}\s?)?(?:{_D}{{1,3}}[-－—]){{0,2}}[{_LATIN}]?{_D}{{2,5}}\s?{_ROOM_WORD}"
)
# 5号楼1201, 5栋 1201, 3单元502, 5号楼3单元502: a building (not a bare 号, which is also a day) or a unit, then
# three or four digits that are not an amount, a distance or a year.
_ROOM_AFTER_BUILDING = re.compile(
    rf"(?:{_D}{{1,3}}\s?(?:号楼|栋|幢|座|楼)\s?(?:{_UNIT}\s?)?|[{_LATIN}]\s?(?:座|栋|幢)\s?(?:{_UNIT}\s?)?|{_UNIT}\s?)"
    rf"[{_LATIN}]?{_D}{{3,4}}{_NOT_D_AFTER}"
    r"(?!\s?(?:元|块|米|平|公里|千米|人|户|个|次|年|天|辆|吨|斤|公斤|万|%|％|km|m\b))"
)
# 12-3-401 (building-unit-room); a date written 23-11-2026 is left alone.
_ROOM_DASHED = re.compile(
    rf"(?<![0-9０-９\-－]){_D}{{1,3}}[-－]{_D}{{1,2}}[-－](?!(?:19|20){_D}{{2}}{_NOT_D_AFTER}){_D}{{3,4}}"
    rf"(?![0-9０-９\-－])"
)
# A house in a lane (弄): 湖南路123弄45号 keeps the road and the lane.
_LANE_HOUSE = re.compile(rf"(?<=弄)\s?{_D}{{1,4}}\s?号(?![线楼])")

_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = (
    (_EMAIL, EMAIL_HIDDEN),
    (_RESIDENT_ID, ID_HIDDEN),
    (_MOBILE, PHONE_HIDDEN),
    (_LANDLINE, PHONE_HIDDEN),
    (_LOCAL_NUMBER, rf"\g<lead>{PHONE_HIDDEN}"),
    (_OLD_RESIDENT_ID, ID_HIDDEN),
    (_LONG_NUMBER, NUMBER_HIDDEN),
    (_PLATE, PLATE_HIDDEN),
    (_ROOM_WITH_WORD, ROOM_HIDDEN),
    (_ROOM_AFTER_BUILDING, ROOM_HIDDEN),
    (_ROOM_DASHED, ROOM_HIDDEN),
    (_LANE_HOUSE, ROOM_HIDDEN),
)

# A place name is words (letters and ideographs, maybe spaced): it stops at the first digit or sign, or at a
# building, unit, room or lane counted in Chinese numerals (五号楼, 三单元).
_PLACE_NAME = re.compile(r"[^\W\d_]+(?:[ ·][^\W\d_]+)*")
_DETAIL_IN_WORDS = re.compile(r"[一二三四五六七八九十百零〇两]+\s?(?:号|栋|幢|座|单元|室|弄|楼)")
_ROAD_ENDINGS = ("路", "街", "大道", "公路", "巷", "胡同")


def scrub(text: str, *, known: Iterable[str] = ()) -> str:
    """The text with every personal detail replaced by a label saying what was there.

    `known` are personal strings the caller holds for this case (the complainant's name): hidden wherever they
    occur, even where no pattern would recognise them.
    """
    for pattern, label in _PATTERNS:
        text = pattern.sub(label, text)
    for word in sorted({w.strip() for w in known if len(w.strip()) >= 2}, key=len, reverse=True):
        text = text.replace(word, NAME_HIDDEN)
    return text


def public_summary(description: str, *, known: Iterable[str] = ()) -> str:
    """A resident's description as the public reads it: scrubbed, then cut to SUMMARY_MAX_CHARS."""
    text = scrub(description.strip(), known=known)
    return text if len(text) <= SUMMARY_MAX_CHARS else text[: SUMMARY_MAX_CHARS - 1] + "…"


def coarse_location(compound: str, address: str, *, known: Iterable[str] = ()) -> str:
    """Where a case is, as coarsely as a neighbour would say it: the compound, else the road; never a building,
    a room, coordinates or an address id. Empty when neither can be told apart from the detail."""
    place = _before_detail(compound)
    if not place:
        road = _before_detail(address)
        place = road if road.endswith(_ROAD_ENDINGS) else ""
    # A place that holds anything personal ("张伟家") is no place to publish.
    return place if place and scrub(place, known=known) == place else ""


def _before_detail(text: str) -> str:
    name = _PLACE_NAME.match(" ".join(text.split()))
    if name is None:
        return ""
    detail = _DETAIL_IN_WORDS.search(name.group())
    return name.group()[: detail.start() if detail else None].strip()

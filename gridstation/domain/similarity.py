"""Which earlier cases a new complaint is like, and why (issue 17, 一件事 → 一类事).

The storage layer finds candidates (by words through a BM25 index, by address, by phone); this module ranks them.
Text similarity is the cosine of the two cases' word sets, each word weighted by how rare it is at the station
(inverse document frequency), so "电梯" shared by many cases counts for less than "轿厢" or "飞线充电". The address
(same compound, building, door), the category and the phone add to it, but never outweigh the text: of two cases at
the same door, the one about the same problem ranks first.

Reasons, as the desk and `gridstation cases similar --json` give them:
- `similar_text`: the texts are alike (cosine ≥ SIMILAR_TEXT);
- `same_address`: the same compound and building (any door), or the same compound when neither names a building;
- `same_phone`: the same resident's phone;
- `open_duplicate`: still open, at the same address (or in the same compound when neither names a building), alike
  in text, and of the same category group when both are known — likely the same problem reported again;
- `repeat_after_closure` (复发): closed at most `repeat_days` ago at the same address, alike in text and of the same
  category group when both are known — the fix did not hold.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import IntEnum, StrEnum

SIMILAR_TEXT = 0.2
# The text's likeness: mostly its words' (meaning, synonyms), partly its characters' (what segmenting split apart).
WORD_SHARE = 0.7
REPEAT_DAYS = 60
# How much besides the text: a whole address match, the same category, the same phone.
ADDRESS_WEIGHT = 0.3
CATEGORY_WEIGHT = 0.25
CATEGORY_GROUP_WEIGHT = 0.04
PHONE_WEIGHT = 0.08


class Reason(StrEnum):
    SIMILAR_TEXT = "similar_text"
    SAME_ADDRESS = "same_address"
    SAME_PHONE = "same_phone"
    OPEN_DUPLICATE = "open_duplicate"
    REPEAT_AFTER_CLOSURE = "repeat_after_closure"


REASON_LABELS: dict[Reason, str] = {
    Reason.SIMILAR_TEXT: "内容相似",
    Reason.SAME_ADDRESS: "同一地址",
    Reason.SAME_PHONE: "同一电话",
    Reason.OPEN_DUPLICATE: "疑似重复（未办结）",
    Reason.REPEAT_AFTER_CLOSURE: "复发（办结后再次反映）",
}


class AddressMatch(IntEnum):
    NONE = 0
    COMPOUND = 1
    BUILDING = 2
    DOOR = 3


@dataclass(frozen=True, slots=True)
class Place:
    """Where a case is: compound (小区), building (楼栋), door (室号 or the rest of the address)."""

    compound: str = ""
    building: str = ""
    door: str = ""


@dataclass(frozen=True, slots=True)
class Probe:
    """The complaint being registered, as far as the clerk has typed it."""

    words: Sequence[str]
    place: Place = Place()
    phone: str = ""
    category_code: str = ""
    now: datetime | None = None
    text: str = ""  # as typed: its characters back up the words where segmenting differs (垃圾房 / 垃圾箱房)


@dataclass(frozen=True, slots=True)
class Candidate:
    """An earlier case, with the words the index holds for it."""

    case_id: str
    number: str
    words: Sequence[str]
    place: Place
    phone: str
    category_code: str
    is_open: bool
    registered_at: datetime
    closed_at: datetime | None = None
    text: str = ""


@dataclass(frozen=True, slots=True)
class Match:
    candidate: Candidate
    score: float
    text_similarity: float
    address: AddressMatch
    reasons: tuple[Reason, ...]


_DIGITS = re.compile(r"[0-9]+")
_BUILDING_WORDS = re.compile(r"(号楼|号|栋|幢|座|楼|#)$")


def _plain(text: str) -> str:
    """Full-width digits and letters as ASCII, no spaces, lower case: "３号楼 " and "3号楼" are the same."""
    return "".join(unicodedata.normalize("NFKC", text).split()).lower()


def _building_key(building: str) -> str:
    plain = _plain(building)
    return _BUILDING_WORDS.sub("", plain) or plain


# How clerks write a building's number: "3号楼", "3号", "3栋", "3幢", "3座", "3#", "3".
BUILDING_SUFFIXES = ("号楼", "号", "栋", "幢", "座", "#", "")
_BUILDING_NUMBER = re.compile(r"\s*([0-9A-Za-z]+)")


def building_spellings(building: str) -> list[str]:
    """The ways the same building may be stored, the one typed among them; [] when it names no number or letter
    ("3" of "3号楼", "B" of "B座") to spell it by."""
    found = _BUILDING_NUMBER.match(unicodedata.normalize("NFKC", building))
    if not found:
        return []
    return sorted({building, *(found.group(1) + suffix for suffix in BUILDING_SUFFIXES)})


def _door_key(door: str) -> str:
    numbers = _DIGITS.findall(_plain(door))
    return numbers[-1] if numbers else _plain(door)


def address_match(a: Place, b: Place) -> AddressMatch:
    if not a.compound or _plain(a.compound) != _plain(b.compound):
        return AddressMatch.NONE
    if not (a.building and b.building) or _building_key(a.building) != _building_key(b.building):
        return AddressMatch.COMPOUND
    if a.door and b.door and _door_key(a.door) == _door_key(b.door):
        return AddressMatch.DOOR
    return AddressMatch.BUILDING


_BUILDING = re.compile(r"([0-9]+|[a-z])\s*(号楼|栋|幢|座|号|#)")
_DOOR = re.compile(r"([0-9]+)\s*(室|号|户)?$")


def place_from_text(text: str, compounds: Sequence[str]) -> Place:
    """An address as typed ("枫林苑3号楼1201室", "康乐小区 5栋 2单元 302") split into compound, building and door:
    the longest of the station's compounds named in it, then a building number, the rest as the door."""
    plain = _plain(text)
    if not plain:
        return Place()
    compound = max((name for name in compounds if name and _plain(name) in plain), key=len, default="")
    rest = plain.split(_plain(compound), 1)[1] if compound else plain
    building_match = _BUILDING.search(rest)
    if not compound:
        compound = rest[: building_match.start()] if building_match else rest
        rest = rest[building_match.start() :] if building_match else ""
        building_match = _BUILDING.search(rest)
    building = building_match.group(0) if building_match else ""
    door = rest[building_match.end() :] if building_match else rest
    return Place(compound, building, door.strip())


def same_place(a: Place, b: Place) -> bool:
    """The same address as a stations means it for a repeat: the same building (a neighbour's door is the same
    lift, the same corridor, the same tree), or the same compound when neither names a building."""
    level = address_match(a, b)
    if level == AddressMatch.COMPOUND:
        return not a.building and not b.building
    return level >= AddressMatch.BUILDING


def idf(document_frequency: int, total: int) -> float:
    """BM25's inverse document frequency, always positive."""
    return math.log(1 + (total - document_frequency + 0.5) / (document_frequency + 0.5))


def text_similarity(a: Sequence[str], b: Sequence[str], weight: Mapping[str, float]) -> float:
    """Cosine of the two word sets, each word weighted by its idf (`weight`; a word it lacks counts as the rarest).

    The first set is the new complaint's: its words that no case at the station holds cannot match any case, so they
    are left out rather than making every case look less alike."""
    second = set(b)
    first = {word for word in a if word in weight or word in second} if weight else set(a)
    if not first or not second:
        return 0.0
    rare = max(weight.values(), default=1.0)
    shared = sum(weight.get(word, rare) ** 2 for word in first & second)
    if not shared:
        return 0.0
    norm_a = math.sqrt(sum(weight.get(word, rare) ** 2 for word in first))
    norm_b = math.sqrt(sum(weight.get(word, rare) ** 2 for word in second))
    return shared / (norm_a * norm_b)


_NOT_TEXT = re.compile(r"[\W\d_]+")


def character_pairs(text: str) -> set[str]:
    """The text's pairs of neighbouring characters, without digits, spaces and punctuation."""
    plain = _NOT_TEXT.sub("", unicodedata.normalize("NFKC", text))
    return {plain[i : i + 2] for i in range(len(plain) - 1)}


def pair_overlap(a: str, b: str) -> float:
    """Jaccard of the two texts' character pairs: no dictionary, so it sees what segmenting split differently."""
    first, second = character_pairs(a), character_pairs(b)
    if not first or not second:
        return 0.0
    return len(first & second) / len(first | second)


def category_group(code: str) -> str:
    return code.split(".", 1)[0]


def rank(
    probe: Probe,
    candidates: Sequence[Candidate],
    weight: Mapping[str, float],
    *,
    repeat_days: int = REPEAT_DAYS,
    limit: int = 10,
) -> list[Match]:
    """The candidates best first, each with its score and reasons; those with no reason at all are left out."""
    matches = [_match(probe, candidate, weight, repeat_days) for candidate in candidates]
    kept = [match for match in matches if match.reasons]
    kept.sort(key=lambda match: (-match.score, -match.candidate.registered_at.timestamp(), match.candidate.number))
    return kept[:limit]


def _match(probe: Probe, candidate: Candidate, weight: Mapping[str, float], repeat_days: int) -> Match:
    similarity = text_similarity(probe.words, candidate.words, weight)
    if probe.text and candidate.text:
        similarity = WORD_SHARE * similarity + (1 - WORD_SHARE) * pair_overlap(probe.text, candidate.text)
    address = address_match(probe.place, candidate.place)
    here = same_place(probe.place, candidate.place)
    same_category = bool(probe.category_code) and probe.category_code == candidate.category_code
    same_group = bool(probe.category_code) and category_group(probe.category_code) == category_group(
        candidate.category_code
    )
    same_phone = bool(probe.phone) and _plain(probe.phone) == _plain(candidate.phone)
    alike = similarity >= SIMILAR_TEXT
    reasons: list[Reason] = []
    if alike:
        reasons.append(Reason.SIMILAR_TEXT)
    if here:
        reasons.append(Reason.SAME_ADDRESS)
    if same_phone:
        reasons.append(Reason.SAME_PHONE)
    reachable = here or (same_phone and address == AddressMatch.NONE and not probe.place.compound)
    if candidate.is_open and reachable and alike and (not probe.category_code or same_group):
        reasons.append(Reason.OPEN_DUPLICATE)
    if (
        not candidate.is_open
        and here
        and candidate.closed_at is not None
        and probe.now is not None
        and probe.now - candidate.closed_at <= timedelta(days=repeat_days)
        and alike
        and (not probe.category_code or same_group)
    ):
        reasons.append(Reason.REPEAT_AFTER_CLOSURE)
    score = (
        similarity
        + ADDRESS_WEIGHT * int(address) / int(AddressMatch.DOOR)
        + CATEGORY_WEIGHT * same_category
        + CATEGORY_GROUP_WEIGHT * same_group
        + PHONE_WEIGHT * same_phone
    )
    return Match(candidate, round(score, 4), round(similarity, 4), address, tuple(reasons))

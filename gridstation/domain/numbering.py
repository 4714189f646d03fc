"""Case numbers printed on receipts: final once issued, unique across a sub-district.

Format: ``<station code>-<YYYYMMDD>-<4-digit daily sequence>-<check character>``, e.g. ``JA01-20261123-0007-K``.
The station code makes numbers unique across stations; the daily sequence is allocated in the same
transaction as the case insert; the check character (Luhn mod 36) catches a mistyped character or a
swap of two neighbouring characters when someone reads a number over the phone.
"""

from __future__ import annotations

import re
from datetime import date

from gridstation.domain.errors import DomainError

_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
STATION_CODE_PATTERN = re.compile(r"^[A-Z0-9]{2,8}$")
CASE_NUMBER_PATTERN = re.compile(
    r"^(?P<station>[A-Z0-9]{2,8})-(?P<day>\d{8})-(?P<seq>\d{4,6})-(?P<check>[0-9A-Z])$"
)
MAX_DAILY_SEQUENCE = 999_999


def check_character(body: str) -> str:
    """Luhn mod N over the alphanumeric characters of `body` (separators are ignored)."""
    n = len(_ALPHABET)
    factor = 2
    total = 0
    for char in reversed([c for c in body.upper() if c != "-"]):
        addend = factor * _ALPHABET.index(char)
        factor = 1 if factor == 2 else 2
        total += addend // n + addend % n
    return _ALPHABET[(n - total % n) % n]


def validate_station_code(code: str) -> str:
    normalised = code.strip().upper()
    if not STATION_CODE_PATTERN.match(normalised):
        raise DomainError(
            "station_code.malformed",
            "工作站编码须为 2–8 位大写字母或数字（如 JA01）。",
        )
    return normalised


def format_case_number(station_code: str, day: date, sequence: int) -> str:
    if not 1 <= sequence <= MAX_DAILY_SEQUENCE:
        raise DomainError("numbering.exhausted", "今日编号已用尽，请联系管理员。")
    body = f"{station_code}-{day:%Y%m%d}-{sequence:04d}"
    return f"{body}-{check_character(body)}"


def is_valid_case_number(number: str) -> bool:
    match = CASE_NUMBER_PATTERN.match(number.strip().upper())
    if not match:
        return False
    body = number.strip().upper()[:-2]
    return check_character(body) == match.group("check")

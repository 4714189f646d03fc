"""Case numbers printed on receipts: final once issued, unique across a sub-district.

Format: ``<station code>-<YYYYMMDD>-<4-digit daily sequence>-<check character>``, e.g. ``JA01-20261123-0007-K``.
The station code makes numbers unique across stations; the daily sequence is allocated in the same
transaction as the case insert; the check character catches every mistyped character and every swap of
two neighbouring characters when someone reads a number over the phone. It is Damm's algorithm over a
totally anti-symmetric quasigroup of order 36 (Luhn mod 36 misses the swap "0Z" ↔ "Z0", e.g. HZ01 ↔ H0Z1).
"""

from __future__ import annotations

import re
from datetime import date

from gridstation.domain.errors import DomainError

_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
STATION_CODE_PATTERN = re.compile(r"^[A-Z0-9]{2,8}$")
CASE_NUMBER_PATTERN = re.compile(r"^(?P<station>[A-Z0-9]{2,8})-(?P<day>\d{8})-(?P<seq>\d{4,6})-(?P<check>[0-9A-Z])$")
MAX_DAILY_SEQUENCE = 999_999


def _quasigroup() -> tuple[tuple[int, ...], ...]:
    """x∘y = t·x + y over GF(4) × GF(9), t a generator in each field (t ≠ 0, 1).

    (c∘x)∘y = (c∘y)∘x and x∘y = y∘x both imply (t − 1)(x − y) = 0, i.e. x = y: the quasigroup is totally
    anti-symmetric, which is what makes Damm's check catch every adjacent transposition.
    """

    def times_t_gf4(v: int) -> int:  # GF(2)[t]/(t²+t+1): (b0 + b1·t)·t = b1 + (b0 + b1)·t
        b0, b1 = v & 1, v >> 1
        return b1 | ((b0 ^ b1) << 1)

    def times_t_gf9(v: int) -> int:  # GF(3)[t]/(t²+1): (c0 + c1·t)·t = −c1 + c0·t
        c0, c1 = v % 3, v // 3
        return (-c1) % 3 + 3 * c0

    def add_gf9(u: int, v: int) -> int:
        return (u % 3 + v % 3) % 3 + 3 * ((u // 3 + v // 3) % 3)

    def op(x: int, y: int) -> int:
        x4, x9 = divmod(x, 9)
        y4, y9 = divmod(y, 9)
        return 9 * (times_t_gf4(x4) ^ y4) + add_gf9(times_t_gf9(x9), y9)

    n = len(_ALPHABET)
    return tuple(tuple(op(x, y) for y in range(n)) for x in range(n))


_TABLE = _quasigroup()


def check_character(body: str) -> str:
    """Damm's check character over the alphanumeric characters of `body` (separators are ignored)."""
    interim = 0
    for char in body.upper():
        if char != "-":
            interim = _TABLE[interim][_ALPHABET.index(char)]
    return _ALPHABET[_TABLE[interim].index(0)]


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

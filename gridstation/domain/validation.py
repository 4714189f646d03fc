"""Rules for what a clerk may type. Messages are plain Chinese; codes let the UI translate."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from datetime import timedelta

from gridstation.domain.errors import ValidationError

DESCRIPTION_MAX_CHARS = 4000
NAME_MAX_CHARS = 40
ADDRESS_MAX_CHARS = 200
REASON_MAX_CHARS = 1000

# Characters no text of a case may hold, wherever it comes from (the desk's forms, a pushed event, an Open311
# form, a 12345 export). One NUL stored by the server once made every pull of its station fail: PostgreSQL and the
# sync's wire format cannot carry it. The other C0 controls, DEL, lone surrogates and U+FFFE/U+FFFF are invisible
# to a person, break XML, and (the surrogates) cannot be written as UTF-8. Tab, line feed and carriage return are
# ordinary text: a description has lines, and the one-line fields turn them into spaces.
FORBIDDEN_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff\ufffe\uffff]")

# The sync's clock-skew rule: a time recorded at most this far ahead of the receiver's clock is shown as recorded (a
# station whose clock is a day off still syncs correctly); anything further ahead is a wrong clock, and the server
# shows and orders the event by the time it received it instead (the event keeps the station's time).
MAX_CLOCK_AHEAD = timedelta(days=1)


def code_point(character: str) -> str:
    return f"U+{ord(character):04X}"


def check_characters(text: str, *, field: str, label: str) -> str:
    """`text` unchanged, or a ValidationError naming the first forbidden character and where it is."""
    found = FORBIDDEN_CHARACTERS.search(text)
    if found is None:
        return text
    character, position = code_point(found.group()), found.start() + 1
    raise ValidationError(
        field,
        "text.control_character",
        f"{label}中含有不可见的控制字符（{character}，第 {position} 个字符），请删除后重新填写。",
        label=label,
        character=character,
        position=position,
    )


def without_forbidden_characters(text: str) -> str:
    """Text stored before the rule existed, with the forbidden characters removed (for the server's repair)."""
    return FORBIDDEN_CHARACTERS.sub("", text)


# Mainland mobile numbers: 11 digits starting 13–19. Optional +86/0086 prefix.
_MOBILE = re.compile(r"^(?:\+?86|0086)?1[3-9]\d{9}$")
# Landlines: area code 0xx/0xxx, 7–8 digit local number, optional extension; or a bare local number.
_LANDLINE = re.compile(r"^(?:0\d{2,3})?[2-9]\d{6,7}(?:(?:转|ext|#|x)\d{1,6})?$", re.IGNORECASE)
_PHONE_SEPARATORS = re.compile(r"[\s\-()（）]")


def normalise_phone(raw: str) -> str:
    """Strip separators people type ("021-6432 1234", "138 0013 8000"); full-width digits become ASCII."""
    text = unicodedata.normalize("NFKC", raw).strip()
    return _PHONE_SEPARATORS.sub("", text)


def validate_phone(raw: str, *, required: bool) -> str:
    phone = normalise_phone(check_characters(raw, field="phone", label="联系电话"))
    if not phone:
        if required:
            raise ValidationError("phone", "phone.required", "请填写联系电话。")
        return ""
    if _MOBILE.match(phone):
        return phone[-11:]
    if _LANDLINE.match(phone):
        return phone
    raise ValidationError(
        "phone",
        "phone.malformed",
        "电话号码格式不正确：请输入11位手机号（如 13800138000）或带区号的固定电话（如 021-64321234）。",
    )


def char_count(text: str) -> int:
    """Characters as a person counts them: 𠮷 (outside the BMP) is one, not two UTF-16 units."""
    return len(text)


def phone_needed(*, anonymous: bool) -> bool:
    """A resident who stays anonymous need not leave a number; everyone else must (the form's star says the same)."""
    return not anonymous


def has_content(text: str) -> bool:
    """Whether `text` says something: at least one letter or digit of any script (汉字, Latin, 1…), not only emoji,
    punctuation, symbols or spaces. "🔥🔥🔥" and "。。。" say nothing a department could act on."""
    return any(unicodedata.category(character)[0] in "LN" for character in text)


def validate_description(raw: str, *, require_content: bool = True) -> str:
    """A case's description, stripped. `require_content=False` only for registrations stored before the rule that a
    description must say something in words (issue 14), which must still sync."""
    text = check_characters(raw, field="description", label="诉求内容").strip()
    if not text:
        raise ValidationError("description", "description.empty", "请填写诉求内容，不能为空或只有空格。")
    if require_content and not has_content(text):
        raise ValidationError(
            "description",
            "description.no_content",
            "诉求内容只有表情、标点或符号：请用文字写明居民反映的问题。",
        )
    count = char_count(text)
    if count > DESCRIPTION_MAX_CHARS:
        raise ValidationError(
            "description",
            "description.too_long",
            f"诉求内容过长：{count} 字，最多 {DESCRIPTION_MAX_CHARS} 字。",
            count=count,
            limit=DESCRIPTION_MAX_CHARS,
        )
    return text


def validate_short_text(raw: str, *, field: str, label: str, limit: int, required: bool = False) -> str:
    # Checked before the spaces are tidied: str.split() counts some control characters as spaces.
    text = " ".join(check_characters(raw, field=field, label=label).split())
    if required and not text:
        raise ValidationError(field, f"{field}.required", f"请填写{label}。", label=label)
    if char_count(text) > limit:
        raise ValidationError(field, f"{field}.too_long", f"{label}过长：最多 {limit} 字。", label=label, limit=limit)
    return text


def validate_reason(raw: str) -> str:
    return validate_short_text(raw, field="reason", label="原因", limit=REASON_MAX_CHARS, required=True)


def mask_phone(phone: str) -> str:
    """138****1234 for mobiles; keep area code and last four digits of landlines."""
    digits = phone
    if len(digits) == 11 and digits.startswith("1"):
        return f"{digits[:3]}****{digits[-4:]}"
    if len(digits) <= 4:
        return "*" * len(digits)
    keep_head = 4 if digits.startswith("0") else 0
    return digits[:keep_head] + "*" * (len(digits) - keep_head - 4) + digits[-4:]


def mask_name(name: str) -> str:
    """张三 → 张*, 欧阳娜娜 → 欧***; the surname is enough to address someone politely."""
    if not name:
        return ""
    return name[0] + "*" * max(1, len(name) - 1)


def joined_address(parts: Iterable[str]) -> str:
    """小区, 楼栋 and 地址 from general to specific, without saying a part twice.

    Clerks often type the whole address again ("枫林苑", "3号楼", "枫林苑3号楼东侧"): a part already said is
    dropped, and a part that repeats everything so far replaces it. Spaces are ignored when comparing.
    """
    joined = ""
    for part in parts:
        bare, said = "".join(part.split()), "".join(joined.split())
        if not bare or bare in said:
            continue
        joined = part if said and bare.startswith(said) else f"{joined} {part}".strip()
    return joined

"""Retention of personal data: after a closed case has been kept long enough, the complainant's name, phone and
the room part of the address are erased; everything a statistic needs (category, compound, building, times,
status, follow-ups) stays.

Pure functions, shared by the desk and the server, so both erase exactly the same fields in the same way.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from gridstation.domain.enums import EventType
from gridstation.domain.errors import ValidationError

DEFAULT_RETENTION_YEARS = 3
MIN_RETENTION_YEARS = 1
MAX_RETENTION_YEARS = 30

# The fields of an intake (and of a case's state) that identify a person.
PERSONAL_FIELDS = ("complainant_name", "phone", "address")

# A room within a building: "1201室", "302 室", "5号房", "2-1201", "3单元1201" (the unit stays, the door goes).
_ROOM = re.compile(r"\d+\s*(?:室|号房|房间|户)|\d+\s*[-－—]\s*\d+(?:\s*[-－—]\s*\d+)*|(?<=单元)\s*\d{3,4}")


def validate_retention_years(value: object) -> int:
    try:
        years = int(str(value).strip())
    except ValueError:
        years = 0
    if not MIN_RETENTION_YEARS <= years <= MAX_RETENTION_YEARS:
        raise ValidationError(
            "retention_years",
            "retention.years",
            f"个人信息保存年限应为 {MIN_RETENTION_YEARS}–{MAX_RETENTION_YEARS} 之间的整数（年）。",
        )
    return years


def retention_cutoff(now: datetime, years: int) -> datetime:
    """Cases closed at or before this moment have been kept `years` years (29 February counts as 28 February)."""
    try:
        return now.replace(year=now.year - years)
    except ValueError:
        return now.replace(year=now.year - years, day=28)


def without_room(address: str) -> str:
    """`address` with room numbers taken out (and the spaces they leave tidied)."""
    return re.sub(r"\s{2,}", " ", _ROOM.sub("", address)).strip()


def anonymised(field: str, value: Any) -> Any:
    if field == "address":
        return without_room(str(value or ""))
    if field in PERSONAL_FIELDS:
        return ""
    return value


def anonymise_fields(values: dict[str, Any]) -> dict[str, Any]:
    """A copy of a flat record (a registration's payload, a case's state) with its personal fields erased."""
    out = dict(values)
    for field in PERSONAL_FIELDS:
        if field in out:
            out[field] = anonymised(field, out[field])
    return out


def anonymised_payload(event_type: str, payload: dict[str, Any]) -> dict[str, Any]:
    """The payload an event keeps after retention: a registration's personal fields, and both values of a
    correction of one of them, are erased; other events carry no personal fields and stay as they are."""
    if event_type == EventType.REGISTERED:
        return anonymise_fields(payload)
    if event_type == EventType.INTAKE_CORRECTED and payload.get("field") in PERSONAL_FIELDS:
        field = str(payload["field"])
        out = dict(payload)
        for key in ("old", "value"):
            if key in out:
                out[key] = anonymised(field, out[key])
        return out
    return payload


def photos_to_forget(anonymised_case_photos: Iterable[str], still_needed: Iterable[str]) -> set[str]:
    """The photos (by hash) an anonymising run deletes from the machine: those of the cases it anonymised, except
    any that a case not anonymised also has (a photo is kept once per content). Their events, hash included, stay:
    statistics count them, and the hash alone shows nothing of anyone's home."""
    return set(anonymised_case_photos) - set(still_needed)

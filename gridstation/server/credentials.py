"""Secrets the server hands out once and keeps only as hashes: enrolment codes, credentials, tokens, API keys.

They are 128 bits or more of randomness, so a plain SHA-256 is enough to store them (nothing to brute-force,
unlike a PIN) and lets the server find the owner by an index lookup on every request.

Department tokens and Open311 api_keys also live and die: a credential is active, revoked (by an administrator)
or expired (past its `expires_at`); its last use is kept to the minute.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta
from typing import Literal

from gridstation.domain.errors import DomainError

# No 0/O, 1/I/L: the code is read aloud over the phone or typed from a slip of paper.
ENROLMENT_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
ENROLMENT_GROUPS = 4
ENROLMENT_GROUP_SIZE = 4


def secret_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def new_enrolment_code() -> str:
    """XXXX-XXXX-XXXX-XXXX from 31 symbols: 79 bits, single use, expiring."""
    groups = (
        "".join(secrets.choice(ENROLMENT_ALPHABET) for _ in range(ENROLMENT_GROUP_SIZE))
        for _ in range(ENROLMENT_GROUPS)
    )
    return "-".join(groups)


def normalise_enrolment_code(text: str) -> str:
    """What a person typed, with case, spaces and dashes forgiven."""
    return "".join(ch for ch in text.upper() if ch.isalnum())


def new_token(prefix: str) -> str:
    return f"{prefix}_{secrets.token_urlsafe(32)}"


CredentialState = Literal["active", "revoked", "expired"]
CREDENTIAL_STATE_LABELS: dict[CredentialState, str] = {"active": "有效", "revoked": "已停用", "expired": "已过期"}
# A credential's last use is written at most once per this interval, so that a busy department's reads do not all
# become writes (and a last use shown is at most this old).
LAST_USE_RESOLUTION = timedelta(minutes=1)
MAX_VALIDITY_DAYS = 3650


def credential_state(revoked_at: datetime | None, expires_at: datetime | None, now: datetime) -> CredentialState:
    if revoked_at is not None:
        return "revoked"
    if expires_at is not None and now >= expires_at:
        return "expired"
    return "active"


def validity(days: int | None) -> timedelta | None:
    """How long a credential issued now stays valid: `days` whole days, or for ever (None)."""
    if days is None:
        return None
    if not 1 <= days <= MAX_VALIDITY_DAYS:
        raise DomainError("credential.validity", f"有效天数须为 1–{MAX_VALIDITY_DAYS} 的整数（不设则长期有效）。")
    return timedelta(days=days)


def last_use_due(last_used_at: datetime | None, now: datetime) -> bool:
    """Whether a use at `now` is worth writing down (the last one written is a minute old or more)."""
    return last_used_at is None or now - last_used_at >= LAST_USE_RESOLUTION

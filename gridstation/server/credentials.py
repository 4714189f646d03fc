"""Secrets the server hands out once and keeps only as hashes: enrolment codes, credentials, tokens, API keys.

They are 128 bits or more of randomness, so a plain SHA-256 is enough to store them (nothing to brute-force,
unlike a PIN) and lets the server find the owner by an index lookup on every request.
"""

from __future__ import annotations

import hashlib
import secrets

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

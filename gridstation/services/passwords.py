"""PIN and password hashing with argon2id (argon2-cffi), and reading the scrypt hashes stations stored before.

A 4-digit PIN has 10 000 values: whoever copies station.db tries them all offline, so what protects a PIN is the
cost of one guess. With scrypt at N=2^14 (16 MiB, ~50 ms) a PIN fell in about a minute; argon2id at the
parameters below costs ~0.3 s and 64 MiB per guess, so the 10 000 guesses of a clerk's PIN take about 50 minutes
of one core and a 6-digit admin PIN about 3.5 days (the lockout covers guessing at the desk itself).

Measured on the project's reference machine (2 cores, shared; argon2-cffi 25.1): time_cost=3, memory_cost=64 MiB,
parallelism=1 verifies in 0.27–0.29 s (time_cost=2 with 128 MiB took 0.35–0.37 s, time_cost=3 with 128 MiB
0.49–0.56 s). docs/security.md repeats these figures. A stored hash names its own parameters, so raising them
later only needs these constants changed: older hashes are verified as stored and replaced at the next sign-in.
"""

from __future__ import annotations

import base64
import hashlib
import hmac

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

ARGON2_TIME_COST = 3
ARGON2_MEMORY_KIB = 64 * 1024
ARGON2_PARALLELISM = 1

_SCRYPT_PREFIX = "scrypt$"


def _hasher() -> PasswordHasher:
    # Built on each call from the module's constants, so the tests' `fast_pins` fixture can make them cheap.
    return PasswordHasher(
        time_cost=ARGON2_TIME_COST,
        memory_cost=ARGON2_MEMORY_KIB,
        parallelism=ARGON2_PARALLELISM,
        type=Type.ID,
    )


def hash_secret(secret: str) -> str:
    """An argon2id hash of `secret` in the PHC string format (`$argon2id$v=19$m=…,t=…,p=…$salt$hash`)."""
    return _hasher().hash(secret)


def verify_secret(secret: str, encoded: str) -> bool:
    """True if `secret` matches `encoded`, an argon2 hash or a scrypt hash of an older GridStation."""
    if encoded.startswith(_SCRYPT_PREFIX):
        return _verify_scrypt(secret, encoded)
    try:
        return _hasher().verify(encoded, secret)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(encoded: str) -> bool:
    """True for a hash that is not argon2id at the current parameters (scrypt, or weaker): replace it at sign-in."""
    if encoded.startswith(_SCRYPT_PREFIX):
        return True
    try:
        return _hasher().check_needs_rehash(encoded)
    except (InvalidHashError, ValueError):
        return True


def _verify_scrypt(secret: str, encoded: str) -> bool:
    """The scrypt hashes written before argon2id: `scrypt$N$r$p$salt$digest` (base64)."""
    try:
        _, n, r, p, salt, digest = encoded.split("$")
        expected = base64.b64decode(digest)
        actual = hashlib.scrypt(
            secret.encode("utf-8"),
            salt=base64.b64decode(salt),
            n=int(n),
            r=int(r),
            p=int(p),
            dklen=len(expected),
            maxmem=64 * 1024 * 1024,
        )
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(actual, expected)

"""Console passwords, hashed with argon2id (argon2-cffi) at the desk's parameters (`services/passwords.py`, which
the server may not import: docs/architecture.md).

A console password has ten characters or more (`domain.console_roles`), far more than a desk's PIN, so the cost
per guess matters less; the same parameters keep one figure in docs/security.md. An unknown username is checked
against a hash of nothing in particular (`DUMMY`), so that a wrong username takes as long as a wrong password.
"""

from __future__ import annotations

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

ARGON2_TIME_COST = 3
ARGON2_MEMORY_KIB = 64 * 1024
ARGON2_PARALLELISM = 1


def _hasher() -> PasswordHasher:
    # Built on each call from the module's constants, so the tests' `fast_pins` fixture can make them cheap.
    return PasswordHasher(
        time_cost=ARGON2_TIME_COST, memory_cost=ARGON2_MEMORY_KIB, parallelism=ARGON2_PARALLELISM, type=Type.ID
    )


def hash_password(password: str) -> str:
    return _hasher().hash(password)


def verify_password(password: str, encoded: str) -> bool:
    try:
        return _hasher().verify(encoded, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(encoded: str) -> bool:
    try:
        return _hasher().check_needs_rehash(encoded)
    except (InvalidHashError, ValueError):
        return True


_dummies: dict[tuple[int, int, int], str] = {}


def waste_a_verification(password: str) -> None:
    """Spend what checking a password costs, for a username that does not exist (or an account that is locked)."""
    params = (ARGON2_TIME_COST, ARGON2_MEMORY_KIB, ARGON2_PARALLELISM)
    if params not in _dummies:
        _dummies[params] = hash_password("not the password of anyone")
    verify_password(password, _dummies[params])

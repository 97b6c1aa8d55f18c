"""Check the signed-in analyst's password again without the server (for the idle lock).

Only an argon2 hash of the password is kept in memory, never the password itself.
"""

from __future__ import annotations

from collections.abc import Callable

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError


def password_checker(password: str, hasher: PasswordHasher | None = None) -> Callable[[str], bool]:
    """A function that says whether a later entry equals ``password``."""
    hasher = hasher or PasswordHasher()
    stored = hasher.hash(password)

    def check(entered: str) -> bool:
        try:
            return hasher.verify(stored, entered)
        except (VerificationError, InvalidHashError):
            return False

    return check

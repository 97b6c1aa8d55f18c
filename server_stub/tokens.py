"""Secret link tokens: drawn from the OS's CSPRNG, shown once, stored only as a hash."""

from __future__ import annotations

import hashlib
import secrets

#: 32 random bytes = 256 bits, well above the 128 the links need.
TOKEN_BYTES = 32


def new_token() -> tuple[str, str]:
    """A fresh URL-safe token and the hash to store in its place."""
    token = secrets.token_urlsafe(TOKEN_BYTES)
    return token, hash_token(token)


def hash_token(token: str) -> str:
    # Tokens carry 256 bits of entropy, so a plain SHA-256 cannot be brute-forced back.
    return hashlib.sha256(token.encode()).hexdigest()

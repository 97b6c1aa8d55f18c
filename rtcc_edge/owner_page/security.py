"""Owner page safety: argon2 password, sign-in sessions, CSRF tokens, LAN-only clients, sign-in throttling."""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import secrets
import time
from collections import deque

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from rtcc_edge.store import BoxStore

SESSION_COOKIE = "rtcc_edge_session"
LOGIN_COOKIE = "rtcc_edge_login"
CSRF_FIELD = "csrf_token"
MIN_PASSWORD_LENGTH = 10
#: Failed sign-ins allowed per window before the page waits (argon2 already costs ~50 ms each).
MAX_FAILURES, FAILURE_WINDOW_S = 5, 300

hasher = PasswordHasher()


class PasswordProblem(ValueError):
    """A new owner password that is not good enough; the message says why."""


def hash_password(password: str) -> str:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise PasswordProblem(f"the owner password needs at least {MIN_PASSWORD_LENGTH} characters")
    return hasher.hash(password)


def set_owner_password(store: BoxStore, password: str) -> None:
    store.set_choice("owner_password_hash", hash_password(password))
    store.end_all_sessions()  # a new password signs every browser out


def password_ok(store: BoxStore, password: str) -> bool:
    stored = store.owner_password_hash()
    if not stored:
        hasher.hash("spend the same time")  # no password yet: fail, in the usual time
        return False
    try:
        return hasher.verify(stored, password)
    except (VerificationError, InvalidHashError):
        return False


def new_token() -> str:
    return secrets.token_urlsafe(32)


def login_csrf(secret: bytes, cookie_value: str) -> str:
    """The sign-in form's token: an HMAC of the pre-sign-in cookie (a planted cookie is useless)."""
    return hmac.new(secret, cookie_value.encode(), hashlib.sha256).hexdigest()


def same(a: str, b: str) -> bool:
    return bool(a) and bool(b) and hmac.compare_digest(a.encode(), b.encode())


def lan_client(host: str | None) -> bool:
    """Loopback, private and link-local addresses: the business's own network."""
    if not host:
        return False
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        address = address.ipv4_mapped
    return address.is_loopback or address.is_private or address.is_link_local


class SignInThrottle:
    """Counts recent failed sign-ins; after MAX_FAILURES the page asks the owner to wait."""

    def __init__(self) -> None:
        self.failures: deque[float] = deque()

    def _trim(self, now: float) -> None:
        while self.failures and now - self.failures[0] > FAILURE_WINDOW_S:
            self.failures.popleft()

    def wait_seconds(self) -> int:
        now = time.monotonic()
        self._trim(now)
        if len(self.failures) < MAX_FAILURES:
            return 0
        return int(FAILURE_WINDOW_S - (now - self.failures[0])) + 1

    def failed(self) -> None:
        self.failures.append(time.monotonic())

    def succeeded(self) -> None:
        self.failures.clear()

"""Analyst-side accounts: argon2 passwords, TOTP, lockout, bearer tokens and role checks."""

from __future__ import annotations

import hmac
import logging
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Annotated, NoReturn

import pyotp
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from fastapi import Depends, HTTPException
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.orm import Session

from server_stub import totp_secrets
from server_stub.deps import SessionDep
from server_stub.models.users import AccessToken, LoginFailure, User
from server_stub.services import Services
from server_stub.tokens import hash_token, new_token

log = logging.getLogger("rtcc.server.auth")

ROLES = ("analyst", "supervisor", "privacy_reviewer", "admin")
TOKEN_LIFETIME = timedelta(minutes=15)
SESSION_LIFETIME = timedelta(hours=12)
LOCKOUT_FAILURES = 5
LOCKOUT_WINDOW = timedelta(minutes=15)
MIN_PASSWORD, MAX_PASSWORD = 12, 256
USERNAME_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$"
TOTP_PATTERN = r"^[0-9]{6}$"

# One message for every wrong credential, so a caller cannot tell which part was wrong,
# nor whether the account exists.
BAD_CREDENTIALS = (
    "Wrong username, password or code. A code works only once: if you just used it, "
    "wait for the next one."
)
LOCKED = "This account is locked after repeated failed logins. Ask an administrator to unlock it."
NO_SECOND_FACTOR = "This account has no second factor set up. Ask an administrator."
NO_KEY = "The server cannot check second factors just now. Tell an administrator."

hasher = PasswordHasher()
bearer = HTTPBearer(auto_error=False, description="Token from POST /api/auth/login")


def utcnow() -> datetime:
    """The time every check here uses; tests replace it to move through windows and expiries."""
    return datetime.now(UTC)


class AccountError(ValueError):
    """An account cannot be created or changed as asked; the message says why."""


class LoginRefused(Exception):
    def __init__(self, status: int, detail: str) -> None:
        super().__init__(detail)
        self.status, self.detail = status, detail


@dataclass(frozen=True)
class IssuedToken:
    token: str
    user: User
    expires_in: int


def normalise_username(username: str) -> str:
    name = username.strip().lower()
    if not re.fullmatch(USERNAME_PATTERN, name):
        raise AccountError("username: 1-64 letters, digits, '.', '_', '@' or '-'")
    return name


def check_roles(roles: Iterable[str]) -> list[str]:
    wanted = list(dict.fromkeys(roles))
    unknown = [r for r in wanted if r not in ROLES]
    if not wanted or unknown:
        raise AccountError(f"roles: give one or more of {', '.join(ROLES)}")
    return wanted


def create_user(
    session: Session, *, username: str, password: str, roles: Iterable[str], totp: bool = True
) -> tuple[User, str | None]:
    """Add an account in the caller's transaction; returns it and its TOTP secret (base32)."""
    name = normalise_username(username)
    if not MIN_PASSWORD <= len(password) <= MAX_PASSWORD:
        raise AccountError(f"password: {MIN_PASSWORD} to {MAX_PASSWORD} characters")
    role_list = check_roles(roles)
    if session.scalar(select(User.id).where(User.username == name)) is not None:
        raise AccountError(f"a user named {name!r} already exists")
    secret = pyotp.random_base32() if totp else None
    user = User(
        username=name, password_hash=hasher.hash(password), roles=" ".join(role_list),
        totp_secret=totp_secrets.box_for(session).seal(secret) if secret else None,
        active=True, created_at=utcnow(),
    )
    session.add(user)
    session.flush()
    return user, secret


def provisioning_uri(user: User, secret: str, issuer: str) -> str:
    """The otpauth:// link (or QR code content) an authenticator app imports."""
    return pyotp.TOTP(secret).provisioning_uri(name=user.username, issuer_name=issuer)


def find_user(session: Session, username: str) -> User | None:
    return session.scalars(select(User).where(User.username == username.strip().lower())).first()


def unlock(session: Session, user: User) -> None:
    user.locked_at = None
    session.execute(delete(LoginFailure).where(LoginFailure.username == user.username))


def revoke_all(session: Session, user: User) -> None:
    session.execute(
        update(AccessToken)
        .where(AccessToken.user_id == user.id, AccessToken.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )


_dummy_hash: str | None = None


def _verify(password_hash: str, password: str) -> bool:
    try:
        return hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def _spend_like_a_real_check(password: str) -> None:
    # Unknown names cost one argon2 verification too, so timing does not tell them apart.
    global _dummy_hash
    if _dummy_hash is None:
        _dummy_hash = hasher.hash("not a real password")
    _verify(_dummy_hash, password)


def _recent_failures(session: Session, name: str, now: datetime) -> int:
    return session.scalar(
        select(func.count()).select_from(LoginFailure)
        .where(LoginFailure.username == name, LoginFailure.at > now - LOCKOUT_WINDOW)
    ) or 0


def _code_step(secret: str, code: str | None, now: datetime) -> int | None:
    """The time step whose code matches (one step of drift either way), or None."""
    if not code or not re.fullmatch(TOTP_PATTERN, code):
        return None
    totp = pyotp.TOTP(secret)
    for offset in (0, -1, 1):
        if hmac.compare_digest(totp.at(now, counter_offset=offset), code):
            return totp.timecode(now) + offset
    return None


def _claim_step(session: Session, user: User, step: int) -> bool:
    # One conditional UPDATE, so two logins racing with the same code cannot both win.
    result = session.execute(
        update(User)
        .where(User.id == user.id, or_(User.totp_last_step.is_(None), User.totp_last_step < step))
        .values(totp_last_step=step)
    )
    return result.rowcount == 1


def login(
    session: Session, services: Services, *, username: str, password: str, code: str | None,
    source: str,
) -> IssuedToken:
    """Check a login and issue a token, or raise ``LoginRefused``.

    Failures, lockouts and their audit records are written to ``session`` either way: the
    caller commits before turning a refusal into a response.
    """
    now = utcnow()
    name = username.strip().lower()
    user = find_user(session, name)

    def refuse(reason: str, *, status=401, detail=BAD_CREDENTIALS, count=True) -> NoReturn:
        services.audit(session, actor=name, action="auth.login", object=f"user:{name}",
                       outcome="failure", source=source, justification=reason)
        if count and _count_failure(session, services, name, user, now, source):
            status, detail = 423, LOCKED
        raise LoginRefused(status, detail)

    # A locked account answers the same whatever the password, so it is no guessing oracle.
    # Unknown names "lock" too (for the window), so a lockout does not prove an account exists.
    if user.locked_at is not None if user else (
            _recent_failures(session, name, now) >= LOCKOUT_FAILURES):
        refuse("account locked" if user else "name locked out (no such account)",
               status=423, detail=LOCKED, count=False)
    if user is None or not user.active:
        _spend_like_a_real_check(password)
        refuse("unknown user" if user is None else "inactive account")
    if not _verify(user.password_hash, password):
        refuse("wrong password")
    if user.totp_secret is None:
        if not services.settings.demo_mode:
            refuse("no second factor set up", status=403, detail=NO_SECOND_FACTOR, count=False)
    else:
        try:
            secret = totp_secrets.box_for(session).open(user.totp_secret)
        except totp_secrets.SecretUnreadable:
            log.error("the TOTP secret of %s does not open: was the key file %s replaced?",
                      name, services.settings.totp_key_path)
            refuse("second factor unreadable (key file)", status=503, detail=NO_KEY, count=False)
        step = _code_step(secret, code, now)
        if step is None:
            refuse("wrong or missing code")
        if not _claim_step(session, user, step):
            refuse("code already used")
    session.execute(delete(LoginFailure).where(LoginFailure.username == name))
    if hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hasher.hash(password)
    user.last_login_at = now
    issued = issue_token(session, user, now=now)
    services.audit(session, actor=name, action="auth.login", object=f"user:{name}",
                   outcome="success", source=source)
    return issued


def _count_failure(
    session: Session, services: Services, name: str, user: User | None, now: datetime, source: str
) -> bool:
    """Record a failure; True when it makes (or keeps) the name locked."""
    session.add(LoginFailure(username=name, at=now, source=source[:100]))
    # Failures older than the window never count again: dropping them keeps the table small.
    session.execute(delete(LoginFailure).where(LoginFailure.at <= now - LOCKOUT_WINDOW))
    session.flush()
    failures = _recent_failures(session, name, now)
    if failures < LOCKOUT_FAILURES:
        return False
    if user is not None and user.locked_at is None:
        user.locked_at = now
        services.audit(session, actor="system", action="auth.lockout", object=f"user:{name}",
                       outcome="success", source=source,
                       justification=f"{failures} failed logins within "
                                     f"{LOCKOUT_WINDOW.total_seconds() / 60:.0f} minutes")
    return True


def issue_token(
    session: Session, user: User, *, now: datetime, session_ends_at: datetime | None = None
) -> IssuedToken:
    token, digest = new_token()
    ends = session_ends_at or now + SESSION_LIFETIME
    expires = min(now + TOKEN_LIFETIME, ends)
    session.add(AccessToken(token_hash=digest, user_id=user.id, issued_at=now,
                            expires_at=expires, session_ends_at=ends))
    return IssuedToken(token, user, int((expires - now).total_seconds()))


def refresh(session: Session, current: AccessToken) -> IssuedToken:
    """Swap a live token for a fresh one; the old one stops working at once."""
    now = utcnow()
    if current.session_ends_at - now < timedelta(seconds=1):
        raise unauthorized("Your session has ended. Please sign in again.")
    current.revoked_at = now
    return issue_token(session, current.user, now=now, session_ends_at=current.session_ends_at)


def unauthorized(detail: str, error: str = "") -> HTTPException:
    challenge = f'Bearer error="{error}"' if error else "Bearer"
    return HTTPException(status_code=401, detail=detail, headers={"WWW-Authenticate": challenge})


def current_token(
    session: SessionDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> AccessToken:
    """The request's live bearer token (401 with a WWW-Authenticate challenge otherwise)."""
    if credentials is None:
        raise unauthorized("Please sign in.")
    presented = credentials.credentials
    row = session.get(AccessToken, hash_token(presented)) if len(presented) <= 200 else None
    if row is None or row.revoked_at is not None or row.expires_at <= utcnow():
        raise unauthorized("Your sign-in has expired. Please sign in again.", "invalid_token")
    # Lockout only stops new logins; an administrator deactivating an account ends them all.
    if not row.user.active:
        raise unauthorized("This account is disabled.", "invalid_token")
    return row


def current_user(token: Annotated[AccessToken, Depends(current_token)]) -> User:
    return token.user


CurrentToken = Annotated[AccessToken, Depends(current_token)]
CurrentUser = Annotated[User, Depends(current_user)]


def require_role(*roles: str) -> Callable[[User], User]:
    """A dependency passing users holding any of ``roles`` (listed explicitly), else 403."""
    allowed = frozenset(check_roles(roles))

    def check(user: CurrentUser) -> User:
        if allowed.isdisjoint(user.role_list):
            raise HTTPException(status_code=403, detail="Your role does not allow this.")
        return user

    return check


#: Who works the request queue and the evidence: analysts and their supervisors.
AnalystUser = Annotated[User, Depends(require_role("analyst", "supervisor"))]
#: Who may read what a desk shows (registry, event stream): desk roles plus admins.
DeskUser = Annotated[User, Depends(require_role("analyst", "supervisor", "admin"))]
#: Who reports what they did at a desk (the audit trail): everyone who signs in to one, privacy
#: reviewers included (they watch city cameras to review them).
StaffUser = Annotated[User, Depends(require_role("analyst", "supervisor", "admin", "privacy_reviewer"))]

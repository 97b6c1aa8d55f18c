"""TOTP secrets encrypted at rest (Fernet) under a key kept in a file, never in the database."""

from __future__ import annotations

import base64
import logging
import re

from cryptography.fernet import Fernet, InvalidToken
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from server_stub.keyfiles import SECRET_BYTES, load_or_create_secret
from server_stub.models.users import User
from server_stub.settings import ServerSettings

log = logging.getLogger("rtcc.server.totp_secrets")

#: Where each session finds the box (``sessionmaker.configure(info=…)`` copies it into every session).
SESSION_INFO = "totp_secret_box"
# What pyotp.random_base32() makes: the form secrets were stored in before they were sealed.
# A Fernet token never matches (it starts "gAAAAA" and has lower-case letters).
_PLAIN = re.compile(r"[A-Z2-7]+=*")


class KeyFileMissing(RuntimeError):
    """The database holds sealed secrets but the key file that opens them is gone."""


class SecretUnreadable(Exception):
    """A stored secret does not open with this server's key (the key file was replaced)."""


def is_plain(stored: str) -> bool:
    return bool(_PLAIN.fullmatch(stored))


class TotpSecretBox:
    """Seals and opens TOTP secrets with one key (AES-128-CBC + HMAC-SHA256, as Fernet does)."""

    def __init__(self, key: bytes) -> None:
        self._fernet = Fernet(base64.urlsafe_b64encode(key[:SECRET_BYTES]))

    def seal(self, secret: str) -> str:
        return self._fernet.encrypt(secret.encode()).decode()

    def open(self, stored: str) -> str:
        if is_plain(stored):
            return stored  # written before secrets were sealed; the next start seals it
        try:
            return self._fernet.decrypt(stored.encode()).decode()
        except InvalidToken:
            raise SecretUnreadable("a second-factor secret does not open with this server's "
                                   "key file") from None


def box_for(session: Session) -> TotpSecretBox:
    box = session.info.get(SESSION_INFO)
    if box is None:
        raise RuntimeError("no key for second-factor secrets: use a session from build_services()")
    return box


def open_box(settings: ServerSettings, sessions: sessionmaker[Session]) -> TotpSecretBox:
    """The key (made on first start), given to every session; plain secrets left from before
    are sealed now, so none stays readable in the database past this start."""
    path = settings.totp_key_path
    if not path.exists():
        with sessions() as session:
            stored = session.scalars(select(User.totp_secret).where(User.totp_secret.is_not(None)))
            if any(not is_plain(secret) for secret in stored):
                raise KeyFileMissing(
                    f"{path} is missing, but the database holds second-factor secrets sealed "
                    "with it: restore the file (or point totp_key_file at it). A new key would "
                    "lock every account out.")
    box = TotpSecretBox(load_or_create_secret(path))
    sessions.configure(info={SESSION_INFO: box})
    with sessions() as session:
        users = session.scalars(select(User).where(User.totp_secret.is_not(None))).all()
        plain = [user for user in users if is_plain(user.totp_secret)]
        for user in plain:
            user.totp_secret = box.seal(user.totp_secret)
        session.commit()
    if plain:
        log.info("sealed %d second-factor secret(s) stored in plain text", len(plain))
    return box

"""Stream addresses in the inventory form: shown without their password, kept unless retyped.

A camera address often carries its account (``rtsp://viewer:s3cret@10.40.1.11/sub``). The
admin form shows it as ``rtsp://viewer@10.40.1.11/sub`` with the password in a separate
field showing •••• ; secret query values (``?pwd=…``) show as •••• in the address itself.
Saving puts the stored secrets back unless the admin typed new ones. Plain Python, no Qt.

The userinfo is taken to end at the *last* ``@`` of the address, as ``redact_url`` does, so a
password holding an unencoded ``@`` or ``/`` is still found whole.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import quote

from rtcc_desk.core.wall.stream_urls import check_stream_url, redact_url

#: What the form shows in place of a secret.
DOTS = "••••"

_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.\-]*)://")
_SECRET_KEY = re.compile(r"pass|pwd|token|secret|key|auth|sig|credential", re.IGNORECASE)
_QUERY_PAIR = re.compile(r"([?&;])([^=&;#]*)=([^&;#]*)")
# Characters a typed password keeps as they are; the rest (@ : / ? # % space …) is
# percent-encoded so the address still parses.
_PASSWORD_SAFE = "!$&'()*+,;=-._~"


@dataclass(frozen=True)
class _Parts:
    head: str             # "rtsp://" or "" for a file path
    user: str | None      # None: no userinfo at all
    password: str | None  # None: no password (raw, as stored: possibly percent-encoded)
    rest: str             # host, port, path, query


def _split(url: str) -> _Parts:
    text = url.strip()
    match = _SCHEME.match(text)
    if not match:
        return _Parts("", None, None, text)
    head, rest = text[: match.end()], text[match.end() :]
    at = rest.rfind("@")
    if at < 0:
        return _Parts(head, None, None, rest)
    user, colon, password = rest[:at].partition(":")
    return _Parts(head, user, password if colon else None, rest[at + 1 :])


def _secret_values(url: str) -> dict[str, str]:
    return {key: value for _, key, value in _QUERY_PAIR.findall(url)
            if value and _SECRET_KEY.search(key)}


def has_password(url: str) -> bool:
    return _split(url).password is not None


def shown_address(url: str) -> str:
    """The address for the form: no password in the userinfo, secret query values as ••••."""
    parts = _split(url)
    user = f"{parts.user}@" if parts.user is not None else ""
    text = f"{parts.head}{user}{parts.rest}"
    return _QUERY_PAIR.sub(
        lambda m: f"{m[1]}{m[2]}={DOTS}" if m[3] and _SECRET_KEY.search(m[2]) else m[0], text)


def address_to_save(edited: str, stored: str, new_password: str = "", *,
                    label: str = "address") -> str:
    """The address to save from the form: ``edited`` as typed, with the stored password (or
    ``new_password`` when one was typed) and the stored secret query values put back.

    Raises ValueError naming ``label`` for an address a wall cannot play, a new password with
    no user name to go with it, or •••• left where nothing is stored. Messages never contain
    a password.
    """
    text = edited.strip()
    if not text:
        if new_password:
            raise ValueError(f"{label}: a password needs an address to go with it")
        return ""
    parts = _split(text)
    old = _split(stored)
    password = parts.password
    if password == DOTS:
        password = None  # the dots pasted back into the address: keep what is stored
    if new_password:
        if parts.user is None:
            raise ValueError(f"{label}: a password needs a user name in the address "
                             "(for example rtsp://viewer@10.40.1.11/sub)")
        password = quote(new_password, safe=_PASSWORD_SAFE)
    elif password is None and parts.user is not None:
        password = old.password
    user = ""
    if parts.user is not None:
        user = parts.user + (f":{password}" if password is not None else "") + "@"
    result = f"{parts.head}{user}{parts.rest}"
    stored_secrets = _secret_values(stored)

    def restore(match: re.Match[str]) -> str:
        sep, key, value = match.groups()
        if value != DOTS:
            return match.group(0)
        if key not in stored_secrets:
            raise ValueError(f"{label}: type the value of {key}= (nothing is stored for it)")
        return f"{sep}{key}={stored_secrets[key]}"

    result = _QUERY_PAIR.sub(restore, result)
    try:
        return check_stream_url(result)
    except ValueError as exc:
        # check_stream_url quotes the address redacted; say it with dots like the form does.
        reason = str(exc).replace(repr(redact_url(result)), "the address")
        raise ValueError(f"{label}: {reason}") from None

"""Showing a camera address without its secrets: the one redaction every part uses.

Camera addresses often carry a password (``rtsp://admin:secret@10.20.1.11/...``) or a secret
query value (``?user=admin&pwd=...``). They are kept where they are needed, but every message,
log line or screen text shows ``redact_url(url)`` (or ``redact_text``) instead.
"""

from __future__ import annotations

import re
from urllib.parse import unquote

#: Replaces a password or a secret query value.
HIDDEN = "***"

_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.\-]*)://")
# Query keys that carry secrets on some camera web interfaces (?user=admin&pwd=...).
_SECRET_KEY = re.compile(r"pass|pwd|token|secret|key|auth|sig|credential", re.IGNORECASE)
_QUERY_PAIR = re.compile(r"([?&;])([^=&;#]*)=([^&;#]*)")


def redact_url(url: str) -> str:
    """``url`` with its password and secret query values replaced by ``***``; safe to show.

    The user name is kept (it helps to see *which* account a camera is set up with). The
    userinfo is taken to end at the last ``@`` of the address, so a password holding an
    unencoded ``@``, ``/``, ``#`` or ``?`` (camera passwords often do) is still hidden whole;
    when in doubt more is hidden, never less.
    """
    text = str(url)
    match = _SCHEME.match(text)
    if match:
        head, rest = text[: match.end()], text[match.end() :]
        at = rest.rfind("@")
        if at >= 0:
            user, colon, _password = rest[:at].partition(":")
            rest = f"{user}{':' + HIDDEN if colon else ''}{rest[at:]}"
        text = head + rest
    return _QUERY_PAIR.sub(_hide_secret_value, text)


def url_secrets(url: str) -> list[str]:
    """The secret parts of ``url`` (its password, secret query values), longest first."""
    text = str(url)
    secrets: list[str] = []
    match = _SCHEME.match(text)
    if match:
        rest = text[match.end() :]
        at = rest.rfind("@")
        if at >= 0:
            secrets.append(rest[:at].partition(":")[2])
    secrets += [value for _sep, key, value in _QUERY_PAIR.findall(text) if _SECRET_KEY.search(key)]
    return sorted({s for s in secrets if s}, key=len, reverse=True)


def redact_text(text: str, url: str) -> str:
    """``text`` (an ffmpeg log line, an error) with the URL's secrets taken out, whether it
    quotes the URL whole or the secrets alone (raw or percent-decoded)."""
    out = text.replace(url, redact_url(url))
    for secret in url_secrets(url):
        for form in {secret, unquote(secret)}:
            if len(form) >= 3:  # "a" would blank out every letter a in the message
                out = out.replace(form, HIDDEN)
    return out


def _hide_secret_value(match: re.Match[str]) -> str:
    sep, key, value = match.groups()
    return f"{sep}{key}={HIDDEN}" if value and _SECRET_KEY.search(key) else match.group(0)

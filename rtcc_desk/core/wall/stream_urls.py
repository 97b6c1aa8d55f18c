"""Camera stream addresses: which forms a wall can play, and how to show one without its secrets.

Pole cameras are reached at ``rtsp://`` (most IP cameras), ``http(s)://`` (MJPEG or HLS
gateways) or a file (a recording played as a stand-in). Their addresses often carry a user
and password (``rtsp://admin:secret@10.20.1.11/...``); those are accepted and kept, but every
message, log line or screen text shows ``redact_url(url)`` instead.
"""

from __future__ import annotations

import enum
import re
from urllib.parse import urlsplit

from rtcc_media.urls import HIDDEN, redact_url

__all__ = ["HIDDEN", "STREAM_SCHEMES", "Stream", "check_stream_url", "redact_url", "stream_url"]

#: Schemes a stream address may use; anything else is refused when the inventory is read.
STREAM_SCHEMES = ("rtsp", "rtsps", "http", "https", "file")
_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.\-]*)://")
_WINDOWS_PATH = re.compile(r"^(?:[A-Za-z]:[\\/]|\\\\[^\\]+\\)")


class Stream(enum.StrEnum):
    """Which of a camera's two encodings to play: the light sub stream for tiles, the main one
    for a maximised tile or a single big view."""

    SUB = "sub"
    MAIN = "main"


def check_stream_url(url: str) -> str:
    """The address, stripped, if a wall can play it; else ValueError saying why (redacted).

    Accepted: ``rtsp://``, ``rtsps://``, ``http://``, ``https://`` with a host (and a port
    1-65535 if one is given), ``file://`` URLs, and absolute file paths (``/srv/clips/a.mp4``,
    ``C:\\clips\\a.mp4``, ``\\\\server\\share\\a.mp4``). A relative path is refused: the wall
    would look for it wherever the desk happens to run.
    """
    text = str(url).strip()
    shown = repr(redact_url(text))
    if not text:
        raise ValueError("is empty")
    if any(c.isspace() for c in text):
        raise ValueError(f"{shown} contains spaces (write them as %20)")
    match = _SCHEME.match(text)
    if match is None:
        if text.startswith("/") or _WINDOWS_PATH.match(text):
            return text
        raise ValueError(
            f"{shown} is neither a stream address ({', '.join(s + '://' for s in STREAM_SCHEMES)})"
            " nor an absolute file path"
        )
    scheme = match.group(1).lower()
    if scheme not in STREAM_SCHEMES:
        accepted = ", ".join(s + "://" for s in STREAM_SCHEMES)
        raise ValueError(f"{shown}: {scheme}:// streams are not supported; use {accepted}")
    try:
        parts = urlsplit(text)
        port = parts.port  # raises for a port that is not a number in 0..65535
    except ValueError:
        raise ValueError(f"{shown} is not a valid address (check the host and port)") from None
    if scheme == "file":
        if not parts.path or parts.path == "/":
            raise ValueError(f"{shown} names no file")
        return text
    if not parts.hostname:
        raise ValueError(f"{shown} has no host")
    if port == 0:
        raise ValueError(f"{shown}: port 0 is not a port a camera listens on")
    return text


def stream_url(main_url: str, sub_url: str, stream: Stream) -> str:
    """The address to open for ``stream``; a camera with only one encoding plays that one."""
    if stream is Stream.MAIN:
        return main_url or sub_url
    return sub_url or main_url

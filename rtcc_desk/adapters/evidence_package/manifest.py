"""The package's SHA-256 manifest: sha256sum lines over relative paths, and the file tree."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from pathlib import Path
from typing import BinaryIO

MANIFEST = "manifest-sha256.txt"
_LINE = re.compile(r"^([0-9a-f]{64}) [ *](.+)$")
CHUNK = 1 << 20


def sha256_stream(stream: BinaryIO) -> str:
    digest = hashlib.sha256()
    while block := stream.read(CHUNK):
        digest.update(block)
    return digest.hexdigest()


def sha256_file(path: Path) -> str:
    with open(path, "rb") as stream:
        return sha256_stream(stream)


def relative_files(folder: Path) -> list[str]:
    """Every regular file below ``folder`` as a POSIX path relative to it, sorted."""
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file())


def manifest_text(hashes: Iterable[tuple[str, str]]) -> str:
    """``sha256sum`` output for (relative path, hex digest) pairs: `sha256sum -c` reads it."""
    return "".join(f"{digest}  {name}\n" for name, digest in sorted(hashes))


def parse_manifest(text: str) -> tuple[dict[str, str], list[str]]:
    """(path → digest, unreadable lines described). A path that climbs out is unreadable."""
    entries: dict[str, str] = {}
    bad: list[str] = []
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        match = _LINE.match(line)
        name = match.group(2) if match else ""
        if match is None or name.startswith("/") or ".." in name.split("/"):
            bad.append(f"{MANIFEST} line {number}: not a 'sha256  relative/path' line")
        elif name in entries:
            bad.append(f"{MANIFEST} line {number}: {name} is listed twice")
        else:
            entries[name] = match.group(1)
    return entries, bad

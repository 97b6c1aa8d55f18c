"""A small tus 1.0 client on httpx: create, then PATCH chunks with SHA-256 checksums, resuming after errors.

Why not the PyPI ``tuspy`` client (1.1.0): its only checksum is SHA-1, which the RTCC server
refuses (it speaks the sha256 checksum extension), and it brings requests, aiohttp and tinydb
onto a box that already talks httpx for everything else.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import logging
from collections.abc import Mapping
from pathlib import Path
from urllib.parse import urljoin

import httpx

log = logging.getLogger(__name__)

TUS_VERSION = "1.0.0"
CHUNK_BYTES = 4 * 1024 * 1024
#: Statuses after which the server's offset is asked again and the chunk retried.
RETRY_STATUSES = {409, 423, 460, 500, 502, 503, 504}


class TusError(Exception):
    """The upload cannot go on; the message has the server's answer."""


def encode_metadata(metadata: Mapping[str, str]) -> str:
    pairs = []
    for key, value in metadata.items():
        if not key or " " in key or "," in key:
            raise TusError(f"metadata key {key!r} cannot be sent (no spaces or commas)")
        pairs.append(f"{key} {base64.b64encode(str(value).encode()).decode()}")
    return ",".join(pairs)


async def upload(client: httpx.AsyncClient, endpoint: str, path: Path, *,
                 metadata: Mapping[str, str], headers: Mapping[str, str] | None = None,
                 chunk_bytes: int = CHUNK_BYTES, attempts: int = 6) -> str:
    """Send ``path`` to the tus ``endpoint``; returns the upload's URL once every byte is in."""
    base = {"Tus-Resumable": TUS_VERSION, **(headers or {})}
    length = path.stat().st_size
    created = await client.post(endpoint, headers={
        **base, "Upload-Length": str(length), "Upload-Metadata": encode_metadata(metadata)})
    if created.status_code != 201 or "location" not in created.headers:
        raise TusError(f"the server did not accept the upload: {created.status_code} {_detail(created)}")
    location = urljoin(endpoint, created.headers["location"])
    offset, failures = 0, 0
    with path.open("rb") as source:
        while offset < length:
            source.seek(offset)
            chunk = source.read(chunk_bytes)
            digest = base64.b64encode(hashlib.sha256(chunk).digest()).decode()
            try:
                answer = await client.patch(location, content=chunk, headers={
                    **base, "Content-Type": "application/offset+octet-stream",
                    "Upload-Offset": str(offset), "Upload-Checksum": f"sha256 {digest}"})
                if answer.status_code == 204:
                    offset, failures = int(answer.headers["upload-offset"]), 0
                    continue
                if answer.status_code not in RETRY_STATUSES:
                    raise TusError(f"upload refused at byte {offset}: {answer.status_code} {_detail(answer)}")
                problem = f"{answer.status_code} {_detail(answer)}"
            except httpx.TransportError as exc:
                problem = f"{type(exc).__name__}: {exc}"
            failures += 1
            if failures >= attempts:
                raise TusError(f"upload stopped at byte {offset} of {length} after {failures} tries: {problem}")
            await asyncio.sleep(min(2 ** failures, 30))
            log.info("tus: resuming %s after %s", path.name, problem)
            offset = await _server_offset(client, location, base, offset)
    return location


async def _server_offset(client: httpx.AsyncClient, location: str, headers: Mapping[str, str],
                         fallback: int) -> int:
    try:
        answer = await client.head(location, headers=dict(headers))
    except httpx.TransportError:
        return fallback
    if answer.status_code in (404, 410):
        raise TusError(f"the server dropped the upload ({answer.status_code})")
    try:
        return int(answer.headers["upload-offset"])
    except (KeyError, ValueError):
        return fallback


def _detail(response: httpx.Response) -> str:
    try:
        return str(response.json().get("detail", ""))[:300]
    except ValueError:
        return response.text[:300]

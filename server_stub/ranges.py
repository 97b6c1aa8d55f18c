"""Serving evidence files with HTTP Range support (Starlette's FileResponse); spotting new reads."""

from __future__ import annotations

import re
from pathlib import Path

from starlette.responses import FileResponse

# Starlette's FileResponse (1.x) already answers single and multiple byte ranges with 206 and
# Content-Range, 416 for unsatisfiable ones, Accept-Ranges: bytes, and streams 64 KiB chunks;
# re-implementing that here would only add bugs.
_FIRST_BYTE = re.compile(r"\s*bytes\s*=\s*0\s*-\s*\d*\s*(,.*)?", re.IGNORECASE)


def serve(path: Path, *, media_type: str, download_name: str | None = None) -> FileResponse:
    """The file, range-capable; an attachment named ``download_name`` when one is given."""
    return FileResponse(path, media_type=media_type, filename=download_name,
                        content_disposition_type="attachment")


def starts_at_zero(range_header: str | None) -> bool:
    """Whether a request reads from the first byte: a new view, not the player's next chunk.

    Players fetch a clip as many range requests; logging each would bury the one fact that
    matters (the clip was opened), so only requests without a Range or starting at 0 count.
    """
    return range_header is None or _FIRST_BYTE.fullmatch(range_header) is not None

"""Classifying a completed upload: playable video, native/proprietary (kept as-is), or refused.

Dangerous types are recognised by their first bytes, never by the owner's filename:
executables (MZ, ELF, Mach-O, MSI), archives (zip, RAR, 7z, gzip, bzip2, xz, zstd, tar, cab),
scripts ("#!") and any text at all (HTML, SVG, JavaScript, batch files and playlists are all
text, JavaScript cannot be told from other text, and recordings are never text). A refused
file is kept out of evidence: the caller deletes its bytes and keeps the metadata row with the
reason and the SHA-256 of what was received.

Everything else goes to ``ffprobe``: a video stream in a codec that VLC and browsers play makes
it playable; a file ffprobe cannot read, or a video it cannot decode, is native/proprietary and
kept exactly as received (DVR exports such as .dav are evidence). If ffprobe is not installed
or does not answer in time, the file is kept as native and the note says it was not probed.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

PLAYABLE_CODECS = frozenset({
    "h264", "hevc", "mpeg4", "mjpeg", "vp8", "vp9", "av1", "mpeg1video", "mpeg2video",
    "h263", "theora", "msmpeg4v3", "wmv3", "vc1",
})
#: Seconds ffprobe may take; it reads headers, so a slow answer means a hostile or odd file.
PROBE_TIMEOUT_S = 60
_SNIFF_BYTES = 4096

# (offset, magic bytes, reason). Order matters only where one magic starts another.
_MAGIC: tuple[tuple[int, bytes, str], ...] = (
    (0, b"MZ", "Windows program (executable)"),
    (0, b"\x7fELF", "Linux program (executable)"),
    (0, b"\xfe\xed\xfa\xce", "macOS program (executable)"),
    (0, b"\xfe\xed\xfa\xcf", "macOS program (executable)"),
    (0, b"\xce\xfa\xed\xfe", "macOS program (executable)"),
    (0, b"\xcf\xfa\xed\xfe", "macOS program (executable)"),
    (0, b"\xca\xfe\xba\xbe", "macOS universal program or Java class (executable)"),
    (0, b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "Windows installer or Office document"),
    (0, b"#!", "script"),
    (0, b"PK\x03\x04", "zip archive"),
    (0, b"PK\x05\x06", "zip archive"),
    (0, b"PK\x07\x08", "zip archive"),
    (0, b"Rar!\x1a\x07", "RAR archive"),
    (0, b"7z\xbc\xaf\x27\x1c", "7-Zip archive"),
    (0, b"\x1f\x8b", "gzip archive"),
    (4, b"1AY&SY", "bzip2 archive"),
    (0, b"\xfd7zXZ\x00", "xz archive"),
    (0, b"\x28\xb5\x2f\xfd", "zstd archive"),
    (0, b"MSCF", "cabinet archive"),
    (257, b"ustar", "tar archive"),
)


@dataclass(frozen=True)
class Classification:
    kind: str  # playable | native | refused
    note: str = ""
    summary: dict = field(default_factory=dict)


def classify(path: Path, *, ffprobe: str | None = None) -> Classification:
    """Classify a complete file; never raises for what the file contains."""
    with open(path, "rb") as handle:
        head = handle.read(_SNIFF_BYTES)
    if not head:
        return Classification("refused", "empty file")
    reason = dangerous(head)
    if reason:
        return Classification("refused", reason)
    return probe(path, ffprobe=ffprobe)


def dangerous(head: bytes) -> str:
    """Why the first bytes of a file make it unacceptable, or '' if they do not."""
    for offset, magic, reason in _MAGIC:
        if head[offset:offset + len(magic)] == magic:
            return reason
    if _is_text(head):
        text = head.decode("utf-8", "ignore").lstrip("\ufeff \t\r\n").lower()
        if text.startswith("<"):
            return "web page or markup (HTML, SVG, XML)"
        if text.startswith(("#extm3u", "ffconcat", "[playlist]")):
            return "playlist (points at other files)"
        return "text file (scripts, web pages and documents are not recordings)"
    return ""


def _is_text(head: bytes) -> bool:
    if b"\x00" in head:
        return False
    # A multi-byte character may be cut at the sniff boundary: allow a short ragged end.
    for cut in range(4):
        try:
            text = head[:len(head) - cut].decode("utf-8")
            break
        except UnicodeDecodeError:
            continue
    else:
        return False
    controls = sum(1 for c in text if ord(c) < 32 and c not in "\t\n\r\f\x1b")
    return controls <= len(text) // 100


def probe(path: Path, *, ffprobe: str | None = None) -> Classification:
    binary = ffprobe or shutil.which("ffprobe")
    if binary is None:
        return Classification("native", "not probed: ffprobe is not installed")
    command = [
        binary, "-v", "error", "-print_format", "json", "-show_format", "-show_streams",
        # Only local files: a crafted input must not make ffprobe fetch URLs.
        "-protocol_whitelist", "file", "-i", f"file:{path}",
    ]
    try:
        done = subprocess.run(command, capture_output=True, timeout=PROBE_TIMEOUT_S,
                              stdin=subprocess.DEVNULL, check=False)
    except subprocess.TimeoutExpired:
        return Classification("native", f"not probed: ffprobe took over {PROBE_TIMEOUT_S} s")
    except OSError as exc:
        return Classification("native", f"not probed: {exc.strerror or exc}")
    if done.returncode != 0:
        return Classification("native", "format not readable by ffprobe: kept as-is")
    try:
        report = json.loads(done.stdout or b"{}")
    except ValueError:
        return Classification("native", "ffprobe gave no readable report: kept as-is")
    return from_report(report)


def from_report(report: dict) -> Classification:
    """Decide from ffprobe's JSON (split out so the rules can be tested without ffprobe)."""
    container = str(report.get("format", {}).get("format_name", ""))
    videos = [
        s for s in report.get("streams", [])
        if s.get("codec_type") == "video" and not s.get("disposition", {}).get("attached_pic")
    ]
    if not videos:
        return Classification("native", "no video stream ffprobe can read: kept as-is",
                              {"container": container})
    video = videos[0]
    summary = {
        "container": container,
        "duration": _number(report.get("format", {}).get("duration") or video.get("duration")),
        "codec": str(video.get("codec_name", "")),
        "width": video.get("width"),
        "height": video.get("height"),
        # When the recorder says the recording began (MP4/MOV creation_time); the desk's review
        # timeline uses it to shade the requested window. Absent when the file does not say.
        "start_time": _recording_start(report),
    }
    if container == "image2" or container.endswith("_pipe"):
        return Classification("native", "still image: kept as-is", summary)
    if summary["codec"] in PLAYABLE_CODECS:
        return Classification("playable", "", summary)
    codec = summary["codec"] or "unknown"
    return Classification("native", f"video codec {codec} not playable here: kept as-is", summary)


def _recording_start(report: dict) -> str | None:
    tags = report.get("format", {}).get("tags", {}) or {}
    value = tags.get("creation_time") or tags.get("date")
    try:
        start = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return None
    if start.tzinfo is None or start.year < 2000:  # an unset recorder clock says 1970 or 1904
        return None
    return start.isoformat()


def _number(value) -> float | None:
    try:
        return round(float(value), 3)
    except (TypeError, ValueError):
        return None

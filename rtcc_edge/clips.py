"""Cutting one file for a time window out of a channel's segments (concat, streams copied), with its hash.

Granularity: without re-encoding a clip can only begin on a keyframe. The clip begins at the
last keyframe at or before the window's start (at most one keyframe interval early, typically
1-4 s on cameras) and ends at the window's end, so it always covers the whole window. Gaps in
the recording (a camera that was down) are left out, not filled: the clip is then shorter than
the window, and ``Clip.duration_s`` says by how much.
"""

from __future__ import annotations

import hashlib
import json
import subprocess
import tempfile
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from rtcc_edge.segments import Segment, list_segments

PROBE_TIMEOUT_S = 60
CUT_TIMEOUT_S = 30 * 60
HASH_CHUNK = 1024 * 1024


class ClipError(Exception):
    """The window cannot be cut; the message says why in words the RTCC can show."""


@dataclass(frozen=True)
class Clip:
    path: Path
    sha256: str
    bytes: int
    duration_s: float
    first_segment: datetime
    segments: int


@dataclass(frozen=True)
class ClipCutter:
    """ffmpeg/ffprobe for one box; ``segment_seconds`` bounds how long a segment can be."""

    ffmpeg: str = "ffmpeg"
    ffprobe: str = "ffprobe"
    segment_seconds: int = 60

    def covering(self, folder: Path, start: datetime, end: datetime) -> list[Segment]:
        """The channel's segments that hold any part of [start, end), oldest first."""
        longest = timedelta(seconds=2 * self.segment_seconds + 10)
        candidates = list_segments(folder, since=start - longest, until=end)
        chosen = []
        for index, segment in enumerate(candidates):
            following = candidates[index + 1].start if index + 1 < len(candidates) else None
            ends = min(following, segment.start + longest) if following else segment.start + longest
            if segment.start < end and ends > start:
                chosen.append(segment)
        return chosen

    def cut(self, folder: Path, start: datetime, end: datetime, out: Path) -> Clip:
        """Write the window to ``out`` (.mp4 for ts recordings, .mkv for mkv) and hash it."""
        if end <= start:
            raise ClipError("the window ends before it starts")
        segments = self.covering(folder, start, end)
        if not segments:
            raise ClipError(f"no recording covers {start:%Y-%m-%d %H:%M:%S}Z to {end:%H:%M:%S}Z "
                            "(outside the days this box keeps, or the camera was down)")
        first, last = segments[0], segments[-1]
        inpoint = None
        if start > first.start:
            inpoint = self._keyframe_at_or_before(first.path, (start - first.start).total_seconds())
        outpoint = None
        if end < last.start + timedelta(seconds=2 * self.segment_seconds + 10):
            outpoint = self._start_time(last.path) + (end - last.start).total_seconds()
        lines = []
        for segment in segments:
            lines.append(f"file {_quote(segment.path)}")
            if segment is first and inpoint is not None:
                lines.append(f"inpoint {inpoint:.6f}")
            if segment is last and outpoint is not None:
                lines.append(f"outpoint {outpoint:.6f}")
        out.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile("w", suffix=".txt", dir=out.parent, delete=False) as listing:
            listing.write("ffconcat version 1.0\n" + "\n".join(lines) + "\n")
        try:
            command = [self.ffmpeg, "-hide_banner", "-nostdin", "-loglevel", "error", "-y",
                       "-f", "concat", "-safe", "0", "-i", listing.name, "-map", "0", "-c", "copy"]
            if out.suffix == ".mp4":
                command += ["-movflags", "+faststart"]
            done = subprocess.run(command + [str(out)], capture_output=True, text=True,
                                  timeout=CUT_TIMEOUT_S, check=False)
        finally:
            Path(listing.name).unlink(missing_ok=True)
        if done.returncode != 0 or not out.is_file() or out.stat().st_size == 0:
            raise ClipError(f"ffmpeg could not join the segments: {done.stderr.strip()[-300:]}")
        return Clip(out, sha256_of(out), out.stat().st_size, self.duration(out), first.start, len(segments))

    def duration(self, path: Path) -> float:
        return float(self._probe(path, ["-show_entries", "format=duration"])["format"]["duration"])

    def _start_time(self, path: Path) -> float:
        found = self._probe(path, ["-select_streams", "v:0", "-show_entries", "stream=start_time"])
        streams = found.get("streams") or [{}]
        return float(streams[0].get("start_time") or 0.0)

    def _keyframe_at_or_before(self, path: Path, offset: float) -> float:
        packets = self._probe(path, ["-select_streams", "v:0", "-show_entries", "packet=pts_time,flags"])
        times = [float(p["pts_time"]) for p in packets.get("packets", [])
                 if "K" in p.get("flags", "") and p.get("pts_time") not in (None, "N/A")]
        if not times:
            raise ClipError(f"{path.name} has no keyframe to start from")
        # The segment's own clock starts at its start_time, which is its name's wall-clock time.
        target = self._start_time(path) + offset
        before = [t for t in times if t <= target + 1e-6]
        return before[-1] if before else times[0]

    def _probe(self, path: Path, entries: list[str]) -> dict:
        done = subprocess.run([self.ffprobe, "-v", "error", "-of", "json", *entries, str(path)],
                              capture_output=True, text=True, timeout=PROBE_TIMEOUT_S, check=False)
        if done.returncode != 0:
            raise ClipError(f"ffprobe cannot read {path.name}: {done.stderr.strip()[-200:]}")
        return json.loads(done.stdout or "{}")


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(HASH_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _quote(path: Path) -> str:
    # ffconcat quoting: single quotes, with a quote itself written as '\''.
    return "'" + str(path).replace("'", "'\\''") + "'"

"""H.264 test clips made with ffmpeg: a moving test pattern with a camera label and a clock.

Tests and the demo serve these as live cameras. A clip is made once per set of parameters and
reused (a small stamp file beside it records what it was made with).
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import tempfile
from pathlib import Path

from rtcc_media.children import require_tool
from rtcc_media.errors import MediaError

_FONTS = (
    "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf",
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/truetype/liberation/LiberationSans-Bold.ttf",
    "C:/Windows/Fonts/arialbd.ttf",
)


def _font() -> str | None:
    return next((f for f in _FONTS if Path(f).is_file()), None)


def _escape(value: str) -> str:
    """A path as an ffmpeg filter option value (':' and '\\' are special there)."""
    return value.replace("\\", "/").replace(":", "\\:").replace("'", "\\'")


def _slug(label: str) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "-", label).strip("-").lower() or "clip"


def _filters(label: str, label_file: Path, size: tuple[int, int]) -> str:
    font = _font()
    if font is None:
        return "null"  # testsrc's own frame counter still moves
    points = max(12, size[1] // 15)
    common = (f"fontfile='{_escape(font)}':fontcolor=white:box=1:boxcolor=black@0.6:"
              f"boxborderw=4:fontsize={points}")
    label_text = f"drawtext={common}:textfile='{_escape(str(label_file))}':x=8:y=8"
    clock = f"drawtext={common}:text='%{{pts\\:hms}}  #%{{n}}':x=8:y=h-th-12"
    return f"{label_text},{clock}" if label else clock


def make_test_clip(path: str | os.PathLike, *, seconds: float = 10,
                   size: tuple[int, int] = (640, 360), fps: int = 15,
                   label: str = "CAM 1") -> Path:
    """Make (or reuse) an H.264 baseline MP4: testsrc pattern, ``label`` top-left, clip time and
    frame number bottom-left, one keyframe a second so a player starts within a second.

    ``path`` is the file to write, or an existing folder to put it in (named after the
    parameters). Returns the clip's path.
    """
    width, height = size
    if width % 2 or height % 2 or width <= 0 or height <= 0:
        raise MediaError(f"clip size must be positive and even (H.264 4:2:0), got {width}x{height}")
    if seconds <= 0 or fps <= 0:
        raise MediaError("clip length and frame rate must be positive, "
                         f"got {seconds} s at {fps} fps")
    target = Path(path)
    if target.is_dir():
        target = target / f"{_slug(label)}-{width}x{height}-{fps}fps-{seconds:g}s.mp4"
    params = {"seconds": seconds, "size": [width, height], "fps": fps, "label": label,
              "font": _font(), "version": 1}
    stamp = target.with_name(target.name + ".params.json")
    if target.is_file() and stamp.is_file():
        try:
            if json.loads(stamp.read_text()) == params:
                return target
        except (OSError, ValueError):
            pass  # a damaged stamp: make the clip again
    ffmpeg = require_tool("ffmpeg")
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="rtcc-clip-") as work:
        label_file = Path(work) / "label.txt"
        label_file.write_text(label, encoding="utf-8")
        partial = Path(work) / "clip.mp4"
        argv = [ffmpeg, "-nostdin", "-hide_banner", "-loglevel", "error", "-y",
                "-f", "lavfi", "-i", f"testsrc=size={width}x{height}:rate={fps}",
                "-t", f"{seconds:g}", "-vf", _filters(label, label_file, size),
                "-an", "-pix_fmt", "yuv420p", "-c:v", "libx264", "-profile:v", "baseline",
                "-preset", "veryfast", "-g", str(fps), "-keyint_min", str(fps),
                "-sc_threshold", "0", "-movflags", "+faststart", str(partial)]
        done = subprocess.run(argv, capture_output=True, text=True, stdin=subprocess.DEVNULL)
        if done.returncode != 0:
            raise MediaError(f"ffmpeg could not make the test clip {target}: "
                             f"{done.stderr.strip()[-500:]}")
        # Same-folder rename: another process making the same clip never sees half a file.
        staged = target.with_name(f".{target.name}.{os.getpid()}.tmp")
        staged.write_bytes(partial.read_bytes())
        os.replace(staged, target)
    stamp.write_text(json.dumps(params))
    return target

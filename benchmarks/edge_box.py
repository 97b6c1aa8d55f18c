"""The edge box: CPU and memory of `rtcc-edge run` recording 4 local streams; cutting a 10-minute
window out of 30 days of segments; one retention pass over those 30 days."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from benchmarks.common import Figure, print_section, timed
from rtcc_edge.clips import ClipCutter, sha256_of
from rtcc_edge.retention import RetentionPolicy
from rtcc_edge.segments import channel_dir, segment_name

CLIP_SIZE, CLIP_FPS = (1280, 720), 15  # a camera's 720p main stream
SEGMENT_S = 60
TICKS = os.sysconf("SC_CLK_TCK")


def run(record_seconds: float = 60.0, days: int = 30, channels: int = 4) -> list[Figure]:
    root = Path(tempfile.mkdtemp(prefix="rtcc-bench-edge-"))
    figures: list[Figure] = []
    try:
        clip = _clip(root)
        figures += _recording(root / "recording", clip, record_seconds)
        figures += _cutting(root / "cutting", clip, days, channels)
    finally:
        shutil.rmtree(root, ignore_errors=True)
    print_section(f"Edge box (4 cameras at {CLIP_SIZE[0]}x{CLIP_SIZE[1]} {CLIP_FPS} fps; "
                  f"{days} days of {SEGMENT_S} s segments)", figures)
    return figures


def _clip(root: Path) -> Path:
    from rtcc_media.clips import make_test_clip

    cache = Path(tempfile.gettempdir()) / "rtcc-test-clips"
    cache.mkdir(parents=True, exist_ok=True)
    return make_test_clip(cache, seconds=10, size=CLIP_SIZE, fps=CLIP_FPS, label="EDGE BENCH")


# --- recording ----------------------------------------------------------------------------------


def _recording(folder: Path, clip: Path, seconds: float) -> list[Figure]:
    from rtcc_media.sources import LocalSource

    folder.mkdir(parents=True)
    sources = [LocalSource(clip, f"bench-edge-{n}", kind)
               for n, kind in enumerate(("rtsp", "rtsp", "http", "http"), start=1)]
    for source in sources:
        source.start(wait=False)
    box = None
    try:
        for source in sources:
            source.wait_until_on_air(30)
        config = _config(folder, [s.url for s in sources])
        box = subprocess.Popen([sys.executable, "-m", "rtcc_edge.cli", "--config", str(config),
                                "--log-level", "WARNING", "run"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        recordings = folder / "recordings"
        deadline = time.monotonic() + 90
        while not all(len(list(channel_dir(recordings, ch).rglob("*.ts"))) >= 2 for ch in range(1, 5)):
            if time.monotonic() > deadline or box.poll() is not None:
                raise RuntimeError("the box did not start recording 4 channels: "
                                   + (box.stderr.read().decode()[-500:] if box.poll() is not None else ""))
            time.sleep(0.5)
        before, started = _cpu_ticks(box.pid), time.monotonic()
        peak_memory = 0
        while time.monotonic() - started < seconds:
            time.sleep(1)
            peak_memory = max(peak_memory, _memory_bytes(box.pid))
        cores = (_cpu_ticks(box.pid) - before) / TICKS / (time.monotonic() - started)
        python_memory = _memory_bytes(box.pid, children=False)
        stop_s, _ = timed(lambda: _stop(box))
    finally:
        if box is not None and box.poll() is None:
            box.kill()
        for source in sources:
            source.close()
    return [
        Figure("recording 4 streams: CPU of rtcc-edge and its ffmpegs", cores * 100, "% core",
               "< 25 % of a core", cores < 0.25),
        Figure("recording 4 streams: memory (PSS), peak, rtcc-edge + 4 ffmpeg", peak_memory / 2**20, "MiB",
               "< 400 MiB", peak_memory < 400 * 2**20),
        Figure("  of which the Python daemon (recorders, link, owner page)", python_memory / 2**20, "MiB"),
        Figure("stop: SIGTERM until every segment is closed", stop_s, "s", "< 30 s (the unit's)", stop_s < 30),
    ]


def _config(folder: Path, urls: list[str]) -> Path:
    lines = ['box_name = "Benchmark box"', f'state_dir = "{folder / "state"}"',
             f'recordings_dir = "{folder / "recordings"}"', f"segment_seconds = {SEGMENT_S}",
             "[owner_page]", f"port = {_free_port()}"]
    for channel, url in enumerate(urls, start=1):
        lines += ["[[cameras]]", f"channel = {channel}", f'name = "Camera {channel}"', f'url = "{url}"',
                  "lat = 32.5", "lon = -93.75"]
    path = folder / "rtcc-edge.toml"
    path.write_text("\n".join(lines) + "\n")
    return path


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _tree(pid: int) -> list[int]:
    """The process and its descendants (from /proc: no psutil on the box)."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                fields = Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            children.setdefault(int(fields[1]), []).append(int(entry))
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        todo += children.get(current, [])
    return found


def _cpu_ticks(pid: int) -> int:
    total = 0
    for member in _tree(pid):
        try:
            fields = Path(f"/proc/{member}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total


def _memory_bytes(pid: int, *, children: bool = True) -> int:
    """Proportional set size: the four ffmpegs share their libraries, which RSS counts four times."""
    total = 0
    for member in _tree(pid) if children else [pid]:
        try:
            for line in Path(f"/proc/{member}/smaps_rollup").read_text().splitlines():
                if line.startswith("Pss:"):
                    total += int(line.split()[1]) * 1024
        except OSError:
            continue
    return total


def _stop(box: subprocess.Popen) -> None:
    box.send_signal(signal.SIGTERM)
    box.wait(timeout=60)


# --- 30 days of segments ------------------------------------------------------------------------


def _cutting(folder: Path, clip: Path, days: int, channels: int) -> list[Figure]:
    folder.mkdir(parents=True)
    segment = _one_real_segment(folder / "piece", clip)
    recordings = folder / "recordings"
    end = datetime(2026, 11, 1, tzinfo=UTC)
    start = end - timedelta(days=days)
    # Hard links of one real 60 s segment under every name ffmpeg would have written.
    made, _ = timed(lambda: _lay(recordings, segment, start, end, channels))
    count = days * 86400 // SEGMENT_S * channels
    window_start = start + timedelta(days=days // 2, hours=14, minutes=3, seconds=20)
    window_end = window_start + timedelta(minutes=10)
    cutter = ClipCutter(segment_seconds=SEGMENT_S)
    out = folder / "clip.mp4"
    cut_s, cut = timed(lambda: cutter.cut(channel_dir(recordings, 1), window_start, window_end, out))
    hash_s, _ = timed(lambda: sha256_of(out))
    # The pass that runs every minute: the oldest minute of each channel has just aged out.
    policy = RetentionPolicy(recordings, days=days, segment_seconds=SEGMENT_S, min_free_percent=0)
    prune_s, removed = timed(lambda: policy.prune(now=end + timedelta(seconds=SEGMENT_S)))
    assert sum(r.count for r in removed) == channels, removed
    return [
        Figure(f"setting up {count:,} segment names ({days} days x {channels} channels)", made, "s"),
        Figure(f"cut a 10-minute window out of {days} days (list, probe, concat, SHA-256)", cut_s, "s",
               "< 10 s", cut_s < 10),
        Figure("  of which SHA-256 of the clip", hash_s, "s"),
        Figure("  clip duration (ffprobe)", cut.duration_s, "s", "600-601 s", 600 <= cut.duration_s <= 601.1),
        Figure("  clip size", cut.bytes / 2**20, "MiB"),
        Figure(f"retention pass over {count:,} segments (one minute aged out)", prune_s, "s",
               "< 5 s", prune_s < 5),
    ]


def _one_real_segment(folder: Path, clip: Path) -> Path:
    folder.mkdir(parents=True)
    subprocess.run(["ffmpeg", "-nostdin", "-hide_banner", "-loglevel", "error", "-stream_loop", "7",
                    "-i", str(clip), "-map", "0:v:0", "-c", "copy", "-f", "segment", "-segment_time",
                    str(SEGMENT_S), "-segment_format", "mpegts", "-reset_timestamps", "1",
                    str(folder / "%03d.ts")], check=True, capture_output=True)
    return folder / "000.ts"


def _lay(recordings: Path, segment: Path, start: datetime, end: datetime, channels: int) -> None:
    for channel in range(1, channels + 1):
        # One copy per channel: ext4 allows 65,000 links to a file, 30 days is 43,200.
        source = segment.with_name(f"ch{channel}.ts")
        shutil.copyfile(segment, source)
        moment = start
        made_days: set[Path] = set()
        while moment < end:
            target = channel_dir(recordings, channel) / segment_name(moment, "ts")
            if target.parent not in made_days:
                target.parent.mkdir(parents=True, exist_ok=True)
                made_days.add(target.parent)
            os.link(source, target)
            moment += timedelta(seconds=SEGMENT_S)


if __name__ == "__main__":
    quick = "--quick" in sys.argv
    run(record_seconds=15 if quick else 60, days=3 if quick else 30, channels=4)

"""A wall of live tiles on local test cameras: time until all are live, CPU per tile, frame cost.

The cameras run in a separate process (``python -m benchmarks.live_wall --serve``) so the
figures are the desk's side only: libvlc decoding plus the ffmpeg remux children for RTSP.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.common import Figure, median, print_section

CLK_TCK = os.sysconf("SC_CLK_TCK")


def _serve(count: int) -> None:
    """In the camera process: serve ``count`` cameras (half RTSP, half HTTP) until stdin closes."""
    from rtcc_media.clips import make_test_clip
    from rtcc_media.sources import LocalSource

    folder = Path(tempfile.gettempdir()) / "rtcc-test-clips"
    folder.mkdir(exist_ok=True)
    clip = make_test_clip(folder, seconds=10, label="WALL")
    sources = [LocalSource(clip, f"wall{n}", "rtsp" if n % 2 == 0 else "http").start(wait=False)
               for n in range(count)]
    for source in sources:
        source.wait_until_on_air(60)
    print(json.dumps([s.url for s in sources]), flush=True)
    sys.stdin.read()
    for source in sources:
        source.close()


def _cpu_seconds(pids: list[int]) -> float:
    total = 0.0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / CLK_TCK  # utime + stime
    return total


def _ffmpeg_children() -> list[int]:
    me = str(os.getpid())
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if (entry / "stat").read_text().rsplit(")", 1)[1].split()[1] == me:
                    found.append(int(entry.name))
            except OSError:
                continue
    return found


def run(tiles: int = 16, seconds: float = 10.0) -> list[Figure]:
    from rtcc_desk.adapters.live import LiveState, LiveStream, PlayerPool
    from rtcc_desk.core.privacy_mask import PrivacyMask
    from rtcc_media.children import start_child, stop_child

    cameras = start_child([sys.executable, "-m", "benchmarks.live_wall", "--serve", str(tiles)],
                          stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        urls = json.loads(cameras.stdout.readline())
        pool = PlayerPool()
        mask = PrivacyMask([[(0.0, 0.0), (0.4, 0.0), (0.4, 0.3), (0.0, 0.3)]])
        streams = [LiveStream(f"CAM {n}", sub_url=url, mask=mask, pool=pool)
                   for n, url in enumerate(urls, start=1)]
        started = time.perf_counter()
        for stream in streams:
            stream.start()
        live_at: dict[int, float] = {}
        while len(live_at) < len(streams) and time.perf_counter() - started < 60:
            for n, stream in enumerate(streams):
                stream.poll()
                if stream.state is LiveState.LIVE and n not in live_at:
                    live_at[n] = time.perf_counter() - started
            time.sleep(0.05)
        all_live = max(live_at.values()) if len(live_at) == len(streams) else float("inf")

        # steady state: poll at 10 Hz and take every new frame, as the wall's timer would
        children = [c for c in _ffmpeg_children() if c != cameras.pid]  # the desk's side only
        cpu_before = _cpu_seconds([os.getpid(), *children])
        frame_ms: list[float] = []
        pictures = 0
        end = time.perf_counter() + seconds
        while time.perf_counter() < end:
            for stream in streams:
                stream.poll()
                before = stream.serial
                t = time.perf_counter()
                frame = stream.latest_frame()
                if frame is not None and frame.serial == before:
                    frame_ms.append((time.perf_counter() - t) * 1000)
                    pictures += 1
            time.sleep(0.1)
        cores = (_cpu_seconds([os.getpid(), *children]) - cpu_before) / seconds
        for future in [s.close() for s in streams]:
            future.result(30)
        pool.shutdown()
    finally:
        if cameras.stdin:
            cameras.stdin.close()
        stop_child(cameras, timeout_s=15)
    per_tile = cores / tiles
    figures = [
        Figure(f"{tiles} tiles (half RTSP via remux, half HTTP): all live after", all_live, "s",
               "< 10 s", all_live < 10),
        Figure("  first tile live after", min(live_at.values(), default=float("inf")), "s"),
        Figure("  CPU per live 360p15 tile (decode + remux + masking)", per_tile, "cores",
               "< 0.05 cores", per_tile < 0.05),
        Figure("  masked frame copy (latest_frame, 640x360) median", median(frame_ms or [0]),
               "ms", "< 5 ms", median(frame_ms or [0]) < 5),
        Figure("  frames handed to the wall per tile per second", pictures / tiles / seconds,
               "fps"),
    ]
    print_section("Live wall (local test cameras)", figures)
    return figures


if __name__ == "__main__":
    if sys.argv[1:2] == ["--serve"]:
        _serve(int(sys.argv[2]))
    else:
        run()

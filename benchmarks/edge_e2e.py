"""The edge box end to end: from the analyst's click to the first live byte at the desk, and to a
10-minute clip complete on the server. A real `rtcc-server serve`, a real `rtcc-edge run` recording
a local 720p camera, the desk's edge adapter; baselines measured in the same run (the camera read
directly, the box's ffmpeg alone, the cut alone, the same bytes by a plain tus client)."""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx

from benchmarks.common import Figure, median, print_section, timed
from benchmarks.edge_box import SEGMENT_S, _clip, _config, _one_real_segment
from benchmarks.server_common import MiB, Server, create_upload, make_upload_requests, patch

PASSWORD = "correct horse battery staple"
OWNER_PASSWORD = "benchmark owner password"
CHUNK = 4 * MiB  # the box's tus chunk (rtcc_edge.tus_client.CHUNK_BYTES)


@dataclass
class Rig:
    """The server, the camera and the box, running; the analyst signed in at the desk's adapter."""

    root: Path
    server: Server
    services: object
    camera: object
    box: subprocess.Popen
    recordings: Path
    analyst: object
    channel_id: str
    laid_from: datetime

    def stop(self) -> None:
        if self.box.poll() is None:
            self.box.terminate()
            try:
                self.box.wait(timeout=60)
            except subprocess.TimeoutExpired:
                self.box.kill()
        self.server.stop()
        self.camera.close()


def run(clip_minutes: int = 10, clips: int = 3, lives: int = 5) -> list[Figure]:
    root = Path(tempfile.mkdtemp(prefix="rtcc-bench-edge-e2e-"))
    figures: list[Figure] = []
    rig = None
    try:
        rig = _start(root, laid_minutes=clips * clip_minutes + 5)
        figures += _live(rig, lives)
        figures += _clips(rig, clip_minutes, clips)
    finally:
        if rig is not None:
            rig.stop()
        shutil.rmtree(root, ignore_errors=True)
    print_section(f"Edge box end to end (real server and rtcc-edge on loopback; a 1280x720 15 fps "
                  f"camera; {clip_minutes}-minute windows of {SEGMENT_S} s segments)", figures)
    return figures


# --- the parts ----------------------------------------------------------------------------------


def _signed_in(services, username: str, role: str, base_url: str):
    import pyotp

    from rtcc_desk.adapters.server_link.client import ServerClient
    from server_stub.auth import create_user

    with services.sessions() as session:
        _, secret = create_user(session, username=username, password=PASSWORD, roles=(role,))
        session.commit()
    client = ServerClient(base_url)
    client.login(username, PASSWORD, pyotp.TOTP(secret).now())
    return client


def _start(root: Path, laid_minutes: int) -> Rig:
    from rtcc_desk.adapters.server_link.edge_api import list_edge_channels
    from rtcc_edge.segments import channel_dir, segment_name
    from rtcc_media.sources import serve_http
    from server_stub.services import build_services
    from server_stub.settings import ServerSettings

    clip = _clip(root)
    segment = _one_real_segment(root / "piece", clip)
    camera = serve_http(clip, "bench-edge-e2e")
    server = Server(root / "server")
    server.start()
    services = build_services(ServerSettings(data_dir=server.data_dir, database_url=server.database_url))
    admin = _signed_in(services, "benchadmin", "admin", server.base_url)
    analyst = _signed_in(services, "benchanalyst", "analyst", server.base_url)
    code = admin.api("POST", "/api/edge/enrollment-codes", json={"business_name": "Corner Store"})["code"]

    box_dir = root / "box"
    box_dir.mkdir()
    config = _config(box_dir, [camera.url])
    (box_dir / "owner-password").write_text(OWNER_PASSWORD)
    enrolled = subprocess.run([sys.executable, "-m", "rtcc_edge.cli", "--config", str(config), "enroll",
                               "--server", server.base_url, "--code", code,
                               "--owner-password-file", str(box_dir / "owner-password")],
                              capture_output=True, text=True, timeout=120)
    if enrolled.returncode != 0:
        raise RuntimeError(f"rtcc-edge enroll: {enrolled.stderr[-500:]}")
    # Recorded earlier (synthetic: one real 60 s segment of this camera, copied under the names
    # ffmpeg would have written), ending a few minutes ago, before the box's own recording.
    recordings = box_dir / "recordings"
    laid_to = datetime.now(UTC).replace(second=0, microsecond=0) - timedelta(minutes=3)
    laid_from = laid_to - timedelta(minutes=laid_minutes)
    moment = laid_from
    while moment < laid_to:
        target = channel_dir(recordings, 1) / segment_name(moment, "ts")
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(segment, target)
        moment += timedelta(seconds=SEGMENT_S)
    box = subprocess.Popen([sys.executable, "-m", "rtcc_edge.cli", "--config", str(config),
                            "--log-level", "WARNING", "run"],
                           stdout=subprocess.DEVNULL, stderr=(root / "box.log").open("wb"))
    rig = Rig(root, server, services, camera, box, recordings, analyst, "", laid_from)
    deadline = time.monotonic() + 120
    while True:
        ready = [c for c in list_edge_channels(analyst) if c.can_ask]
        if ready:
            rig.channel_id = ready[0].camera.camera_id
            return rig
        if time.monotonic() > deadline or box.poll() is not None:
            rig.stop()
            raise RuntimeError(f"the box never reported its camera recording; see {root / 'box.log'}")
        time.sleep(0.5)


# --- live ---------------------------------------------------------------------------------------


def _live(rig: Rig, lives: int) -> list[Figure]:
    from rtcc_desk.adapters.server_link.edge_api import end_live, live_state, start_live

    answered, at_server, at_desk = [], [], []
    for _ in range(lives):
        clicked_wall, clicked = datetime.now(UTC), time.perf_counter()
        view = start_live(rig.analyst, rig.channel_id, "Benchmark: live view", max_seconds=60)
        answered.append(time.perf_counter() - clicked)
        with httpx.stream("GET", view.stream_url, timeout=httpx.Timeout(60)) as response:
            response.raise_for_status()
            next(response.iter_raw())
            at_desk.append(time.perf_counter() - clicked)
        started = live_state(rig.analyst, view.session_id).started_at
        at_server.append((started - clicked_wall).total_seconds())
        end_live(rig.analyst, view.session_id)
        time.sleep(1.0)  # the box ends its ffmpeg before the next click
    picture = _first_picture(rig, start_live, end_live)
    camera_read = [_first_byte_of_camera(rig.camera.url) for _ in range(lives)]
    ffmpeg_copy = [_first_byte_of_box_ffmpeg(rig.camera.url) for _ in range(lives)]
    # What the box's live command would gain by probing the camera for less than ffmpeg's 5 s.
    ffmpeg_short = [_first_byte_of_box_ffmpeg(rig.camera.url, SHORT_PROBE) for _ in range(lives)]
    figures = [
        Figure(f"live: click → first byte at the desk (median of {lives})", median(at_desk), "s",
               "< 5 s", median(at_desk) < 5),
        Figure("  slowest", max(at_desk), "s"),
        Figure("  of which: the server answers the click", median(answered), "s"),
        # The server marks a session streaming when the box's ingest POST arrives, before its body.
        Figure("  of which: click → the box's stream POST reaches the server", median(at_server), "s"),
        Figure("live: click → first picture in libvlc (network-caching 300 ms)", picture, "s",
               "< 8 s", picture < 8),
        Figure("baseline: the camera's HTTP stream read directly, first byte", median(camera_read), "s"),
        Figure("baseline: the box's ffmpeg (-c copy to MPEG-TS) alone, first byte", median(ffmpeg_copy), "s"),
        Figure("  the same with -analyzeduration 0.5 s -probesize 500 kB", median(ffmpeg_short), "s"),
    ]
    return figures


def _first_picture(rig: Rig, start_live, end_live) -> float:
    from rtcc_desk.adapters.player import VlcPlayer

    player = VlcPlayer()
    try:
        clicked = time.perf_counter()
        view = start_live(rig.analyst, rig.channel_id, "Benchmark: live picture", max_seconds=60)
        player.open(view.stream_url, (":network-caching=300",))
        player.play()
        deadline = clicked + 60
        while player.current_frame() is None:
            if time.perf_counter() > deadline:
                raise RuntimeError("libvlc showed no picture of the live view within 60 s")
            time.sleep(0.01)
        shown = time.perf_counter() - clicked
        end_live(rig.analyst, view.session_id)
    finally:
        player.close()
    time.sleep(1.0)
    return shown


def _first_byte_of_camera(url: str) -> float:
    started = time.perf_counter()
    with httpx.stream("GET", url, timeout=httpx.Timeout(30)) as response:
        next(response.iter_raw())
    return time.perf_counter() - started


SHORT_PROBE = ("-analyzeduration", "500000", "-probesize", "500000")


def _first_byte_of_box_ffmpeg(url: str, probe: tuple[str, ...] = ()) -> float:
    from rtcc_edge.live import LiveSession
    from rtcc_edge.redact import Redactor
    from rtcc_edge.settings import Camera

    camera = Camera(channel=1, name="Camera 1", url=url, lat=32.5, lon=-93.75)
    command = LiveSession("ffmpeg", camera, "tcp", Redactor([url])).command(30)
    if probe:
        at = command.index("-i")
        command = [*command[:at], *probe, *command[at:]]
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                               stdin=subprocess.DEVNULL)
    try:
        process.stdout.read(1)
        return time.perf_counter() - started
    finally:
        process.kill()
        process.wait()


# --- clips --------------------------------------------------------------------------------------


def _clips(rig: Rig, minutes: int, clips: int) -> list[Figure]:
    from sqlalchemy import select

    from rtcc_desk.adapters.server_link.edge_api import ask_for_clip, clip_state
    from rtcc_desk.core.request_queue import RequestWindow
    from rtcc_edge.clips import ClipCutter
    from rtcc_edge.segments import channel_dir
    from rtcc_edge.store import BoxStore
    from server_stub.models.uploads import Upload

    store = BoxStore(rig.root / "box" / "state" / "box.sqlite3")
    totals, woken, accepted, cut, sent, sizes, durations, windows = [], [], [], [], [], [], [], []
    original = rig.root / "original.mp4"
    for n in range(clips):
        start = rig.laid_from + timedelta(minutes=n * minutes, seconds=20)
        window = RequestWindow(start, start + timedelta(minutes=minutes))
        windows.append(window)
        clicked_wall = datetime.now(UTC)
        asked = ask_for_clip(rig.analyst, rig.channel_id, window, "Benchmark: clip",
                             call_ref=f"SPT-BENCH-{n}")
        deadline = time.monotonic() + 600
        while (state := clip_state(rig.analyst, asked.command_id)).state not in (
                "done", "refused", "failed", "expired"):
            if time.monotonic() > deadline:
                raise RuntimeError(f"clip {asked.command_id} not answered within 600 s")
            time.sleep(0.1)
        state.check()
        with rig.services.sessions() as session:
            upload = session.scalar(select(Upload).where(Upload.request_id == asked.request_id))
        entry = store.entry_for(asked.command_id)
        totals.append((upload.completed_at - clicked_wall).total_seconds())
        woken.append((entry.received_at - clicked_wall).total_seconds())
        accepted.append((entry.started_at - entry.received_at).total_seconds())
        cut.append((upload.created_at - entry.started_at).total_seconds())
        sent.append((upload.completed_at - upload.created_at).total_seconds())
        sizes.append(upload.length)
        durations.append(float((upload.probe or {}).get("duration") or 0))
        if n == 0:
            rig.analyst.download(f"/api/uploads/{upload.id}/original", original)

    # Baselines on the same bytes and segments.
    plain = [_plain_tus(rig, original) for _ in range(clips)]
    cutter = ClipCutter(segment_seconds=SEGMENT_S)
    alone = [timed(lambda w=w: cutter.cut(channel_dir(rig.recordings, 1), w.start, w.end,
                                          rig.root / "cut-alone.mp4"))[0] for w in windows]
    window_s = minutes * 60
    return [
        Figure(f"clip: click → {minutes}-minute clip complete on the server (median of {clips})",
               median(totals), "s", "< 30 s", median(totals) < 30),
        Figure("  slowest", max(totals), "s"),
        Figure("  of which: click → the box has the command (long-poll)", median(woken), "s"),
        Figure("  of which: the box answers \"accepted\"", median(accepted), "s"),
        Figure("  of which: cut (concat -c copy) and SHA-256 on the box", median(cut), "s"),
        Figure("  of which: tus upload until the server has checked and stored it", median(sent), "s"),
        Figure("  clip size", median(sizes) / MiB, "MiB"),
        Figure("  clip duration (server's ffprobe)", median(durations), "s",
               f"{window_s}-{window_s + 1} s", window_s <= median(durations) <= window_s + 1.1),
        Figure("baseline: the same bytes by a plain tus client (owner upload path)", median(plain), "s"),
        Figure("baseline: the same cut alone, in-process", median(alone), "s"),
    ]


def _plain_tus(rig: Rig, path: Path) -> float:
    """Create + PATCH in the box's chunk size, no per-chunk checksum: tus with nothing added."""
    [token] = make_upload_requests(rig.server.database_url, 1)
    data = path.read_bytes()
    with httpx.Client(base_url=rig.server.base_url, timeout=120) as client:
        started = time.perf_counter()
        location = create_upload(client, token, len(data))
        offset = 0
        while offset < len(data):
            offset = patch(client, location, offset, data[offset:offset + CHUNK])
        return time.perf_counter() - started


if __name__ == "__main__":
    quick = "--quick" in sys.argv
    run(clip_minutes=2 if quick else 10, clips=2 if quick else 3, lives=2 if quick else 5)

"""The edge recorder joined end to end: a real `rtcc-server serve` on loopback, a real `rtcc-edge`
daemon (its own process) enrolled with a one-time code and recording a real local HTTP camera
in 2 s segments, and the desk's edge adapter. An analyst's clip travels over the box's outbound
long-poll only and arrives as evidence with the box's SHA-256; a live view plays in libvlc and
ends when the analyst ends it; the owner's access log shows both; a paused box's refusal reaches
the desk in words; the box finds the server again after it restarts on the same port."""

from __future__ import annotations

import hashlib
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from rtcc_desk.adapters import local_server
from rtcc_desk.adapters.player import PlayerUnavailable, VlcPlayer
from rtcc_desk.adapters.server_link import RegistryCache, ServerClient
from rtcc_desk.adapters.server_link.edge_api import (
    EdgeChannelStatus,
    EdgeClip,
    EdgeSharingPaused,
    ask_for_clip,
    clip_state,
    edge_error_text,
    end_live,
    list_edge_channels,
    live_state,
    start_live,
)
from rtcc_desk.adapters.server_link.requests_api import get_request
from rtcc_desk.core.cameras import EdgeChannel
from rtcc_desk.core.request_queue import RequestState, RequestWindow
from rtcc_edge.segments import Segment, channel_dir, list_segments
from rtcc_edge.store import AccessEntry, BoxStore
from rtcc_media.sources import LocalSource
from server_stub.models.edge import EdgeBox, EdgeCommand
from tests.adapters.test_edge_api import EdgeServer
from tests.edge.conftest import OWNER_PASSWORD
from tests.edge.helpers import OwnerBrowser, camera, ffprobe_duration, wait_until, write_config
from tests.streams import module_streams  # noqa: F401  (fixture: local cameras, closed after)

pytestmark = pytest.mark.slow

SEGMENT_S = 2
FINAL = ("done", "refused", "failed", "expired")


@dataclass
class EdgeRig:
    """The three parts, running: the server, the box daemon, the camera it records."""

    server: EdgeServer
    camera: LocalSource
    config: Path
    state_dir: Path
    recordings: Path
    page_url: str
    code: str
    analyst: ServerClient
    box_log: Path
    box: subprocess.Popen | None = None

    def rtcc_edge(self, *args: str, timeout: float = 60) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "rtcc_edge.cli", "--config", str(self.config), *args],
                              capture_output=True, text=True, timeout=timeout, stdin=subprocess.DEVNULL)

    def start_box(self) -> None:
        with self.box_log.open("ab") as log:
            self.box = subprocess.Popen(
                [sys.executable, "-m", "rtcc_edge.cli", "--config", str(self.config), "run"],
                stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)

    def stop_box(self) -> None:
        if self.box is not None and self.box.poll() is None:
            self.box.send_signal(signal.SIGTERM)
            try:
                self.box.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.box.kill()
                self.box.wait(timeout=10)

    @property
    def store(self) -> BoxStore:
        return BoxStore(self.state_dir / "box.sqlite3")

    def segments(self) -> list[Segment]:
        return list_segments(channel_dir(self.recordings, 1))

    def recorded(self, count: int) -> list[Segment]:
        return wait_until(lambda: (found := self.segments()) and len(found) >= count and found, 60,
                          f"{count} segments of channel 1 ({self.box_log})")

    def channel(self, **expect) -> EdgeChannelStatus:
        """Channel 1 as the desk sees it, once it matches ``expect`` (attribute values)."""
        def matching():
            first = next((c for c in list_edge_channels(self.analyst) if c.camera.channel == 1), None)
            return first if first and all(getattr(first, k) == v for k, v in expect.items()) else None
        return wait_until(matching, 60, f"channel 1 with {expect} ({self.box_log})")

    def finished(self, asked: EdgeClip, timeout: float = 90) -> EdgeClip:
        return wait_until(lambda: (c := clip_state(self.analyst, asked.command_id)).state in FINAL and c,
                          timeout, f"the box to answer clip {asked.command_id} ({self.box_log})")

    def entry(self, command_id: str) -> AccessEntry:
        return wait_until(lambda: self.store.entry_for(command_id), 30, f"access log entry {command_id}")


@pytest.fixture(scope="module")
def rig(tmp_path_factory, small_clip, module_streams):
    folder = tmp_path_factory.mktemp("end-to-end")
    source = module_streams.http("front-door", clip_path=small_clip)  # 320x240, a keyframe a second
    box_folder, page_port = folder / "box", local_server.free_port()
    config = write_config(
        box_folder, [camera(1, source.url, name="Front door")], box_name="Corner Store",
        segment_seconds=SEGMENT_S, stall_seconds=10, restart_max_seconds=4,
        owner_page={"host": "127.0.0.1", "port": page_port},
        # A short long-poll: a stopping server waits for the poll in flight (uvicorn's graceful
        # shutdown), and the story stops and restarts the server.
        link={"heartbeat_seconds": 2, "poll_wait_seconds": 5, "retry_max_seconds": 2})
    (box_folder / "owner-password").write_text(OWNER_PASSWORD)
    with EdgeServer(folder / "server") as server:
        admin = server.signed_in("admin")
        code = admin.api("POST", "/api/edge/enrollment-codes",
                         json={"business_name": "Corner Store"})["code"]
        rig = EdgeRig(server, source, config, box_folder / "state", box_folder / "recordings",
                      f"http://127.0.0.1:{page_port}", code, server.signed_in("analyst"),
                      box_folder / "box.log")
        enrolled = rig.rtcc_edge("enroll", "--server", server.base_url, "--code", code,
                                 "--owner-password-file", str(box_folder / "owner-password"))
        assert enrolled.returncode == 0, enrolled.stderr
        rig.start_box()
        try:
            yield rig
        finally:
            rig.stop_box()


def test_enrolled_with_a_one_time_code_its_channel_is_on_the_desk(rig, tmp_path):
    again = rig.rtcc_edge("enroll", "--server", rig.server.base_url, "--code", rig.code, "--replace",
                          "--owner-password-file", str(rig.config.parent / "owner-password"))
    assert again.returncode == 1
    assert "the server refused the code (409): This enrollment code was already used" in again.stderr
    status = rig.channel(state="recording")
    assert status.can_ask and status.status_text == "Recording"
    assert status.camera.name == "Corner Store – Front door"
    cache = RegistryCache.open(f"sqlite:///{tmp_path / 'link.sqlite3'}")
    cache.sync_once(rig.analyst)
    [channel] = [c for c in cache.cameras() if isinstance(c, EdgeChannel)]
    assert (channel.camera_id, channel.edge_device_id, channel.channel) == (
        status.camera.camera_id, status.box.box_id, 1)


def test_a_clip_asked_at_the_desk_arrives_as_evidence_with_the_box_hash(rig, tmp_path):
    found = rig.recorded(6)
    start = found[1].start + timedelta(seconds=0.5)
    end = found[4].start + timedelta(seconds=0.5)
    status = rig.channel(state="recording")
    asked = ask_for_clip(rig.analyst, status.camera.camera_id, RequestWindow(start, end),
                         "Robbery at the register", call_ref="SPT-2026-000901", case_ref="SPD-26-0901")
    assert asked.request_id and asked.state in ("queued", "sent")

    done = rig.finished(asked).check()
    assert done.state == "done"
    [upload] = rig.analyst.api("GET", "/api/uploads", params={"request_id": asked.request_id})
    assert (upload["state"], upload["classification"]) == ("complete", "playable")
    entry = rig.entry(asked.command_id)
    assert entry.outcome == "done" and upload["sha256"] == entry.sha256
    original = tmp_path / "original.mp4"
    rig.analyst.download(f"/api/uploads/{upload['id']}/original", original)
    assert hashlib.sha256(original.read_bytes()).hexdigest() == entry.sha256
    window = (end - start).total_seconds()
    # Cut without re-encoding: it may begin up to one keyframe (1 s here) before the window.
    assert window - 0.3 <= ffprobe_duration(original) <= window + 1.3
    request = get_request(rig.analyst, asked.request_id)  # in the request queue like an owner's
    assert request.state is RequestState.UPLOADED and request.call_ref == "SPT-2026-000901"
    assert (entry.kind, entry.call_ref, entry.justification) == ("clip", "SPT-2026-000901",
                                                                 "Robbery at the register")


def test_a_live_view_plays_in_libvlc_and_ends_when_the_analyst_ends_it(rig):
    try:
        player = VlcPlayer()
    except PlayerUnavailable as exc:
        pytest.skip(f"libvlc cannot be loaded: {exc}")
    status = rig.channel(state="recording")
    try:
        view = start_live(rig.analyst, status.camera.camera_id, "Fight in front of the store",
                          call_ref="SPT-2026-000902", max_seconds=120, wait_s=30)
        assert view.state == "streaming", view
        player.open(view.stream_url, (":network-caching=300",))
        player.play()
        frame = wait_until(lambda: (f := player.current_frame()) is not None and f.serial >= 10 and f,
                           30, "libvlc to show frames of the live view")
        assert (frame.width, frame.height) == (320, 240)
        ended = end_live(rig.analyst, view.session_id)
        assert (ended.state, ended.reason_code) == ("ended", "ended_by_analyst")
    finally:
        player.close()
    entry = wait_until(lambda: (e := rig.store.entry_for(_live_command(rig, view.session_id)))
                       and e.outcome == "done" and e, 30, "the box to end the live view")
    assert entry.reason == "stopped by the RTCC" and entry.bytes > 10_000
    assert live_state(rig.analyst, view.session_id).bytes_relayed > 10_000

    # The owner's page lists both visits, in the owner's words.
    owner = OwnerBrowser(rig.page_url)
    try:
        page = owner.sign_in(OWNER_PASSWORD).text
    finally:
        owner.close()
    assert "RTCC viewed camera 1 (Front door) live from" in page and "SPT-2026-000902" in page
    assert "RTCC received a copy of camera 1 (Front door)" in page and "SPT-2026-000901" in page


def _live_command(rig: EdgeRig, session_id: str) -> str:
    with rig.server.services.sessions() as session:
        return session.scalar(select(EdgeCommand.id).where(EdgeCommand.live_session_id == session_id,
                                                           EdgeCommand.kind == "live"))


def test_a_paused_box_refuses_and_the_desk_says_why(rig):
    owner = OwnerBrowser(rig.page_url)
    try:
        assert owner.sign_in(OWNER_PASSWORD).status_code == 200
        assert "Sharing paused" in owner.post("/sharing", action="pause").text
        status = rig.channel(status_text="Sharing paused by the business")
        assert not status.can_ask
        newest = rig.recorded(3)[-2].start
        asked = ask_for_clip(rig.analyst, status.camera.camera_id,
                             RequestWindow(newest - timedelta(seconds=4), newest), "Shoplifting")
        assert "paused sharing" in asked.note
        with pytest.raises(EdgeSharingPaused) as refused:
            rig.finished(asked).check()
        assert edge_error_text(refused.value) == (
            "The business has paused sharing on its edge box at Corner Store (channel 1).")
        assert rig.entry(asked.command_id).outcome == "refused"
        assert get_request(rig.analyst, asked.request_id).state is RequestState.DECLINED
    finally:
        owner.post("/sharing", action="resume")
        owner.close()
    rig.channel(status_text="Recording")


def test_the_box_reconnects_after_the_server_restarts(rig, monkeypatch):
    rig.server.stop()
    time.sleep(2)  # the box's long-poll and heartbeats fail meanwhile
    restarted = datetime.now(UTC)
    port = rig.server.port
    monkeypatch.setattr(local_server, "free_port", lambda: port)  # back at the address the box knows
    rig.server.start()

    def heard_again():
        with rig.server.services.sessions() as session:
            seen = session.get(EdgeBox, rig.channel().box.box_id).last_seen
        return seen is not None and seen.replace(tzinfo=seen.tzinfo or UTC) > restarted
    wait_until(heard_again, 30, "the box to call the restarted server")
    newest = rig.recorded(3)[-2].start
    status = rig.channel(state="recording")
    asked = ask_for_clip(rig.analyst, status.camera.camera_id,
                         RequestWindow(newest - timedelta(seconds=3), newest), "Robbery, second angle")
    assert rig.finished(asked).check().state == "done"
    assert rig.entry(asked.command_id).outcome == "done"

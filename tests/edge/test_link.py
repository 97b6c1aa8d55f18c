"""The outbound link against a fake RTCC speaking the protocol: enroll, heartbeat, clip, live, pause, reconnect."""

from __future__ import annotations

import hashlib
import json
import stat
from datetime import timedelta

import pytest

from rtcc_edge import cli
from rtcc_edge.commands import PAUSED
from rtcc_edge.segments import channel_dir, list_segments
from tests.edge.conftest import OWNER_PASSWORD
from tests.edge.helpers import OwnerBrowser, wait_until

pytestmark = pytest.mark.slow


def segments(enrolled, channel=1):
    return list_segments(channel_dir(enrolled.box.settings.recordings_dir, channel))


def recorded(enrolled, count=5):
    """At least ``count`` segments of channel 1 (tests may run in any order, on any worker)."""
    return wait_until(lambda: (found := segments(enrolled)) and len(found) >= count and found, 60,
                      f"{count} segments of channel 1")


def access_entry(enrolled, command_id):
    return next(e for e in enrolled.box.store.access_log() if e.command_id == command_id)


def test_enrollment_stores_the_credential_for_the_box_user_only(enrolled_box, capsys):
    path = enrolled_box.box.settings.state_dir / "credential.json"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    saved = json.loads(path.read_text())
    assert saved["server"] == enrolled_box.fake.url and saved["box_id"] == enrolled_box.box_id
    told = enrolled_box.fake.state.boxes[enrolled_box.credential]
    assert told["box_name"] == "Joe's Market, 1200 Texas St"
    assert [c["channel"] for c in told["cameras"]] == [1, 2]
    assert all("url" not in c for c in told["cameras"])  # camera addresses never leave the box
    # A used code is refused by the server, and the box says so and keeps its credential.
    password = enrolled_box.config.parent / "owner-password"
    again = ["--config", str(enrolled_box.config), "enroll", "--server", enrolled_box.fake.url,
             "--code", enrolled_box.code, "--owner-password-file", str(password)]
    assert cli.main(again) == 1
    assert "already enrolled" in capsys.readouterr().err
    assert cli.main(again + ["--replace"]) == 1
    assert "the server refused the code (409): this enrollment code was already used" in capsys.readouterr().err
    assert json.loads(path.read_text()) == saved


def test_heartbeats_report_health_disk_and_cameras(enrolled_box):
    fake = enrolled_box.fake.state

    def healthy_report():
        for beat in reversed(fake.heartbeats):
            states = {c["channel"]: c for c in beat["channels"]}
            if (states.get(1, {}).get("state") == "recording" and states[1]["newest"]
                    and states.get(2, {}).get("state") == "failed"):
                return beat
        return None

    beat = wait_until(healthy_report, 60, "a heartbeat with channel 1 recording and channel 2 failed")
    channels = {c["channel"]: c for c in beat["channels"]}
    assert channels[1]["name"] == "Front door" and channels[1]["oldest"] and channels[1]["newest"]
    assert channels[2]["error"] and channels[2]["newest"] is None
    assert "127.0.0.1" not in channels[2]["error"]  # the camera's address stays on the box
    assert beat["paused"] is False and beat["retention_days"] == 30
    assert beat["disk"]["free_bytes"] > 0 and beat["disk"]["used_bytes"] > 0
    assert [c["channel"] for c in fake.heartbeats[0]["cameras"]] == [1, 2]  # sent once after start


def test_a_clip_command_is_cut_uploaded_with_tus_and_answered_with_its_hash(enrolled_box):
    found = recorded(enrolled_box)
    start = found[1].start + timedelta(seconds=0.5)
    end = found[3].start + timedelta(seconds=1.5)
    command_id = enrolled_box.fake.clip_command(enrolled_box.box_id, 1, start, end)

    result = enrolled_box.fake.state.final_result(command_id)
    assert result["state"] == "done", result
    assert [r["state"] for r in enrolled_box.fake.state.results_for(command_id)] == ["accepted", "done"]
    (upload,) = [u for u in enrolled_box.fake.state.uploads.values() if u.metadata.get("request_id") == "req-1"]
    assert upload.complete and upload.box_id == enrolled_box.box_id
    digest = hashlib.sha256(upload.data).hexdigest()
    assert result["sha256"] == digest == upload.metadata["sha256"] and result["bytes"] == upload.length
    assert upload.metadata["filename"].startswith("ch1_") and upload.metadata["filename"].endswith(".mp4")
    entry = access_entry(enrolled_box, command_id)
    assert (entry.outcome, entry.sha256, entry.call_ref) == ("done", digest, "SPT-2026-000481")
    assert not list((enrolled_box.box.settings.state_dir / "outgoing").glob("*.mp4"))  # nothing left behind
    # The same command handed over again (a re-delivery) is not cut or uploaded twice.
    uploads, polls = len(enrolled_box.fake.state.uploads), enrolled_box.fake.state.polls
    enrolled_box.fake.state.send_again(command_id)
    wait_until(lambda: enrolled_box.fake.state.polls > polls + 1, 20, "the box to poll again")
    assert len(enrolled_box.fake.state.uploads) == uploads
    assert [e.command_id for e in enrolled_box.box.store.access_log()].count(command_id) == 1


def test_an_interrupted_upload_resumes_where_the_server_left_off(enrolled_box):
    fake = enrolled_box.fake
    fake.state.fail_patches = 1
    newest = recorded(enrolled_box)[-2].start
    command_id = fake.clip_command(enrolled_box.box_id, 1, newest - timedelta(seconds=4), newest)
    result = fake.state.final_result(command_id)
    assert result["state"] == "done" and fake.state.fail_patches == 0
    upload = next(u for u in fake.state.uploads.values() if u.metadata["sha256"] == result["sha256"])
    assert hashlib.sha256(upload.data).hexdigest() == result["sha256"]


def test_a_live_command_streams_mpeg_ts_until_a_stop_command(enrolled_box):
    fake = enrolled_box.fake
    command_id, session = fake.live_command(enrolled_box.box_id, 1, max_seconds=120)
    wait_until(lambda: len(fake.state.live_bodies.get(session, b"")) > 20_000, 60, "live video at the server")
    assert access_entry(enrolled_box, command_id).outcome == "streaming"
    stop_id = fake.state.queue(enrolled_box.box_id, kind="stop", channel=1, session_id=session)
    assert fake.state.final_result(stop_id)["state"] == "done"
    result = fake.state.final_result(command_id)
    assert result["state"] == "done" and result["bytes"] > 20_000
    body = bytes(fake.state.live_bodies[session])
    assert body[0] == 0x47 and body[188] == 0x47  # MPEG-TS packets
    wait_until(lambda: session in fake.state.live_closed, 10, "the server to see the stream end")
    entry = access_entry(enrolled_box, command_id)
    assert entry.outcome == "done" and entry.started_at < entry.ended_at
    assert entry.analyst == "analyst.lee"


def test_a_paused_box_refuses_every_request(enrolled_box):
    owner = OwnerBrowser(enrolled_box.runner.page_url)
    try:
        assert owner.sign_in(OWNER_PASSWORD).status_code == 200
        assert "Sharing paused" in owner.post("/sharing", action="pause").text
        fake = enrolled_box.fake
        newest = recorded(enrolled_box)[-1].start
        clip_id = fake.clip_command(enrolled_box.box_id, 1, newest - timedelta(seconds=6), newest)
        live_id, session = fake.live_command(enrolled_box.box_id, 1)
        for command_id in (clip_id, live_id):
            result = fake.state.final_result(command_id)
            assert (result["state"], result["reason"]) == ("refused", PAUSED)
            assert access_entry(enrolled_box, command_id).outcome == "refused"
        assert session not in fake.state.live_bodies  # not one byte left the box
        wait_until(lambda: fake.state.heartbeats[-1]["paused"] is True, 20, "a heartbeat saying paused")
    finally:
        owner.post("/sharing", action="resume")
        owner.close()


def test_pausing_ends_a_live_session_at_once(enrolled_box):
    fake = enrolled_box.fake
    command_id, session = fake.live_command(enrolled_box.box_id, 1, max_seconds=120)
    wait_until(lambda: len(fake.state.live_bodies.get(session, b"")) > 10_000, 60, "live video at the server")
    owner = OwnerBrowser(enrolled_box.runner.page_url)
    try:
        owner.sign_in(OWNER_PASSWORD)
        owner.post("/sharing", action="pause")
        result = fake.state.final_result(command_id, timeout=20)
        assert (result["state"], result["reason"]) == ("failed", PAUSED)
        wait_until(lambda: session in fake.state.live_closed, 10, "the stream to end")
        assert access_entry(enrolled_box, command_id).reason == PAUSED
    finally:
        owner.post("/sharing", action="resume")
        owner.close()


def test_the_box_reconnects_after_the_server_restarts(enrolled_box):
    fake = enrolled_box.fake
    fake.restart(down_seconds=4)  # the box's long-poll and heartbeats fail meanwhile
    beats = len(fake.state.heartbeats)
    wait_until(lambda: len(fake.state.heartbeats) > beats, 30, "a heartbeat after the restart")
    newest = recorded(enrolled_box)[-2].start
    command_id = fake.clip_command(enrolled_box.box_id, 1, newest - timedelta(seconds=3), newest)
    assert fake.state.final_result(command_id)["state"] == "done"

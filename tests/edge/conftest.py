"""Fixtures for the edge box tests: real local streams (tests/streams.py) and short recordings."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from pathlib import Path

import pytest

from rtcc_edge import cli
from rtcc_media.errors import MediaToolMissing
from rtcc_media.sources import LocalSource, serve_http
from tests.edge.fake_rtcc import FakeRtcc, free_port
from tests.edge.helpers import BoxThread, camera, muxed_segments, write_config
from tests.streams import clip, live_streams, test_clip  # noqa: F401  (pytest fixtures)


@pytest.fixture(scope="session")
def small_clip() -> Path:
    """20 s of 320x240 at 10 fps, a keyframe every second: cheap to record four of."""
    return clip("EDGE CAM", seconds=20, size=(320, 240), fps=10)


@pytest.fixture(scope="session")
def two_second_pieces(small_clip: Path, tmp_path_factory) -> list[Path]:
    """The clip as 2 s segments, cut by the same segment muxer the recorder uses."""
    return muxed_segments(small_clip, tmp_path_factory.mktemp("pieces"), seconds=2)


OWNER_PASSWORD = "correct horse battery"


@dataclass
class EnrolledBox:
    """A box enrolled with the fake RTCC, recording one live HTTP camera (channel 1) and one dead one."""

    fake: FakeRtcc
    runner: BoxThread
    source: LocalSource
    config: Path
    code: str
    credential: str
    box_id: str

    @property
    def box(self):
        return self.runner.box


@pytest.fixture(scope="module")
def enrolled_box(tmp_path_factory, small_clip) -> EnrolledBox:
    try:
        source = serve_http(small_clip, f"edge-{uuid.uuid4().hex[:6]}")
    except MediaToolMissing as exc:
        pytest.skip(str(exc))
    fake = FakeRtcc().start()
    folder = tmp_path_factory.mktemp("box")
    config = write_config(folder, [camera(1, source.url, name="Front door"),
                                   camera(2, f"http://127.0.0.1:{free_port()}/gone", name="Back alley")],
                          segment_seconds=2, stall_seconds=8, restart_max_seconds=4,
                          owner_page={"host": "127.0.0.1", "port": free_port()},
                          link={"heartbeat_seconds": 2, "poll_wait_seconds": 2, "retry_max_seconds": 2})
    password = folder / "owner-password"
    password.write_text(OWNER_PASSWORD)
    code = fake.state.issue_code()
    assert cli.main(["--config", str(config), "enroll", "--server", fake.url, "--code", code,
                     "--owner-password-file", str(password)]) == 0
    stored = json.loads((folder / "state" / "credential.json").read_text())
    runner = BoxThread(config).start()
    yield EnrolledBox(fake, runner, source, config, code, stored["credential"], stored["box_id"])
    runner.stop()
    fake.stop()
    source.close()

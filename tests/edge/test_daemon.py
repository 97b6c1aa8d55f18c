"""`rtcc-edge run` as systemd runs it: owner page up, camera passwords out of its log, clean SIGTERM."""

from __future__ import annotations

import signal
import subprocess
import sys

import httpx

from rtcc_edge import cli
from tests.edge.fake_rtcc import free_port
from tests.edge.helpers import camera, wait_until, write_config


def test_the_daemon_starts_serves_the_owner_page_and_stops_on_sigterm(tmp_path):
    port = free_port()
    config = write_config(tmp_path, [camera(1, f"rtsp://admin:Hunter2-secret@127.0.0.1:{free_port()}/live")],
                          segment_seconds=2, owner_page={"port": port})
    password = tmp_path / "password"
    password.write_text("correct horse battery")
    assert cli.main(["--config", str(config), "owner-password", "--file", str(password)]) == 0
    daemon = subprocess.Popen([sys.executable, "-m", "rtcc_edge.cli", "--config", str(config), "run"],
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        def page_up() -> bool:
            try:
                return httpx.get(f"http://127.0.0.1:{port}/login", timeout=2).status_code == 200
            except httpx.HTTPError:
                return False

        wait_until(page_up, 30, "the owner page")
        wait_until(lambda: (tmp_path / "recordings" / "ch1").is_dir(), 10, "the channel folder")
        daemon.send_signal(signal.SIGTERM)
        output, _ = daemon.communicate(timeout=30)
    finally:
        if daemon.poll() is None:
            daemon.kill()
    assert daemon.returncode == 0, output
    assert "rtcc-edge: 1 camera(s)" in output and "owner page on http://127.0.0.1:" in output
    assert "Hunter2-secret" not in output  # the password never shows (the user name may)

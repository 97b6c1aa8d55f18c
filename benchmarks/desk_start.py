"""Desk cold start: a new process to a usable window (signed in, cameras on the map), after first-run set-up.

The demo server is started and seeded once, outside the timing, and the desk's registry copy is
synced once (the "first-run set-up"). Each measured start is a fresh Python process that
signs in, builds every pane, loads the cached registry and waits for the map to draw the
cameras. Baseline in the same run: a fresh process that only shows an empty Qt window.
"""

from __future__ import annotations

import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

from benchmarks.common import Figure, print_section

_BASELINE = textwrap.dedent("""
    import time; t0 = time.perf_counter()
    import json
    from PySide6.QtWidgets import QApplication, QMainWindow
    app = QApplication([]); w = QMainWindow(); w.resize(1600, 900); w.show(); app.processEvents()
    print(json.dumps({"seconds": time.perf_counter() - t0}))
""")

_DESK = textwrap.dedent("""
    import time; t0 = time.perf_counter()
    import argparse, json, os, sys
    from pathlib import Path
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication
    from rtcc_desk.adapters.demo.environment import DemoEnvironment
    from rtcc_desk.adapters.local_server import LocalServer
    from rtcc_desk.adapters.demo.shreveport import generate_demo_cameras
    from rtcc_desk.adapters.server_link.client import ServerClient
    from rtcc_desk.adapters.settings import load_settings
    from rtcc_desk.ui import app as desk_app
    from rtcc_desk.ui.theme import apply_dark_theme
    marks = {"imports": time.perf_counter() - t0}
    folder, url, user, password = Path(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
    app = QApplication([]); apply_dark_theme(app)
    server = LocalServer(folder / "server"); server.port = int(url.rsplit(":", 1)[1])
    demo = DemoEnvironment(server, generate_demo_cameras(registered=int(sys.argv[5])), [])
    marks["demo cameras generated"] = time.perf_counter() - t0
    client = ServerClient(url)
    session = client.login(user, password)
    marks["signed in"] = time.perf_counter() - t0
    args = argparse.Namespace(workstation="bench", demo_calls_per_minute=0.001)
    window, desk = desk_app.assemble(load_settings(), args, folder, demo, client, session)
    marks["panes built"] = time.perf_counter() - t0
    def drawn(count):
        marks["seconds"] = time.perf_counter() - t0
        marks["cameras"] = count
        app.quit()
    desk.p.map.cameras_drawn.connect(drawn)
    desk.start(); window.show()
    marks["window shown"] = time.perf_counter() - t0
    QTimer.singleShot(60000, app.quit)
    app.exec()
    desk.stop()
    print(json.dumps(marks))
""")


def _run(script: str, *args: str) -> dict:
    env = {**os.environ, "QT_QPA_PLATFORM": os.environ.get("QT_QPA_PLATFORM", "offscreen"),
           "QTWEBENGINE_CHROMIUM_FLAGS": "--no-sandbox"}
    out = subprocess.run([sys.executable, "-c", script, *args], capture_output=True, text=True,
                         env=env, timeout=180)
    for line in reversed(out.stdout.splitlines()):
        if line.startswith("{"):
            return json.loads(line)
    raise RuntimeError(f"start did not report: {out.stderr[-2000:]}")


def run(starts: int = 5, registered: int = 3000) -> list[Figure]:
    from rtcc_desk.adapters.demo.environment import start_demo

    root = Path(tempfile.mkdtemp(prefix="rtcc-bench-start-"))
    os.environ["RTCC_DATA_DIR"] = str(root / "data")
    demo = start_demo(root / "desk", registered=registered)
    try:
        account = demo.account("analyst")
        argv = (str(root / "desk"), demo.server.base_url, account["username"], account["password"], str(registered))
        _run(_DESK, *argv)  # first-run set-up: the registry copy is synced here, not timed
        baseline = [_run(_BASELINE)["seconds"] for _ in range(starts)]
        desk = [_run(_DESK, *argv) for _ in range(starts)]
    finally:
        demo.stop()
        shutil.rmtree(root, ignore_errors=True)
    seconds = [d["seconds"] for d in desk if "seconds" in d]
    median = statistics.median(seconds) if seconds else float("nan")
    figures = [
        Figure("empty Qt window in a new process, median (baseline)", statistics.median(baseline), "s"),
        Figure(f"desk cold start to cameras on the map ({desk[-1].get('cameras', 0):,}), median",
               median, "s", "< 3 s", median < 3.0),
        Figure("desk cold start, slowest of the runs", max(seconds) if seconds else float("nan"), "s"),
    ]
    for mark in ("imports", "demo cameras generated", "signed in", "panes built", "window shown"):
        values = [d[mark] for d in desk if mark in d]
        if values:
            figures.append(Figure(f"  {mark}, after (median)", statistics.median(values), "s"))
    print_section(f"Desk cold start ({starts} starts, {registered:,} registered cameras cached)", figures)
    return figures

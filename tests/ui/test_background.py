"""Work run off the GUI thread: results come back on it, but not to a widget that has gone."""

from __future__ import annotations

import threading

from PySide6.QtCore import QThreadPool
from PySide6.QtWidgets import QLabel

from rtcc_desk.ui.background import run_in_background


def test_a_result_comes_back_on_the_gui_thread(qtbot):
    got = []
    run_in_background(lambda: threading.get_ident(), lambda ident: got.append((ident, threading.get_ident())))
    qtbot.waitUntil(lambda: bool(got), timeout=5_000)
    worker, gui = got[0]
    assert worker != gui == threading.get_ident()


def test_a_result_for_a_window_closed_meanwhile_is_dropped_and_cleanup_still_runs(qtbot):
    release, shown, cleaned, errors = threading.Event(), [], [], []
    label = QLabel("Registry: …")

    def slow_read():
        release.wait(5)
        return "Registry: 270 cameras"

    run_in_background(slow_read, lambda text: shown.append(label.setText(text)), errors.append,
                      owner=label)
    run_in_background(slow_read, cleaned.append)  # no owner: e.g. stopping what the work started
    label.deleteLater()  # the desk's window closes while the read is still going
    qtbot.wait(50)
    release.set()
    assert QThreadPool.globalInstance().waitForDone(5_000)
    qtbot.waitUntil(lambda: bool(cleaned), timeout=5_000)
    qtbot.wait(50)  # both results have been through the event loop
    assert shown == [] and errors == [] and cleaned == ["Registry: 270 cameras"]

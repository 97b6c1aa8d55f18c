"""Work run off the GUI thread: results come back on it, and go nowhere once the desk has closed."""

from __future__ import annotations

import threading

from PySide6.QtCore import QThreadPool

from rtcc_desk.ui.background import drop_pending_results, run_in_background


def test_a_result_comes_back_on_the_gui_thread(qtbot):
    got = []
    run_in_background(lambda: threading.get_ident(), lambda ident: got.append((ident, threading.get_ident())))
    qtbot.waitUntil(lambda: bool(got), timeout=5_000)
    worker, gui = got[0]
    assert worker != gui == threading.get_ident()


def test_results_of_work_still_running_when_the_desk_closes_go_nowhere(qtbot):
    release, ran, got = threading.Event(), threading.Event(), []

    def slow_read():
        release.wait(5)
        ran.set()
        return "registry read"

    run_in_background(slow_read, got.append, got.append)
    drop_pending_results()  # the desk stops while the read is still going
    release.set()
    assert ran.wait(5)  # the work itself finishes
    after = []
    run_in_background(lambda: "next desk", after.append)  # later work is unaffected
    assert QThreadPool.globalInstance().waitForDone(5_000)
    qtbot.waitUntil(lambda: bool(after), timeout=5_000)
    qtbot.wait(50)  # both results have been through the event loop
    assert got == [] and after == ["next desk"]

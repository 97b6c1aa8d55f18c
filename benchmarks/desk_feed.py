"""Call feed at 50 calls/s into the real CallsPane offscreen: event-loop lateness, no call lost."""

from __future__ import annotations

import ctypes
import os
import sys
import time
from zoneinfo import ZoneInfo

from benchmarks.common import Figure, median, p99, print_section, timed
from rtcc_desk.adapters.demo import CadSimulator, load_builtin_vocabulary
from rtcc_desk.core.call_filter import CallColumn, CallFilter

PROBE_MS = 10


def _messages(calls: int, seed: int = 7) -> list:
    """The simulator's feed until ``calls`` distinct calls have come (updates in between)."""
    simulator = CadSimulator(
        seed=seed, vocabulary=load_builtin_vocabulary(), rate_per_hour=180_000,
        update_probability=0.5,
    )
    messages, seen = [], set()
    while len(seen) < calls:
        message = simulator.next_call()
        seen.add(message.call_id)
        messages.append(message)
    return messages


def _drops_singleton_references() -> bool:
    """PySide6 6.12.0 on CPython 3.11 loses a reference to None (or True/False) per void call.

    After a few thousand calls Python "deallocates" None and the process aborts. Pin PySide6
    below 6.12 (6.11.2 is sound) or run on CPython 3.12+, where these objects are immortal.
    """
    from PySide6.QtCore import QObject

    probe = QObject()
    before = sys.getrefcount(None)
    for _ in range(200):
        probe.setObjectName("probe")
    return sys.getrefcount(None) < before - 100


def _prop_up_singletons() -> None:
    """Lend None, True and False a huge reference count so the benchmark can finish."""
    for singleton in (None, True, False):
        ctypes.c_ssize_t.from_address(id(singleton)).value += 1 << 40


def run(seconds: float = 60.0, rate: float = 50.0) -> list[Figure]:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6 import __version__ as pyside_version
    from PySide6.QtCore import QEventLoop, Qt, QTimer
    from PySide6.QtWidgets import QApplication

    from rtcc_desk.ui.calls import CallsPane

    app = QApplication.instance() or QApplication([])
    leaks = _drops_singleton_references()
    if leaks:
        _prop_up_singletons()
    calls = int(rate * seconds)
    messages = _messages(calls)
    pane = CallsPane(ZoneInfo("America/Chicago"), use_audio=False)
    pane.resize(1920, 1080)
    pane.show()
    app.processEvents()
    batches = []
    pane.model.flushed.connect(lambda new, changed: batches.append(new + changed))

    lateness: list[float] = []
    sent = 0
    start = last_probe = time.perf_counter()
    per_second = len(messages) / seconds

    busy: list[float] = []  # GUI-thread CPU between two probes: our own blocking, not the machine's
    last_cpu = time.thread_time()

    def probe() -> None:
        nonlocal last_probe, last_cpu
        now, cpu = time.perf_counter(), time.thread_time()
        lateness.append(max(0.0, now - last_probe - PROBE_MS / 1000))
        busy.append(cpu - last_cpu)
        last_probe, last_cpu = now, cpu

    def feed() -> None:
        nonlocal sent
        due = min(len(messages), int((time.perf_counter() - start) * per_second))
        for message in messages[sent:due]:
            pane.add_or_update(message)
        sent = due
        if sent == len(messages):
            loop.quit()

    cpu_start, load_start = time.process_time(), os.getloadavg()[0]
    loop = QEventLoop()
    probe_timer = QTimer(timerType=Qt.TimerType.PreciseTimer, interval=PROBE_MS)
    probe_timer.timeout.connect(probe)
    feed_timer = QTimer(interval=5)
    feed_timer.timeout.connect(feed)
    # halfway the analyst sorts by priority: new rows then land all over the table
    def by_priority() -> None:
        pane.sort_by(CallColumn.PRIORITY, descending=True)

    QTimer.singleShot(int(seconds * 500), by_priority)
    probe_timer.start()
    feed_timer.start()
    loop.exec()
    probe_timer.stop()
    feed_timer.stop()
    cpu_share = (time.process_time() - cpu_start) / (time.perf_counter() - start)
    load = max(load_start, os.getloadavg()[0])
    pane.flush()
    app.processEvents()

    last = {m.call_id: m for m in messages}
    rows = pane.model.rowCount()
    stale = sum(pane.model.call(i).status != m.status for i, m in last.items())
    resort_s, _ = timed(lambda: pane.sort_by(CallColumn.RECEIVED, descending=True))
    search_s, _ = timed(lambda: pane.set_filter(CallFilter(text="texas")))
    pane.set_filter(CallFilter())
    pane.close()

    ms = [x * 1000 for x in lateness]
    label = f"call feed {rate:g} calls/s for {seconds:g} s ({len(messages):,} messages)"
    figures = [
        Figure(f"PySide6 {pyside_version} keeps None/True/False reference counts",
               float(not leaks), "ok", "1", not leaks),
        Figure(f"{label}: event-loop lateness p50", median(ms), "ms"),
        Figure(f"{label}: event-loop lateness p99", p99(ms), "ms", "p99 < 50 ms", p99(ms) < 50),
        Figure("  worst lateness", max(ms), "ms"),
        Figure("  GUI-thread CPU between probes p99 (blocking without contention)",
               p99(busy) * 1000, "ms", "p99 < 50 ms", p99(busy) < 0.05),
        Figure("  GUI-thread CPU between probes, worst", max(busy) * 1000, "ms"),
        Figure("  rows shown vs calls sent (no call lost)", rows - len(last), "rows",
               "0", rows == len(last) == calls),
        Figure("  calls whose last update is not shown", stale, "calls", "0", stale == 0),
        Figure("  messages per batch insert (mean)", sum(batches) / max(1, len(batches)), "msgs"),
        Figure("  CPU used by the GUI process while feeding", cpu_share * 100, "%"),
        Figure(f"  machine load average (of {os.cpu_count()} cores): lateness needs it low",
               load, "procs"),
        Figure(f"re-sort {rows:,} calls by received time", resort_s * 1000, "ms",
               "< 100 ms", resort_s < 0.1),
        Figure(f"text search over {rows:,} calls", search_s * 1000, "ms",
               "< 100 ms", search_s < 0.1),
    ]
    print_section("Desk call feed (offscreen Qt)", figures)
    return figures


if __name__ == "__main__":
    import sys

    run(seconds=10.0 if "--quick" in sys.argv else 60.0)

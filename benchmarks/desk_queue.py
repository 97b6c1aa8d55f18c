"""Request queue (issue 5): 5,000 requests in the real pane under 20 events/s, and a finished
upload to its row reading "uploaded", through a real server and the desk's event stream."""

from __future__ import annotations

import itertools
import os
import random
import shutil
import tempfile
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from benchmarks.common import Figure, median, p99, print_section
from rtcc_desk.core.request_queue import FootageRequest, RequestState, ServerEvent

PROBE_MS = 10
ZONE = ZoneInfo("America/Chicago")
ANALYSTS = ("dana", "lee", "morgan", "sam", "kim", "alex")
#: What a queue of 5,000 looks like after a few busy weeks: most answered, many still waiting.
STATE_MIX = (
    (RequestState.SENT, 30), (RequestState.OPENED, 15), (RequestState.UPLOADING, 10),
    (RequestState.UPLOADED, 15), (RequestState.NO_RELEVANT_FOOTAGE, 10),
    (RequestState.DECLINED, 5), (RequestState.EXPIRED, 5), (RequestState.REVIEWED_VALUABLE, 5),
    (RequestState.REVIEWED_NOT_VALUABLE, 5),
)
#: The server's next word for a request still in play (what a request.status event can say).
NEXT_STATE = {"sent": "opened", "opened": "uploading", "uploading": "uploaded"}


def run(seconds: float = 20.0, rate: float = 20.0, requests: int = 5000,
        uploads: int = 10) -> list[Figure]:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    figures = _live_queue(seconds, rate, requests)
    print_section(f"Request queue: {requests:,} requests, {rate:g} events/s (offscreen Qt)",
                  figures)
    from benchmarks import desk_queue_upload  # imports this module: loaded here, not at the top

    folder = Path(tempfile.mkdtemp(prefix="rtcc-bench-queue-"))
    try:
        upload_figures = desk_queue_upload.measure(folder, uploads, requests)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    print_section(f"Request queue: upload finished → row \"uploaded\" ({uploads} uploads, real "
                  "server and event stream)", upload_figures)
    return figures + upload_figures


# ----- 1. lateness under a steady event feed -----------------------------------------------------


def qt_app():
    from PySide6.QtWidgets import QApplication

    from benchmarks.desk_feed import _drops_singleton_references, _prop_up_singletons

    app = QApplication.instance() or QApplication([])
    if _drops_singleton_references():
        _prop_up_singletons()
    return app


def queue_of(count: int, now: datetime, seed: int = 5) -> list[FootageRequest]:
    """``count`` requests with a real spread of states, deadlines, calls, cases and analysts."""
    rng = random.Random(seed)
    states = [s for s, weight in STATE_MIX for _ in range(weight)]
    made = []
    for n in range(count):
        created = now - timedelta(minutes=rng.uniform(5, 21 * 24 * 60))
        window_start = created - timedelta(hours=rng.uniform(1, 48))
        state = rng.choice(states)
        made.append(FootageRequest(
            request_id=f"req-{n:05d}", camera_id=f"REG-{n:05d}", state=state,
            client_id=f"draft-{n // 3:05d}", channel=rng.choice(("email", "email", "sms")),
            delivery_error="mailbox full" if rng.random() < 0.01 else "",
            call_ref=f"SPT-2026-{n // 3:06d}", case_ref=f"C-26-{n // 7:04d}",
            analyst=rng.choice(ANALYSTS), window_start=window_start,
            window_end=window_start + timedelta(minutes=30),
            overwrite_deadline=now + timedelta(hours=rng.uniform(-24, 14 * 24)),
            created_at=created, upload_percent=rng.randrange(0, 100, 5)
            if state is RequestState.UPLOADING else None,
            reminders_sent=rng.choice((0, 0, 1, 2)) if state.awaiting_owner else 0,
        ))
    return made


class EventSource:
    """The server's side of the feed: request.status and upload.progress events for requests
    still in play, each carrying the request's whole state as the server sends it."""

    def __init__(self, requests: list[FootageRequest], seed: int = 9) -> None:
        self.rng = random.Random(seed)
        self.status = {r.request_id: r.state.value for r in requests}
        self.percent = {r.request_id: r.upload_percent or 0 for r in requests}
        self.camera = {r.request_id: r.camera_id for r in requests}
        self.in_play = [rid for rid, s in self.status.items() if s in NEXT_STATE]
        self.next_id = 1

    def next(self) -> ServerEvent:
        rid = self.rng.choice(self.in_play)
        status = self.status[rid]
        if status != "uploading" or self.rng.random() < 0.3:
            status = self.status[rid] = NEXT_STATE[status]
            if status not in NEXT_STATE:
                self.in_play.remove(rid)
            kind, data = "request.status", {
                "request_id": rid, "client_id": "", "camera_id": self.camera[rid],
                "status": status, "delivery_error": "", "reminders_sent": 0}
        else:
            self.percent[rid] = min(95, self.percent[rid] + 5)
            kind, data = "upload.progress", {
                "upload_id": f"up-{rid}", "request_id": rid, "state": "receiving",
                "offset": self.percent[rid] * 10_000, "length": 1_000_000,
                "percent": self.percent[rid], "classification": None, "filename": "clip.dav"}
        event = ServerEvent(self.next_id, kind, data, object_id=rid)
        self.next_id += 1
        return event


def _measure_loop(seconds: float, during: Callable[[], None] | None = None) -> dict:
    """Run the Qt event loop for ``seconds`` with a 10 ms probe timer: how late each probe
    fired, and the GUI thread's own CPU over the whole stretch."""
    from PySide6.QtCore import QEventLoop, Qt, QTimer

    lateness: list[float] = []
    blocked: list[float] = []  # GUI-thread CPU between probes: the desk's own work, not others'
    last, last_cpu = time.perf_counter(), time.thread_time()

    def probe() -> None:
        nonlocal last, last_cpu
        now, cpu = time.perf_counter(), time.thread_time()
        lateness.append(max(0.0, now - last - PROBE_MS / 1000))
        blocked.append(cpu - last_cpu)
        last, last_cpu = now, cpu

    loop = QEventLoop()
    timer = QTimer(timerType=Qt.TimerType.PreciseTimer, interval=PROBE_MS)
    timer.timeout.connect(probe)
    QTimer.singleShot(int(seconds * 1000), loop.quit)
    cpu, load = time.thread_time(), os.getloadavg()[0]
    timer.start()
    start = last = time.perf_counter()
    last_cpu = time.thread_time()
    if during is not None:
        during()
    loop.exec()
    timer.stop()
    return {"lateness_ms": [x * 1000 for x in lateness], "blocked_ms": [x * 1000 for x in blocked],
            "gui_cpu_s": time.thread_time() - cpu, "seconds": time.perf_counter() - start,
            "load": max(load, os.getloadavg()[0])}


class StreamFeeder(threading.Thread):
    """Stands in for the desk's stream reader thread: emits the feed's reader signal with one
    event at a time, ``rate`` a second, exactly as ``EventStream.follow`` hands them over."""

    def __init__(self, feed, source: EventSource, rate: float) -> None:
        super().__init__(name="bench-request-events", daemon=True)
        self.feed, self.source, self.rate = feed, source, rate
        self.sent_at: dict[int, float] = {}
        self.halt = threading.Event()

    def run(self) -> None:
        start = time.perf_counter()
        for n in itertools.count():
            if self.halt.wait(max(0.0, start + n / self.rate - time.perf_counter())):
                return
            event = self.source.next()
            self.sent_at[event.event_id] = time.perf_counter()
            self.feed._events.emit([event])  # the feed's private signal: its reader's way in


class Repaints:
    """Counts a table's paints: of (nearly) all of it, and of a part (rows, a column)."""

    def __init__(self, table) -> None:
        from PySide6.QtCore import QEvent, QObject

        self.whole = self.part = 0
        viewport, counter = table.viewport(), self

        class PaintFilter(QObject):
            def eventFilter(self, obj, event) -> bool:  # noqa: N802 (Qt's name)
                if event.type() == QEvent.Type.Paint:
                    area = sum(r.width() * r.height() for r in event.region())
                    whole = area >= 0.9 * viewport.width() * viewport.height()
                    counter.whole += whole
                    counter.part += not whole
                return False

        self._filter = PaintFilter()
        viewport.installEventFilter(self._filter)

    def take(self) -> tuple[int, int]:
        counts, self.whole, self.part = (self.whole, self.part), 0, 0
        return counts


def _live_queue(seconds: float, rate: float, count: int) -> list[Figure]:
    from rtcc_desk.adapters.server_link.client import ServerClient
    from rtcc_desk.core.request_queue import RequestQueue
    from rtcc_desk.ui.requests import RequestFeed, RequestQueuePane

    app = qt_app()
    requests = queue_of(count, datetime.now(UTC))
    names = {r.camera_id: f"Camera {r.camera_id[4:]} – front door" for r in requests}
    built = time.perf_counter()
    queue = RequestQueue()
    queue.upsert(requests)
    pane = RequestQueuePane(queue, ZONE, camera_name=names.get)
    pane.resize(1920, 1080)
    pane.show()
    app.processEvents()
    build_s = time.perf_counter() - built
    client = ServerClient("http://127.0.0.1:9")  # never connects: the events come from us
    feed = RequestFeed(client, queue)
    source = EventSource(requests)
    feeder = StreamFeeder(feed, source, rate)
    applied_after: list[float] = []  # event emitted → queue and pane updated
    apply_cpu: list[float] = []  # GUI-thread CPU of the feed's apply (queue + pane refresh)
    apply = feed._apply

    def timed_apply(events: list[ServerEvent]) -> None:
        cpu = time.thread_time()
        apply(events)
        done = time.perf_counter()
        apply_cpu.append(time.thread_time() - cpu)
        applied_after.extend(done - feeder.sent_at[e.event_id] for e in events)

    feed._apply = timed_apply  # the same work, with a stopwatch around it

    repaints = Repaints(pane.table)
    idle = _measure_loop(seconds)
    idle["repaints"] = repaints.take()
    fed = _measure_loop(seconds, feeder.start)
    fed["repaints"] = repaints.take()
    feeder.halt.set()
    fed["applied"] = len(applied_after)  # the CPU figures count these; a backlog comes after
    feeder.join(5)
    backlog_end = time.monotonic() + 60  # a GUI thread that fell behind finishes its queue
    while len(applied_after) < len(feeder.sent_at) and time.monotonic() < backlog_end:
        app.processEvents()
    wrong = _not_shown(pane, source)
    pane.close()
    client.close()
    return _live_figures(count, build_s, idle, fed, apply_cpu, applied_after,
                         len(feeder.sent_at), wrong)


def _not_shown(pane, source: EventSource) -> int:
    """Requests whose row does not read the state their last event gave them."""
    from rtcc_desk.ui.requests.model import COLUMNS, RequestColumn

    column, wrong = COLUMNS.index(RequestColumn.STATE), 0
    for rid, status in source.status.items():
        row = pane.model.row_of(rid)
        text = "" if row is None else pane.model.index(row, column).data()
        want = RequestState(status).label
        wrong += not (text == want or (status == "uploading" and text.startswith(want)))
    return wrong


def _live_figures(count, build_s, idle, fed, apply_cpu, applied_after, sent,
                  wrong) -> list[Figure]:
    def spread(label: str, values: list[float], target: bool) -> list[Figure]:
        worst = p99(values)
        return [Figure(f"{label}: event-loop lateness p50", median(values), "ms"),
                Figure(f"{label}: event-loop lateness p95", p95(values), "ms"),
                Figure(f"{label}: event-loop lateness p99", worst, "ms",
                       "p99 < 50 ms" if target else "", (worst < 50) if target else None)]

    events = len(applied_after)
    blocked = p99(fed["blocked_ms"])
    (idle_whole, idle_part), (fed_whole, fed_part) = idle["repaints"], fed["repaints"]
    idle_share, fed_share = (idle["gui_cpu_s"] / idle["seconds"], fed["gui_cpu_s"] / fed["seconds"])
    per_event_s = (fed_share - idle_share) * fed["seconds"] / max(1, fed["applied"])
    return [
        Figure(f"build the queue and pane with {count:,} requests", build_s * 1000, "ms"),
        *spread(f"pane idle {idle['seconds']:.0f} s (baseline)", idle["lateness_ms"], False),
        *spread(f"{sent} events in {fed['seconds']:.0f} s", fed["lateness_ms"], True),
        Figure("  worst lateness while fed", max(fed["lateness_ms"]), "ms"),
        Figure("  GUI-thread CPU between probes p99, idle (baseline)",
               p99(idle["blocked_ms"]), "ms"),
        Figure("  GUI-thread CPU between probes p99, fed (own blocking)", blocked, "ms",
               "p99 < 50 ms", blocked < 50),
        Figure("  GUI-thread CPU per event: feed apply + pane refresh, median",
               median(apply_cpu) * 1000, "ms"),
        Figure("  GUI-thread CPU per event: feed apply + pane refresh, p99",
               p99(apply_cpu) * 1000, "ms"),
        Figure("  GUI-thread CPU per event, all of it: (fed − idle) / events",
               per_event_s * 1000, "ms"),
        Figure("  GUI-thread CPU share, idle (baseline)", idle_share * 100, "%"),
        Figure("  GUI-thread CPU share, fed", fed_share * 100, "%"),
        Figure("  table paints, idle: whole table / a part", idle_whole, f"/{idle_part}"),
        Figure("  table paints, fed: whole table / a part", fed_whole, f"/{fed_part}"),
        Figure("  event emitted → row updated, median", median(applied_after) * 1000, "ms"),
        Figure("  event emitted → row updated, p99", p99(applied_after) * 1000, "ms"),
        Figure("  events applied of those sent", events, f"/{sent}", f"{sent}", events == sent),
        Figure("  requests whose last state is not shown", wrong, "reqs", "0", wrong == 0),
        Figure(f"  machine load average (of {os.cpu_count()} cores)",
               max(idle["load"], fed["load"]), "procs"),
    ]


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))]


if __name__ == "__main__":
    import sys

    if "--quick" in sys.argv:
        run(seconds=5.0, requests=5000, uploads=5)
    else:
        run()

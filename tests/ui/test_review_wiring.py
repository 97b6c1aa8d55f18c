"""From a request in the queue to a verdict on the server: download, play, audit, review."""

from __future__ import annotations

from types import SimpleNamespace
from zoneinfo import ZoneInfo

from PySide6.QtWidgets import QInputDialog, QMainWindow, QMessageBox

from rtcc_desk.adapters.server_link.requests_api import desk_states, list_requests
from rtcc_desk.adapters.server_link.verdict_outbox import VerdictOutbox
from rtcc_desk.core.request_queue import RequestQueue, RequestState
from rtcc_desk.ui.requests import RequestFeed, RequestQueuePane
from rtcc_desk.ui.review_wiring import DeskReview
from tests.adapters.test_evidence_package import analyst, built, case_server  # noqa: F401

ZONE = ZoneInfo("America/Chicago")


def test_after_a_restart_the_queue_shows_reviewed_and_shared_from_the_server(qtbot, analyst, built):
    assert desk_states(analyst)[built.request_id] is RequestState.SHARED  # reviewed valuable, then shared
    queue = RequestQueue()  # a desk that starts afresh knows nothing of its earlier verdicts
    feed = RequestFeed(analyst, queue)
    with qtbot.waitSignal(feed.reconciled, timeout=30_000):
        feed.reload()
    assert queue.get(built.request_id).state is RequestState.SHARED


def test_a_request_opens_its_footage_and_the_verdict_reaches_the_server(qtbot, analyst, built, tmp_path,
                                                                       monkeypatch):
    queue = RequestQueue()
    queue.upsert(list_requests(analyst, case_ref=built.case_ref))
    window = QMainWindow()
    qtbot.addWidget(window)
    audited = []
    desk = SimpleNamespace(audit=lambda action, obj, **fields: audited.append((action, obj)))
    requests = SimpleNamespace(window=window, desk=desk, queue=queue, zone=ZONE,
                               pane=RequestQueuePane(queue, ZONE))
    review = DeskReview(requests, analyst, tmp_path / "review",
                        VerdictOutbox.open(f"sqlite:///{tmp_path / 'link.sqlite3'}"))
    # Two files came back for this request (the clip and a recorder export): pick the clip.
    monkeypatch.setattr(QInputDialog, "getItem",
                        lambda parent, title, label, items, *a: (next(i for i in items if "porch" in i), True))
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.No)

    requests.pane.request_activated.emit(built.request_id)
    qtbot.waitUntil(lambda: built.clip_id in review.open_panes, timeout=60_000)
    pane = review.open_panes[built.clip_id]
    qtbot.addWidget(pane)
    downloaded = tmp_path / "review" / "originals"
    (original,) = downloaded.glob(f"{built.clip_id}-*")
    assert original.read_bytes() == built.clip  # the original, byte for byte
    assert ("upload.view", f"upload:{built.clip_id}") in audited

    with qtbot.waitSignal(pane.verdict):
        pane.verdict.emit(built.clip_id, False, "Wrong side of the street")
    qtbot.waitUntil(lambda: queue.requests()[0].state is RequestState.REVIEWED_NOT_VALUABLE, timeout=30_000)
    upload = analyst.api("GET", f"/api/uploads/{built.clip_id}")
    assert upload["review"]["verdict"] == "not_valuable"
    assert upload["review"]["notes"] == "Wrong side of the street"
    pane.close()

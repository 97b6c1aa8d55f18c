"""From a request in the queue to footage on an officer's phone: review, verdict, share.

Double-clicking a request opens its uploaded footage: the original is downloaded (off the GUI
thread) into the desk's review folder, played in a review window, and every view, snapshot,
export and verdict goes to the audit outbox. Verdicts are written to the verdict outbox before
they are sent, so one given while the server is away (or just before a crash) still arrives.
A valuable verdict offers the share dialog.
"""

from __future__ import annotations

import logging
from datetime import datetime
from pathlib import Path

from PySide6.QtWidgets import QInputDialog, QMessageBox

from rtcc_desk.adapters.server_link.client import ServerClient
from rtcc_desk.adapters.server_link.shares_api import UploadForShare
from rtcc_desk.adapters.server_link.verdict_outbox import Verdict, VerdictOutbox, VerdictResult
from rtcc_desk.ui.background import run_in_background
from rtcc_desk.ui.review import ReviewPlayerPane, ReviewUpload
from rtcc_desk.ui.share_dialog import ShareDialog

log = logging.getLogger("rtcc.desk")
RECEIVED = ("playable", "native")


class DeskReview:
    def __init__(self, requests, client: ServerClient, folder: Path, verdicts: VerdictOutbox) -> None:
        self.requests, self.client, self.folder, self.verdicts = requests, client, folder, verdicts
        self.window = requests.window
        self.desk = requests.desk
        self.open_panes: dict[str, ReviewPlayerPane] = {}
        self.share_dialog: ShareDialog | None = None
        requests.pane.request_activated.connect(self.open_request)
        feed = getattr(requests, "feed", None)
        if feed is not None:  # verdicts given while the server was away go when it is back
            feed.link_changed.connect(lambda up, _detail: up and self.deliver_queued())

    def open_request(self, request_id: str) -> None:
        client = self.client
        run_in_background(lambda: client.api("GET", "/api/uploads", params={"request_id": request_id}),
                          lambda uploads: self._choose(request_id, uploads), self._failed)

    def _choose(self, request_id: str, uploads: list[dict]) -> None:
        ready = [u for u in uploads if u["state"] == "complete" and u["classification"] in RECEIVED]
        if not ready:
            self.window.statusBar().showMessage("No footage has been uploaded for this request yet.", 8000)
            return
        upload = ready[0]
        if len(ready) > 1:
            names = [f"{u['filename']} ({u['length'] / 1e6:.1f} MB)" for u in ready]
            name, ok = QInputDialog.getItem(self.window, "Review footage", "File:", names, 0, False)
            if not ok:
                return
            upload = ready[names.index(name)]
        self._fetch(request_id, upload)

    def _fetch(self, request_id: str, upload: dict) -> None:
        target = self.folder / "originals" / f"{upload['id']}-{Path(upload['filename']).name}"
        target.parent.mkdir(parents=True, exist_ok=True)
        client = self.client

        def download() -> Path:
            if not target.exists():
                client.download(f"/api/uploads/{upload['id']}/original", target)
            return target

        run_in_background(download, lambda path: self._show(request_id, upload, path), self._failed)

    def _show(self, request_id: str, upload: dict, path: Path) -> None:
        request = self.requests.queue.get(request_id)
        zone = self.requests.zone
        local = lambda t: t.astimezone(zone) if t is not None else None  # noqa: E731 — shown local
        camera = request.camera_id if request else ""
        known = self.desk.p.index.camera(camera) if camera and hasattr(self.desk, "p") else None
        review = ReviewUpload(
            upload_id=upload["id"], camera=f"{known.name} ({camera})" if known and known.name else camera,
            source=str(path), filename=upload["filename"],
            playable=upload["classification"] == "playable",
            size_bytes=upload["length"], sha256=upload["sha256"],
            window_start=local(request.window_start) if request else None,
            window_end=local(request.window_end) if request else None,
            clip_start=local(recording_start(upload)))
        pane = ReviewPlayerPane(review, self.folder / "snapshots")
        pane.setWindowTitle(f"Review — {upload['filename']}")
        pane.resize(1100, 760)
        case = request.case_ref if request else upload.get("case_ref", "")
        pane.viewed.connect(lambda uid, s: self.desk.audit("video.playback", f"upload:{uid}",
                                                            case_ref=case, justification=f"{s:.0f} s"))
        pane.snapshot_taken.connect(lambda uid, p: self.desk.audit("video.snapshot", f"upload:{uid}",
                                                                    case_ref=case))
        pane.exported.connect(lambda uid, p: self.desk.audit("video.export", f"upload:{uid}",
                                                              case_ref=case))
        pane.verdict.connect(lambda uid, valuable, notes: self.record_verdict(
            request_id, uid, valuable, notes, UploadForShare(uid, upload["filename"],
                                                             review.camera, case)))
        self.desk.audit("upload.view", f"upload:{upload['id']}", case_ref=case)
        self.open_panes[upload["id"]] = pane
        pane.show()

    def record_verdict(self, request_id: str, upload_id: str, valuable: bool, notes: str,
                       for_share: UploadForShare) -> None:
        verdict = Verdict(upload_id, valuable, notes, request_id=request_id)
        client, verdicts = self.client, self.verdicts

        def done(result: VerdictResult) -> None:
            if result.refused:
                QMessageBox.warning(self.window, "Review",
                                    f"The server refused the verdict: {result.error}")
                return
            self.requests.queue.mark_reviewed(request_id, valuable)
            if result.queued:
                self.window.statusBar().showMessage(
                    "Verdict saved on this desk; it goes to the server as soon as it answers.", 10000)
                return
            if valuable and QMessageBox.question(
                    self.window, "Share", "Marked valuable. Share it with an officer now?") \
                    == QMessageBox.StandardButton.Yes:
                self.open_share(request_id, for_share)

        run_in_background(lambda: verdicts.submit(client, verdict), done, self._failed)

    def deliver_queued(self) -> None:
        if self.client.session is None or not self.verdicts.pending_count():
            return
        client, verdicts = self.client, self.verdicts
        run_in_background(lambda: verdicts.deliver(client), self._delivered, self._failed)

    def _delivered(self, results: list[VerdictResult]) -> None:
        for result in results:
            if result.review is not None and result.verdict.request_id:
                self.requests.queue.mark_reviewed(result.verdict.request_id, result.verdict.valuable)

    def open_share(self, request_id: str, upload: UploadForShare) -> None:
        self.share_dialog = ShareDialog(self.client, upload, parent=self.window)
        self.share_dialog.shared.connect(lambda created: self.requests.queue.mark_shared(request_id))
        self.share_dialog.open()

    def _failed(self, exc: Exception) -> None:
        log.warning("review: %s", exc)
        QMessageBox.warning(self.window, "Review", str(exc))


def recording_start(upload: dict) -> datetime | None:
    """When the clip's first frame was recorded, if the file says so (the server's probe)."""
    value = (upload.get("probe") or {}).get("start_time")
    try:
        return datetime.fromisoformat(value) if value else None
    except ValueError:
        return None

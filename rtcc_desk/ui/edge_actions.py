"""An edge channel's buttons in the camera details: "Ask the box for footage…" and "Watch live…".

Shown only for ``EdgeChannel``: the box's health in a line of words, the clip dialog (its
request then follows in the request queue like an owner's upload, and this pane says when the
box sent or refused it), and a live window on the server's relay. All server calls run off the
GUI thread; whatever goes wrong is said with ``edge_api.edge_error_text``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, tzinfo

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QHBoxLayout, QInputDialog, QLabel, QPushButton, QVBoxLayout, QWidget

from rtcc_desk.adapters.player import Player, PlayerError, VlcPlayer
from rtcc_desk.adapters.server_link import edge_api
from rtcc_desk.adapters.server_link.client import ServerClient
from rtcc_desk.adapters.server_link.requests_api import get_request
from rtcc_desk.core.cameras import Camera, EdgeChannel
from rtcc_desk.ui.background import run_in_background
from rtcc_desk.ui.edge.clip_dialog import EdgeClipDialog
from rtcc_desk.ui.edge.live_window import EdgeLiveWindow

#: (call reference or "", the call's time or None) of what the analyst has selected.
Subject = Callable[[], tuple[str, datetime | None]]
#: How long "Watch live…" waits for the box to start before opening the window anyway.
LIVE_WAIT_S = 15.0
#: A clip is followed this often, until the box sent or refused it.
FOLLOW_EVERY_MS = 2000
_FINAL = ("done", "refused", "failed", "expired")
ROLES = ("analyst", "supervisor")  # the server lets these ask boxes


class EdgeActions(QWidget):
    """The buttons and one status line; ``show_camera`` is called by the details pane."""

    def __init__(self, client: ServerClient, zone: tzinfo, *, subject: Subject = lambda: ("", None),
                 on_request: Callable[[object], None] | None = None,
                 player_factory: Callable[[], Player] = VlcPlayer,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.client, self.zone, self.subject = client, zone, subject
        self.on_request, self.player_factory = on_request, player_factory
        self.camera: EdgeChannel | None = None
        self.dialog: EdgeClipDialog | None = None
        self.live_window: EdgeLiveWindow | None = None
        self._following = ("", "")  # (clip command, camera id) whose answer this pane awaits
        self.health = QLabel(wordWrap=True)
        self.clip_button = QPushButton("Ask the box for footage…")
        self.clip_button.setToolTip("The business's box uploads a window of its recording; "
                                    "a justification is required and audited.")
        self.clip_button.clicked.connect(self.ask_for_footage)
        self.live_button = QPushButton("Watch live…")
        self.live_button.setToolTip("The box streams this camera until you close the window.")
        self.live_button.clicked.connect(lambda: self.watch_live())
        self.status = QLabel(wordWrap=True)
        buttons = QHBoxLayout()
        buttons.setContentsMargins(0, 0, 0, 0)
        buttons.addWidget(self.clip_button)
        buttons.addWidget(self.live_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.health)
        layout.addLayout(buttons)
        layout.addWidget(self.status)
        self._follow_timer = QTimer(self, interval=FOLLOW_EVERY_MS, timeout=self._follow)
        self.hide()

    # ----- which camera -----------------------------------------------------------------------

    def show_camera(self, camera: Camera | None) -> None:
        self.camera = camera if isinstance(camera, EdgeChannel) else None
        self.setVisible(self.camera is not None)
        self.status.clear()
        self.health.clear()
        if self.camera is not None:
            self.refresh_health()

    def refresh_health(self) -> None:
        camera_id = self.camera.camera_id
        self.health.setText("Asking the server how the edge box is…")
        run_in_background(
            lambda: edge_api.list_edge_channels(self.client),
            lambda channels: self._show_health(camera_id, channels),
            lambda exc: self._for(camera_id, self.health.setText,
                                  f"Edge box status unknown: {edge_api.edge_error_text(exc)}"))

    def _show_health(self, camera_id: str, channels) -> None:
        found = next((c for c in channels if c.camera.camera_id == camera_id), None)
        text = (found.status_text if found
                else "the server knows no box for this channel, so it cannot be asked")
        self._for(camera_id, self.health.setText, f"Edge box: {text}")

    def _for(self, camera_id: str, show: Callable[[str], None], text: str) -> None:
        if self.camera is not None and self.camera.camera_id == camera_id:
            show(text)  # else the analyst moved on to another camera meanwhile

    # ----- a clip -----------------------------------------------------------------------------

    def ask_for_footage(self) -> EdgeClipDialog | None:
        camera = self.camera
        if camera is None:
            return None
        call_ref, incident_time = self.subject()

        def ask(window, justification, call, case, client_id):
            clip = edge_api.ask_for_clip(self.client, camera.camera_id, window, justification,
                                         call_ref=call, case_ref=case, client_id=client_id)
            return clip, get_request(self.client, clip.request_id) if clip.request_id else None

        self.dialog = EdgeClipDialog(camera, incident_time, self.zone, call_ref=call_ref,
                                     ask=lambda *a: ClipAsked(*ask(*a)), parent=self.window())
        self.dialog.asked.connect(self._asked)
        self.dialog.open()
        return self.dialog

    def _asked(self, answer: ClipAsked) -> None:
        if answer.request is not None and self.on_request is not None:
            self.on_request(answer.request)  # into the request queue at once; the feed follows it
        clip = answer.clip
        self.status.setText(clip.note)
        if clip.state not in _FINAL and self.camera is not None:
            self._following = (clip.command_id, self.camera.camera_id)
            self._follow_timer.start()

    def _follow(self) -> None:
        self._follow_timer.stop()  # one question at a time
        command_id, camera_id = self._following
        if command_id:
            run_in_background(lambda: edge_api.clip_state(self.client, command_id),
                              lambda clip: self._followed(command_id, camera_id, clip),
                              lambda _exc: self._follow_timer.start())

    def _followed(self, command_id: str, camera_id: str, clip: edge_api.EdgeClip) -> None:
        if command_id != self._following[0]:
            return  # another clip was asked meanwhile
        if clip.state == "done":
            text = "The edge box sent the clip: it is in the request queue."
        elif clip.state in _FINAL:
            try:
                clip.check()
                text = f"The clip ended as {clip.state}."
            except edge_api.EdgeError as exc:
                text = f"The edge box did not send the clip: {edge_api.edge_error_text(exc)}"
        else:
            if clip.state == "accepted":
                self._for(camera_id, self.status.setText,
                          "The edge box is cutting and uploading the clip…")
            self._follow_timer.start()
            return
        self._following = ("", "")
        self._for(camera_id, self.status.setText, text)  # the request queue shows it anyway

    # ----- live -------------------------------------------------------------------------------

    def watch_live(self, justification: str | None = None) -> None:
        camera = self.camera
        if camera is None:
            return
        if justification is None:
            justification, ok = QInputDialog.getText(
                self, "Watch live", "Why do you need to watch this camera live? "
                "(the business's access log and the audit trail show it)")
            if not ok:
                return
        if len(justification.strip()) < 3:
            self.status.setText("A justification is required to watch live.")
            return
        call_ref, _ = self.subject()
        self.live_button.setEnabled(False)
        self.status.setText("Asking the edge box to stream…")
        run_in_background(
            lambda: edge_api.start_live(self.client, camera.camera_id, justification.strip(),
                                        call_ref=call_ref, wait_s=LIVE_WAIT_S),
            lambda view: self._open_live(camera, view), self._live_failed)

    def _open_live(self, camera: EdgeChannel, view: edge_api.EdgeLiveView) -> None:
        self.live_button.setEnabled(True)
        try:
            player = self.player_factory()
        except PlayerError as exc:
            self.status.setText(f"The video player cannot start here: {exc}")
            run_in_background(lambda: edge_api.end_live(self.client, view.session_id))
            return
        self.status.setText("Live view open." if view.state == "streaming"
                            else "The box has not started yet; the live window waits for it.")
        self.live_window = EdgeLiveWindow(
            camera, view, player, self.zone,
            end=lambda session_id: edge_api.end_live(self.client, session_id),
            state=lambda session_id: edge_api.live_state(self.client, session_id,
                                                         stream_url=view.stream_url),
            parent=self)  # owned by the pane (a window of its own): never collected while open
        self.live_window.ended.connect(self.status.setText)
        self.live_window.destroyed.connect(self._live_closed)
        self.live_window.show()

    def _live_closed(self) -> None:
        self.live_window = None  # deleted on close

    def _live_failed(self, exc: Exception) -> None:
        self.live_button.setEnabled(True)
        self.status.setText(edge_api.edge_error_text(exc))


@dataclass(frozen=True)
class ClipAsked:
    """The clip as the server first answered, and its footage request (for the queue)."""

    clip: edge_api.EdgeClip
    request: object  # core FootageRequest, or None

    @property
    def state(self) -> str:
        return self.clip.state

    @property
    def note(self) -> str:
        return self.clip.note


def add_edge_actions(desk, client: ServerClient, zone: tzinfo, roles=ROLES, *,
                     player_factory: Callable[[], Player] = VlcPlayer) -> EdgeActions | None:
    """Put the buttons into the desk's camera details (for analysts and supervisors)."""
    if not set(roles) & set(ROLES):
        return None

    def subject() -> tuple[str, datetime | None]:
        call, incident_time, _ = desk.request_subject()
        return (call.call_id if call else ""), incident_time

    def into_queue(request) -> None:
        if desk.requests is not None:
            desk.requests.queue.upsert([request])

    actions = EdgeActions(client, zone, subject=subject, on_request=into_queue,
                          player_factory=player_factory)
    desk.p.details.set_edge_actions(actions)
    return actions

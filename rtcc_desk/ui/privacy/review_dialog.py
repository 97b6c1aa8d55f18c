"""The privacy reviewer's window: pick a city camera, watch it live, draw masks, approve or reject.

The reviewer sees the camera *unmasked*: to judge what a camera shows and where masks must
go, they have to see what the masks would hide (the "Preview" switch shows it as walls
will). This is the reviewer's role, not an exception to it: the server lets only privacy
reviewers record decisions, audits every decision with its masks and note, and refuses a
decision about a camera that changed (re-aimed, new stream) after the reviewer opened it.
"""

from __future__ import annotations

import time
from concurrent.futures import Future

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from rtcc_desk.adapters.server_link.city_cameras_api import (
    CityCameraState,
    city_camera_refusal_text,
    get_city_camera,
    record_review,
    sync_city_cameras,
)
from rtcc_desk.adapters.server_link.client import ServerClient
from rtcc_desk.adapters.server_link.errors import ServerError
from rtcc_desk.core.privacy_review import MaskError, PrivacyReview, ReviewDecision, ReviewRefused
from rtcc_desk.core.wall.stream_urls import redact_url
from rtcc_desk.ui.background import run_in_background
from rtcc_desk.ui.privacy.camera_list import STATE_COLOURS, CityCameraList
from rtcc_desk.ui.privacy.live_view import LivePoller, StreamOpener, unmasked_stream
from rtcc_desk.ui.privacy.mask_canvas import HINT, MaskCanvas
from rtcc_desk.ui.theme import DANGER, MUTED, OK


def sentence(text: str) -> str:
    text = text.strip()
    text = text[:1].upper() + text[1:]
    return text if text.endswith((".", "!", "?")) else text + "."


def facts_text(state: CityCameraState) -> str:
    """One line on where the camera is and looks, its stream without the password."""
    camera = state.camera
    view = camera.view
    facing = ("direction unknown" if view.bearing is None
              else f"facing {view.bearing:g}° ({view.fov:g}° wide)")
    stream = redact_url(camera.main_stream_url or camera.sub_stream_url) or "no stream address"
    return (f"Pole {camera.pole_id}, camera {camera.position_on_pole} of 3 · {facing} · "
            f"range {view.range_m:g} m · {stream}")


def review_text(state: CityCameraState) -> str:
    """Where the review stands, in words: "Pending review — bearing 120° → 135°"."""
    camera = state.camera
    if camera.privacy_review is PrivacyReview.PENDING:
        return f"Pending review — {state.pending_reason or 'waiting for a reviewer'}"
    done = str(camera.privacy_review).capitalize()
    who = f" by {state.reviewed_by}" if state.reviewed_by else ""
    when = f" on {state.reviewed_at.astimezone():%Y-%m-%d %H:%M}" if state.reviewed_at else ""
    count = len(camera.privacy_masks)
    note = f" — “{state.review_note}”" if state.review_note else ""
    return f"{done}{who}{when}, {count} mask{'' if count == 1 else 's'}{note}"


class PrivacyReviewDialog(QDialog):
    """Emits ``decided(CityCameraState)`` when the server recorded a decision, and
    ``viewed(camera_id, seconds)`` when the reviewer stops watching a camera."""

    decided = Signal(object)
    viewed = Signal(str, float)

    def __init__(self, client: ServerClient, reviewer: str, *,
                 open_stream: StreamOpener | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Privacy review — city cameras")
        self.setWindowFlag(Qt.WindowType.WindowMaximizeButtonHint)
        self.client, self.reviewer = client, reviewer
        self._open_stream = open_stream or unmasked_stream
        self.current: CityCameraState | None = None
        self._opening: str | None = None
        self.poller: LivePoller | None = None
        self._watch_started = 0.0
        self.released: list[Future] = []  # players being let go (tests wait for them)
        self._build()
        self.resize(1400, 860)

    def _build(self) -> None:
        self.cameras = CityCameraList("Pending review", self)
        self.reload_button = self._button("Reload list", self.refresh)
        self.list_status = QLabel("", self, wordWrap=True)
        left = QWidget(self)
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addWidget(self.cameras, 1)
        row = QHBoxLayout()
        row.addWidget(self.list_status, 1)
        row.addWidget(self.reload_button)
        left_layout.addLayout(row)

        self.title = QLabel("Choose a camera to review", self)
        self.title.setStyleSheet("font-size: 14pt; font-weight: bold;")
        self.facts = QLabel("", self, wordWrap=True)
        self.review_state = QLabel("", self, wordWrap=True)
        self.stream_state = QLabel("", self)
        self.stream_state.setStyleSheet(f"color: {MUTED};")
        self.canvas = MaskCanvas(self)
        self.canvas.masks_changed.connect(self._masks_changed)
        self.canvas.refused.connect(self._show_error)
        self.preview = QCheckBox("Preview as the wall shows it", self)
        self.preview.toggled.connect(self.canvas.set_preview)
        self.delete_button = self._button("Delete mask", self._delete_mask)
        self.clear_button = self._button("Clear all masks", self.canvas.clear_masks)
        self.mask_count = QLabel("", self)
        tools = QHBoxLayout()
        for widget in (self.preview, self.delete_button, self.clear_button):
            tools.addWidget(widget)
        tools.addStretch()
        tools.addWidget(self.mask_count)
        hint = QLabel(HINT, self, wordWrap=True)
        hint.setStyleSheet(f"color: {MUTED};")
        self.note = QPlainTextEdit(self)
        self.note.setPlaceholderText("Note for the record — required to reject (say what the "
                                     "installer must change); optional to approve")
        self.note.setMaximumHeight(70)
        self.approve_button = self._button("Approve with these masks", lambda: self.decide(True))
        self.reject_button = self._button("Reject…", lambda: self.decide(False))
        self.message = QLabel("", self, wordWrap=True)
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        decision = QHBoxLayout()
        decision.addWidget(self.message, 1)
        decision.addWidget(self.reject_button)
        decision.addWidget(self.approve_button)

        right = QWidget(self)
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(6, 0, 0, 0)
        for widget in (self.title, self.facts, self.review_state, self.stream_state):
            right_layout.addWidget(widget)
        right_layout.addWidget(self.canvas, 1)
        right_layout.addLayout(tools)
        right_layout.addWidget(hint)
        right_layout.addWidget(self.note)
        right_layout.addLayout(decision)

        splitter = QSplitter(self)
        splitter.addWidget(left)
        splitter.addWidget(right)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([430, 970])
        QVBoxLayout(self).addWidget(splitter)
        self.cameras.camera_selected.connect(self.open_camera)
        self._set_deciding(False)
        self._masks_changed()

    def _button(self, text: str, slot) -> QPushButton:
        button = QPushButton(text, self)
        # Enter closes a mask on the canvas: it must never press a decision button.
        button.setAutoDefault(False)
        button.setDefault(False)
        button.clicked.connect(slot)
        return button

    # -- the list ---------------------------------------------------------------------------

    def refresh(self) -> None:
        """Load every city camera from the server (off the GUI thread)."""
        self.reload_button.setEnabled(False)
        self.list_status.setText("Loading cameras…")
        client = self.client
        run_in_background(lambda: sync_city_cameras(client), self._listed, self._list_failed)

    def _listed(self, sync) -> None:
        self.reload_button.setEnabled(True)
        self.cameras.set_cameras(sync.cameras)
        pending = sum(s.camera.privacy_review is PrivacyReview.PENDING for s in sync.cameras)
        count = len(sync.cameras)
        cameras = f"{count} camera{'' if count == 1 else 's'}"
        self.list_status.setText(f"{cameras}, {pending} pending review")
        self.list_status.setStyleSheet("")

    def _list_failed(self, exc: Exception) -> None:
        self.reload_button.setEnabled(True)
        self.list_status.setText(city_camera_refusal_text(exc, "list"))
        self.list_status.setStyleSheet(f"color: {DANGER};")

    # -- one camera -------------------------------------------------------------------------

    def open_camera(self, camera_id: str, *, again: bool = False) -> None:
        """Fetch the camera as it is now (its version is what a decision quotes), then play it.
        ``again``: the same camera afresh, keeping the masks and note being worked on."""
        if not again and self.current is not None and self.current.camera_id == camera_id:
            return
        self._opening = camera_id
        self._stop_stream()
        listed = self.cameras.model.get(camera_id)
        if listed is not None and not again:
            self._show_camera(listed, play=False)
        self._set_deciding(False)
        client = self.client
        run_in_background(lambda: get_city_camera(client, camera_id),
                          lambda state: self._opened(state, again), self._open_failed)

    def _opened(self, state: CityCameraState, again: bool) -> None:
        if state.camera_id != self._opening:
            return  # the reviewer moved on meanwhile
        self._opening = None
        if not self.isVisible():  # closed meanwhile: showing it again opens it afresh
            self.current = state
            return
        self.cameras.put(state)
        if again:
            self.current = state
            self.facts.setText(f"{state.camera_id} · {facts_text(state)}")
            self._show_review_state(state)
            self._play(state)
        else:
            self._show_camera(state, play=True)
        self._set_deciding(True)

    def _open_failed(self, exc: Exception) -> None:
        self._opening = None
        self._show_error(city_camera_refusal_text(exc, "list"))

    def _show_camera(self, state: CityCameraState, *, play: bool) -> None:
        self.current = state
        camera = state.camera
        self.title.setText(camera.name or camera.camera_id)
        self.facts.setText(f"{camera.camera_id} · {facts_text(state)}")
        self._show_review_state(state)
        self.canvas.load_masks(camera.privacy_masks)
        self.canvas.set_frame(None)
        self.note.clear()
        self.message.clear()
        self._masks_changed()
        if play:
            self._play(state)

    def _show_review_state(self, state: CityCameraState) -> None:
        self.review_state.setText(review_text(state))
        colour = STATE_COLOURS.get(state.camera.privacy_review, MUTED)
        self.review_state.setStyleSheet(f"color: {colour}; font-weight: bold;")

    def _play(self, state: CityCameraState) -> None:
        try:
            stream = self._open_stream(state.camera)
        except ValueError as exc:  # no stream address in the inventory
            self.canvas.set_waiting_text("No picture")
            self.stream_state.setText(f"Cannot play: {exc}. Reject it so the inventory is fixed.")
            return
        self.poller = LivePoller(stream, self)
        self.poller.frame_arrived.connect(self.canvas.set_frame)
        self.poller.state_changed.connect(self._stream_state)
        self.canvas.set_waiting_text("Connecting to the camera…")
        self.stream_state.setText("Live, unmasked for review · connecting…")
        self._watch_started = time.monotonic()
        self.poller.start()

    def _stream_state(self, words: str) -> None:
        self.stream_state.setText(f"Live, unmasked for review · {words}")
        if self.canvas.frame is None:
            self.canvas.set_waiting_text(sentence(words))

    def _stop_stream(self) -> None:
        if self.poller is None:
            return
        poller, self.poller = self.poller, None
        self.released.append(poller.close())
        poller.deleteLater()
        if self.current is not None:
            self.viewed.emit(self.current.camera_id, time.monotonic() - self._watch_started)

    # -- masks ------------------------------------------------------------------------------

    def _delete_mask(self) -> None:
        if not self.canvas.delete_selected():
            self._show_error("Click a mask to select it first.")

    def _masks_changed(self) -> None:
        count = len(self.canvas.draft.polygons)
        self.mask_count.setText(f"{count} mask{'' if count == 1 else 's'}")
        self.message.clear()

    # -- the decision -----------------------------------------------------------------------

    def decide(self, approve: bool) -> None:
        """Check the decision here (a rejection needs a note), then send it off the GUI thread."""
        state = self.current
        if state is None or self._opening is not None:
            return
        if self.canvas.draft.drawing:
            self._show_error("Finish the mask you are drawing (double-click or Enter) or press "
                             "Esc to drop it.")
            return
        note = self.note.toPlainText()
        try:
            decision = ReviewDecision(camera_id=state.camera_id, approve=approve,
                                      reviewer=self.reviewer, note=note,
                                      masks=self.canvas.draft.masks())
        except (ReviewRefused, MaskError) as exc:  # the same rules the server applies
            self._show_error(sentence(str(exc)))
            if not approve:
                self.note.setFocus()
            return
        self._set_deciding(False)
        self._show_info("Sending your decision…")
        client, version = self.client, state.sync_version
        run_in_background(
            lambda: record_review(client, decision.camera_id, approve=decision.approve,
                                  seen_version=version, note=decision.note, masks=decision.masks),
            self._decided, self._decision_refused)

    def _decided(self, state: CityCameraState) -> None:
        self._set_deciding(True)
        self.cameras.put(state)
        if self.current is not None and self.current.camera_id == state.camera_id:
            self.current = state
            self._show_review_state(state)
        count = len(state.camera.privacy_masks)
        masks = f"{count} mask{'' if count == 1 else 's'}"
        if state.camera.privacy_review is PrivacyReview.APPROVED:
            self._show_info(f"Approved with {masks}: {state.camera_id} may now appear on walls, "
                            "masked.", OK)
        else:
            self._show_info(f"Rejected: {state.camera_id} stays off every wall until it is fixed "
                            "and reviewed again.", OK)
        self.decided.emit(state)

    def _decision_refused(self, exc: Exception) -> None:
        self._set_deciding(True)
        text = city_camera_refusal_text(exc, "review")
        self._show_error(text)
        if isinstance(exc, ServerError) and exc.status == 409 and self.current is not None:
            # The camera changed under the reviewer: show what it is now, keep their masks.
            self.open_camera(self.current.camera_id, again=True)
            self._show_error(text + " It has been reopened as it is now; look again, then decide.")

    def _set_deciding(self, enabled: bool) -> None:
        for button in (self.approve_button, self.reject_button):
            button.setEnabled(enabled and self.current is not None)

    def _show_error(self, text: str) -> None:
        self.message.setStyleSheet(f"color: {DANGER}; font-weight: bold;")
        self.message.setText(text)

    def _show_info(self, text: str, colour: str = MUTED) -> None:
        self.message.setStyleSheet(f"color: {colour};")
        self.message.setText(text)

    # -- closing ----------------------------------------------------------------------------

    def showEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        super().showEvent(event)
        if self.current is not None and self.poller is None and self._opening is None:
            self.open_camera(self.current.camera_id, again=True)  # shown again after a close

    def done(self, result: int) -> None:  # closing by Esc, the title bar or code
        self._stop_stream()
        super().done(result)

    def closeEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        self._stop_stream()
        super().closeEvent(event)

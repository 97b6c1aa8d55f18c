"""The "Share to an officer" dialog: officer and case, view-only or download, expiry; the server
sends the link to the officer's phone or email; then the link (with a copy button), how it was
sent (or why it could not be) and a QR code for a walk-up handover."""

from __future__ import annotations

import html
import io
from datetime import datetime

import segno
from PySide6.QtCore import QByteArray, Qt, Signal
from PySide6.QtGui import QGuiApplication, QPixmap
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from rtcc_desk.adapters.server_link.client import ServerClient
from rtcc_desk.adapters.server_link.shares_api import (
    DEFAULT_EXPIRY_HOURS,
    MAX_EXPIRY_HOURS,
    ShareCreated,
    create_share,
    share_refusal_text,
)
from rtcc_desk.ui.background import run_in_background

#: Pixels per QR module: about 260 px for a typical link, readable by a phone at arm's length.
QR_SCALE = 6
_ERROR_STYLE = "color: #d9534f; font-weight: bold;"


def qr_pixmap(url: str, scale: int = QR_SCALE) -> QPixmap:
    """The link as a QR code (segno, error level M, quiet zone kept) in a pixmap."""
    buffer = io.BytesIO()
    segno.make(url, error="m").save(buffer, kind="png", scale=scale, border=4)
    pixmap = QPixmap()
    pixmap.loadFromData(QByteArray(buffer.getvalue()), "PNG")
    return pixmap


def _local(moment: datetime) -> str:
    return moment.astimezone().strftime("%Y-%m-%d %H:%M %Z")


class ShareDialog(QDialog):
    """Creates one share for ``upload`` (any object with ``id``, ``file_name``, ``camera`` and
    ``case_ref``, e.g. ``shares_api.UploadForShare``). Emits ``shared(ShareCreated)``."""

    shared = Signal(object)

    def __init__(self, client: ServerClient, upload, *, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Share to an officer")
        self.client, self.upload = client, upload
        self.result_share: ShareCreated | None = None
        self.about = QLabel(self._about_text(), self, wordWrap=True)
        self.officer_name = QLineEdit(self, placeholderText="e.g. Ofc. Jamie Ruiz, badge 4412")
        self.officer_contact = QLineEdit(self, placeholderText="Mobile number or email")
        self.case_ref = QLineEdit(getattr(upload, "case_ref", "") or "", self,
                                  placeholderText="Case the officer is working")
        self.view_only = QRadioButton("View only", self, checked=True)
        self.view_download = QRadioButton("View and download", self)
        self.access = QButtonGroup(self)
        for button in (self.view_only, self.view_download):
            self.access.addButton(button)
        self.expiry = QSpinBox(self, minimum=1, maximum=MAX_EXPIRY_HOURS,
                               value=DEFAULT_EXPIRY_HOURS, suffix=" hours")
        self.send_link = QCheckBox("Send the link to the officer's phone or email", self,
                                   checked=True)
        self.send_link.setToolTip("Untick for a walk-up handover: the officer scans the code")
        self.error = QLabel(self, wordWrap=True, styleSheet=_ERROR_STYLE)
        self.error.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.error.hide()
        self.status = QLabel(self, wordWrap=True)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        self.create_button = self.buttons.addButton("Create link",
                                                    QDialogButtonBox.ButtonRole.ActionRole)
        self.create_button.clicked.connect(self.submit)
        self.buttons.rejected.connect(self.reject)
        # The result: shown once the server made the link.
        self.link = QLineEdit(self, readOnly=True)
        self.copy_button = QPushButton("Copy link", self)
        self.copy_button.clicked.connect(self.copy_link)
        self.contact_note = QLabel(self, wordWrap=True)
        self.sent_note = QLabel(self, wordWrap=True, textFormat=Qt.TextFormat.PlainText)
        self.sent_note.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.qr = QLabel(self, alignment=Qt.AlignmentFlag.AlignCenter)
        self.result_box = QGroupBox("Link for the officer", self)
        for field in (self.officer_name, self.officer_contact, self.case_ref):
            field.textChanged.connect(self._validate)
        self._lay_out()
        self._validate()

    # ----- layout ---------------------------------------------------------------------------

    def _lay_out(self) -> None:
        form = QFormLayout()
        form.addRow("Officer", self.officer_name)
        form.addRow("Phone / email", self.officer_contact)
        form.addRow("Case", self.case_ref)
        access = QHBoxLayout()
        access.addWidget(self.view_only)
        access.addWidget(self.view_download)
        access.addStretch()
        form.addRow("Access", access)
        form.addRow("Link expires after", self.expiry)
        form.addRow("", self.send_link)
        link_row = QHBoxLayout()
        link_row.addWidget(self.link, 1)
        link_row.addWidget(self.copy_button)
        result = QVBoxLayout(self.result_box)
        result.addLayout(link_row)
        result.addWidget(self.sent_note)
        result.addWidget(self.contact_note)
        result.addWidget(self.qr, 1)
        self.result_box.hide()
        layout = QVBoxLayout(self)
        layout.addWidget(self.about)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(self.status)
        layout.addWidget(self.result_box, 1)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(640)

    def _about_text(self) -> str:
        upload = self.upload
        parts = [f"<b>{getattr(upload, 'file_name', '') or '(no file name)'}</b>"]
        if getattr(upload, "camera", ""):
            parts.append(f"camera {upload.camera}")
        parts.append(f"upload {upload.id}")
        return " · ".join(parts)

    # ----- actions --------------------------------------------------------------------------

    def _validate(self) -> None:
        contact = self.officer_contact.text().strip()
        ready = bool(self.officer_name.text().strip() and len(contact) >= 3
                     and self.case_ref.text().strip())
        self.create_button.setEnabled(ready and self.result_share is None)

    def submit(self) -> None:
        """Create the share on the server, off the GUI thread."""
        if not self.create_button.isEnabled():
            return
        self.create_button.setEnabled(False)
        self.error.hide()
        self.status.setText("Creating the link…")
        client, upload_id = self.client, self.upload.id
        name, contact = self.officer_name.text(), self.officer_contact.text()
        case, download = self.case_ref.text(), self.view_download.isChecked()
        hours, send = self.expiry.value(), self.send_link.isChecked()
        run_in_background(
            lambda: create_share(client, upload_id, name, contact, case, download, hours,
                                 send_link=send),
            self._created, self._failed)

    def _created(self, share: ShareCreated) -> None:
        self.result_share = share
        self.status.setText("")
        # Read-only rather than disabled: the officer's details stay legible beside the code.
        for field in (self.officer_name, self.officer_contact, self.case_ref):
            field.setReadOnly(True)
        self.expiry.setReadOnly(True)
        for button in (self.view_only, self.view_download, self.send_link):
            button.setEnabled(False)
        self.link.setText(share.url)
        self.link.setCursorPosition(0)
        self.create_button.hide()
        self.sent_note.setText(share.sent_text)
        self.sent_note.setStyleSheet(_ERROR_STYLE if share.send_error else "font-weight: bold;")
        self.contact_note.setText(
            f"For <b>{html.escape(share.officer_name)}</b> ({html.escape(share.officer_contact)})"
            f" · case {html.escape(share.case_ref or self.case_ref.text())} · "
            f"{share.access_text} · ends {_local(share.expires_at)}.<br>"
            "The officer can also scan the code below.")
        self.qr.setPixmap(qr_pixmap(share.url))
        self.result_box.show()
        self._validate()
        self.adjustSize()
        self.shared.emit(share)

    def _failed(self, exc: Exception) -> None:
        self.status.setText("")
        self.error.setText(share_refusal_text(exc))
        self.error.show()
        self._validate()

    def copy_link(self) -> None:
        if self.link.text():
            QGuiApplication.clipboard().setText(self.link.text())
            self.status.setText("Link copied.")

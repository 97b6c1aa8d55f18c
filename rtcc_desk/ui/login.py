"""Sign-in: username, password and the 6-digit code from the analyst's authenticator app."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
)

from rtcc_desk.ui.background import run_in_background

#: ``attempt(username, password, code)`` returns the signed-in session or raises an exception
#: whose message the analyst can act on ("account locked — ask an administrator").
Attempt = Callable[[str, str, str | None], Any]


class LoginDialog(QDialog):
    def __init__(self, attempt: Attempt, *, server: str, username: str = "", password: str = "",
                 banner: str | None = None, parent=None) -> None:
        super().__init__(parent)
        self.setWindowTitle("RTCC Desk — sign in")
        self.setMinimumWidth(420)
        self._attempt = attempt
        self.session: Any = None
        layout = QVBoxLayout(self)
        if banner:
            note = QLabel(banner)
            note.setProperty("role", "banner")
            note.setWordWrap(True)
            layout.addWidget(note)
        form = QFormLayout()
        self.server = QLabel(server)
        self.server.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.username = QLineEdit(username)
        self.password = QLineEdit(password)
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.code = QLineEdit()
        self.code.setPlaceholderText("6 digits from your authenticator app")
        self.code.setMaxLength(8)
        form.addRow("Server", self.server)
        form.addRow("User name", self.username)
        form.addRow("Password", self.password)
        form.addRow("Code", self.code)
        layout.addLayout(form)
        self.error = QLabel()
        self.error.setProperty("role", "error")
        self.error.setWordWrap(True)
        layout.addWidget(self.error)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                        | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Sign in")
        self.buttons.accepted.connect(self.sign_in)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        (self.password if username else self.username).setFocus()

    def sign_in(self) -> None:
        username, password = self.username.text().strip(), self.password.text()
        code = self.code.text().strip() or None
        if not username or not password:
            self.error.setText("Enter your user name and password.")
            return
        self.error.setText("Signing in…")
        self.buttons.setEnabled(False)
        run_in_background(lambda: self._attempt(username, password, code), self._signed_in, self._failed)

    def _signed_in(self, session: Any) -> None:
        self.session = session
        self.accept()

    def _failed(self, exc: Exception) -> None:
        self.buttons.setEnabled(True)
        self.password.selectAll()
        self.error.setText(str(exc) or exc.__class__.__name__)

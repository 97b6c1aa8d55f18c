"""Idle lock: after a quiet spell the desk hides everything until the analyst's password is given.

Video walls and call details stay private when an analyst steps away. Activity is any key
or mouse input in any of the desk's windows. The password is checked by a callable (the
desk checks it against the hash kept from sign-in, so it works with the server unreachable).
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import QApplication, QDialog, QLabel, QLineEdit, QPushButton, QVBoxLayout

_ACTIVITY = {QEvent.Type.KeyPress, QEvent.Type.MouseButtonPress, QEvent.Type.MouseMove,
             QEvent.Type.Wheel, QEvent.Type.TouchBegin}


class IdleLock(QObject):
    """Watches input application-wide; emits ``locked`` after ``idle_s`` without any."""

    locked = Signal()
    unlocked = Signal()

    def __init__(self, idle_s: float, verify: Callable[[str], bool], username: str,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._verify, self._username = verify, username
        self.screen: LockScreen | None = None
        self._timer = QTimer(self, singleShot=True, interval=int(idle_s * 1000), timeout=self.lock)
        QApplication.instance().installEventFilter(self)
        self._timer.start()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt's name)
        if event.type() in _ACTIVITY and self.screen is None:
            self._timer.start()  # restart the countdown
        return False

    @property
    def is_locked(self) -> bool:
        return self.screen is not None

    def lock(self) -> None:
        if self.screen is not None:
            return
        self._timer.stop()
        for window in QApplication.topLevelWidgets():
            if window.isVisible() and not isinstance(window, LockScreen):
                window.setProperty("rtcc_hidden_by_lock", True)
                window.hide()
        self.screen = LockScreen(self._username, self._verify)
        self.screen.accepted.connect(self._unlock)
        self.screen.showFullScreen()
        self.locked.emit()

    def _unlock(self) -> None:
        self.screen = None
        for window in QApplication.topLevelWidgets():
            if window.property("rtcc_hidden_by_lock"):
                window.setProperty("rtcc_hidden_by_lock", None)
                window.show()
        self._timer.start()
        self.unlocked.emit()


class LockScreen(QDialog):
    def __init__(self, username: str, verify: Callable[[str], bool]) -> None:
        super().__init__(None, Qt.WindowType.WindowStaysOnTopHint)
        self._verify = verify
        self.setWindowTitle("RTCC Desk — locked")
        layout = QVBoxLayout(self)
        layout.addStretch()
        title = QLabel(f"Desk locked — {username}")
        title.setStyleSheet("font-size: 20pt;")
        title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout.addWidget(title)
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setPlaceholderText("Password")
        self.password.setMaximumWidth(360)
        self.password.returnPressed.connect(self.try_unlock)
        layout.addWidget(self.password, alignment=Qt.AlignmentFlag.AlignCenter)
        self.error = QLabel()
        self.error.setProperty("role", "error")
        self.error.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout.addWidget(self.error)
        unlock = QPushButton("Unlock")
        unlock.clicked.connect(self.try_unlock)
        layout.addWidget(unlock, alignment=Qt.AlignmentFlag.AlignCenter)
        layout.addStretch()

    def try_unlock(self) -> None:
        if self._verify(self.password.text()):
            self.accept()
        else:
            self.password.clear()
            self.error.setText("Wrong password.")

    def reject(self) -> None:  # Esc must not unlock
        pass

"""Signing in (errors the analyst can act on) and the idle lock that needs the password again."""

from __future__ import annotations

from argon2 import PasswordHasher
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QLabel, QMainWindow

from rtcc_desk.adapters.local_password import password_checker
from rtcc_desk.ui.idle_lock import IdleLock
from rtcc_desk.ui.login import LoginDialog

CHEAP = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)


class Locked(Exception):
    pass


def test_sign_in_shows_the_servers_reason_and_succeeds_on_a_good_attempt(qtbot):
    tries = []

    def attempt(username, password, code):
        tries.append((username, password, code))
        if code != "123456":
            raise Locked("Wrong or missing code from your authenticator app.")
        return {"user": username}

    dialog = LoginDialog(attempt, server="http://127.0.0.1:8000", username="ana")
    qtbot.addWidget(dialog)
    dialog.password.setText("pw")
    dialog.sign_in()
    qtbot.waitUntil(lambda: "authenticator" in dialog.error.text())
    assert dialog.session is None and dialog.buttons.isEnabled()
    dialog.code.setText("123456")
    with qtbot.waitSignal(dialog.accepted):
        dialog.sign_in()
    assert dialog.session == {"user": "ana"}
    assert tries[-1] == ("ana", "pw", "123456")


def test_sign_in_refuses_empty_fields_without_calling_the_server(qtbot):
    dialog = LoginDialog(lambda *a: (_ for _ in ()).throw(AssertionError("called")), server="s")
    qtbot.addWidget(dialog)
    dialog.sign_in()
    assert "user name and password" in dialog.error.text()


def test_the_desk_locks_when_idle_and_only_the_right_password_opens_it(qtbot):
    window = QMainWindow()
    window.setCentralWidget(QLabel("call details"))
    qtbot.addWidget(window)
    window.show()
    lock = IdleLock(0.2, password_checker("s3cret pass", CHEAP), "ana")
    with qtbot.waitSignal(lock.locked, timeout=5000):
        pass
    assert lock.is_locked and not window.isVisible()
    screen = lock.screen
    qtbot.keyClicks(screen.password, "guess")
    qtbot.keyClick(screen.password, Qt.Key.Key_Return)
    assert lock.is_locked and "Wrong password" in screen.error.text()
    screen.reject()  # Esc does nothing
    assert lock.is_locked
    with qtbot.waitSignal(lock.unlocked):
        qtbot.keyClicks(screen.password, "s3cret pass")
        qtbot.keyClick(screen.password, Qt.Key.Key_Return)
    assert window.isVisible() and not lock.is_locked
    QApplication.instance().removeEventFilter(lock)


def test_activity_restarts_the_idle_countdown(qtbot):
    window = QMainWindow()
    qtbot.addWidget(window)
    window.show()
    lock = IdleLock(4, lambda p: True, "ana")
    qtbot.wait(2500)
    qtbot.keyClick(window, Qt.Key.Key_A)
    qtbot.wait(2500)  # 5 s since the start: locked by now had the key press not counted
    assert not lock.is_locked
    with qtbot.waitSignal(lock.locked, timeout=10_000):
        pass  # and idle again, it does lock
    lock.screen.accept()
    QApplication.instance().removeEventFilter(lock)

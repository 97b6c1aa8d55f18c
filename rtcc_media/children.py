"""Child processes (ffmpeg) that die with the process that started them.

Linux's PR_SET_PDEATHSIG fires when the *thread* that forked the child ends, not the process:
a child started from a short-lived worker thread would be killed as soon as that worker is
reaped. So every child is forked from one long-lived daemon thread kept here for the life of
the process.
"""

from __future__ import annotations

import ctypes
import queue
import shutil
import signal
import subprocess
import sys
import threading
from collections.abc import Callable
from concurrent.futures import Future

from rtcc_media.errors import MediaToolMissing

_PR_SET_PDEATHSIG = 1


# setpriv (util-linux) sets the parent-death signal and execs the command: no Python runs in
# the forked child. A Python preexec_fn in a child forked from a threaded process can deadlock
# (it once hung in ctypes.util.find_library, which itself starts processes).
_SETPRIV = shutil.which("setpriv") if sys.platform.startswith("linux") else None
_LIBC = ctypes.CDLL(None, use_errno=True) if sys.platform.startswith("linux") else None


def dying_with_parent(argv: list[str], signame: str = "KILL") -> tuple[list[str], Callable | None]:
    """``argv`` (and a ``preexec_fn``) for a child Linux ends with ``signame`` when the thread
    that started it — so, from a long-lived thread, the process — is gone, even by SIGKILL."""
    if _SETPRIV is not None:
        return [_SETPRIV, "--pdeathsig", signame, "--", *argv], None
    if _LIBC is None:
        return argv, None
    number = int(getattr(signal, f"SIG{signame}"))
    prctl = _LIBC.prctl  # looked up here, in the parent: the child only makes the call
    return argv, lambda: prctl(_PR_SET_PDEATHSIG, number)


class _Spawner:
    def __init__(self) -> None:
        self._jobs: queue.SimpleQueue = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    def _run(self) -> None:
        while True:
            argv, kwargs, future = self._jobs.get()
            if not future.set_running_or_notify_cancel():
                continue
            try:
                future.set_result(subprocess.Popen(argv, **kwargs))  # noqa: S603
            except BaseException as exc:  # noqa: BLE001  (handed to the caller)
                future.set_exception(exc)

    def popen(self, argv: list[str], **kwargs) -> subprocess.Popen:
        with self._lock:
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name="rtcc-media-spawner",
                                                daemon=True)
                self._thread.start()
        future: Future = Future()
        self._jobs.put((argv, kwargs, future))
        return future.result()


_SPAWNER = _Spawner()


def start_child(argv: list[str], **popen_kwargs) -> subprocess.Popen:
    """``subprocess.Popen(argv, ...)`` that ends with this process (Linux), stdin closed."""
    popen_kwargs.setdefault("stdin", subprocess.DEVNULL)
    if sys.platform.startswith("linux"):
        argv, popen_kwargs["preexec_fn"] = dying_with_parent(argv)
    elif sys.platform == "win32":
        # No PDEATHSIG on Windows; a new process group at least keeps Ctrl+C to ourselves.
        popen_kwargs.setdefault("creationflags", subprocess.CREATE_NEW_PROCESS_GROUP)
    return _SPAWNER.popen(argv, **popen_kwargs)


def stop_child(process: subprocess.Popen | None, timeout_s: float = 3.0) -> None:
    """Terminate, then kill if it does not go; always reaps so no zombie is left."""
    if process is None:
        return
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=timeout_s)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=timeout_s)


def require_tool(name: str) -> str:
    """Full path of ffmpeg/ffprobe, or a readable error naming the package to install."""
    path = shutil.which(name)
    if path is None:
        raise MediaToolMissing(f"{name} is not installed (Debian package ffmpeg: "
                               "apt-get install ffmpeg)")
    return path



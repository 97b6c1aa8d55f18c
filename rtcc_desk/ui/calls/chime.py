"""The new-urgent-call chime: a short generated two-tone WAV, or the system beep without audio."""

from __future__ import annotations

import functools
import io
import math
import struct
import tempfile
import wave
from pathlib import Path

from PySide6.QtCore import QObject, QUrl, Signal
from PySide6.QtWidgets import QApplication

from rtcc_desk.ui.background import run_in_background

_RATE = 22_050


def chime_wav(tones: tuple[float, ...] = (988.0, 1319.0), tone_s: float = 0.12) -> bytes:
    """A soft two-tone chime as 16-bit mono WAV bytes (faded in and out, no click)."""
    frames = bytearray()
    count = int(_RATE * tone_s)
    fade = count // 6
    for freq in tones:
        for i in range(count):
            envelope = min(1.0, i / fade, (count - i) / fade)
            sample = 0.35 * envelope * math.sin(2 * math.pi * freq * i / _RATE)
            frames += struct.pack("<h", int(sample * 32767))
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(_RATE)
        out.writeframes(bytes(frames))
    return buffer.getvalue()


@functools.cache
def _audio_available() -> bool:
    from PySide6.QtMultimedia import QMediaDevices

    return bool(QMediaDevices.audioOutputs())


def _write_chime() -> Path:
    """Runs on a worker thread: the WAV file QSoundEffect plays (it reads only URLs)."""
    path = Path(tempfile.gettempdir()) / "rtcc-desk-chime.wav"
    path.write_bytes(chime_wav())
    return path


class Chime(QObject):
    """Plays the chime unless muted; ``count`` and ``played`` say how often (tests, status bar)."""

    played = Signal()

    def __init__(self, parent: QObject | None = None, *, use_audio: bool | None = None) -> None:
        super().__init__(parent)
        self.muted = False
        self.count = 0
        self._effect = None
        if use_audio if use_audio is not None else _audio_available():
            run_in_background(_write_chime, self._loaded)

    def _loaded(self, path: Path) -> None:
        from PySide6.QtMultimedia import QSoundEffect

        self._effect = QSoundEffect(self)
        self._effect.setSource(QUrl.fromLocalFile(str(path)))
        self._effect.setVolume(0.6)

    @property
    def uses_audio(self) -> bool:
        return self._effect is not None

    def ring(self) -> bool:
        """Chime once; False (and nothing played) when muted."""
        if self.muted:
            return False
        self.count += 1
        if self._effect is not None:
            self._effect.play()
        else:
            QApplication.beep()
        self.played.emit()
        return True

"""Snapshots from a wall tile: the masked picture with a caption, saved in the case's folder.

Pure image work (QImage, no widget), so the PNG is written off the GUI thread.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, tzinfo
from pathlib import Path

from PySide6.QtCore import QRect, QSize, Qt
from PySide6.QtGui import QColor, QFont, QImage, QPainter

from rtcc_desk.adapters.live import LiveFrame
from rtcc_desk.core.cameras import PoleCamera
from rtcc_desk.ui.wall.tile import frame_image

NO_CALL_FOLDER = "no-call"
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def case_folder(snapshots: Path, call_id: str) -> Path:
    """``snapshots/<call>/`` (``no-call`` when no call is selected), safe as a folder name."""
    name = _UNSAFE.sub("_", call_id).strip("._") if call_id else ""
    return snapshots / (name or NO_CALL_FOLDER)


def caption(camera: PoleCamera, taken_at: datetime, zone: tzinfo, call_id: str) -> str:
    local = taken_at.astimezone(zone)
    text = (f"{camera.name or camera.camera_id} · camera {camera.camera_id}, pole {camera.pole_id}"
            f" · {local:%Y-%m-%d %H:%M:%S %Z} ({taken_at.astimezone(UTC):%H:%M:%S} UTC)")
    if call_id:
        text += f" · call {call_id}"
    return text + " · privacy masks applied"


def captioned_image(frame: LiveFrame, text: str) -> QImage:
    """The picture at its real size with ``text`` in a band below it (never over the picture)."""
    width, height = frame.picture_size
    picture = frame_image(frame).scaled(QSize(width, height), Qt.AspectRatioMode.IgnoreAspectRatio,
                                        Qt.TransformationMode.SmoothTransformation)
    font = QFont()
    font.setPixelSize(max(12, min(20, height // 24)))
    measure = QImage(1, 1, QImage.Format.Format_RGB32)
    painter = QPainter(measure)
    painter.setFont(font)
    wrap = Qt.AlignmentFlag.AlignLeft | Qt.TextFlag.TextWordWrap
    room = QRect(0, 0, width - 16, 10 * height)
    text_height = painter.fontMetrics().boundingRect(room, wrap, text).height()
    painter.end()
    band = text_height + 12
    out = QImage(width, height + band, QImage.Format.Format_RGB32)
    out.fill(QColor("#101317"))
    painter = QPainter(out)
    painter.drawImage(0, 0, picture)
    painter.setFont(font)
    painter.setPen(QColor("#f0f3f6"))
    painter.drawText(QRect(8, height + 6, width - 16, text_height), wrap, text)
    painter.end()
    out.setText("Caption", text)
    return out


def prepare_snapshot(frame: LiveFrame, camera: PoleCamera, *, taken_at: datetime, zone: tzinfo,
                     snapshots: Path, call_id: str = "") -> tuple[QImage, Path]:
    """The captioned picture and where it goes; on the GUI thread (text is drawn here)."""
    text = caption(camera, taken_at, zone, call_id)
    image = captioned_image(frame, text)
    image.setText("Camera", camera.camera_id)
    image.setText("Taken", taken_at.astimezone(UTC).isoformat(timespec="milliseconds"))
    stamp = taken_at.astimezone(UTC).strftime("%Y%m%dT%H%M%S.%f")[:-3] + "Z"
    folder = case_folder(snapshots, call_id)
    return image, folder / f"{_UNSAFE.sub('_', camera.camera_id)}_{stamp}.png"


def write_png(image: QImage, path: Path) -> Path:
    """Write the PNG (off the GUI thread is fine); OSError naming the file if it cannot."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if not image.save(str(path), "PNG"):
        raise OSError(f"could not write the snapshot {path}")
    return path

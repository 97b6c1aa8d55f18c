"""The priority chip: fill, outline and word all say the band (colour is never the only cue)."""

from __future__ import annotations

import functools

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QFont, QGuiApplication, QPainter, QPen, QPixmap

from rtcc_desk.core.call_filter import PriorityBand

#: band → (chip colour, solid fill?). Solid chips for the urgent bands, outlines below them,
#: so urgency also reads as visual weight; saturated mid-tones work on dark and light palettes.
BAND_COLOURS: dict[PriorityBand, tuple[str, bool]] = {
    PriorityBand.CRITICAL: ("#d32f2f", True),
    PriorityBand.HIGH: ("#f57c00", True),
    PriorityBand.MEDIUM: ("#fbc02d", False),
    PriorityBand.LOW: ("#78909c", False),
    PriorityBand.UNKNOWN: ("#9e9e9e", False),
}
CHIP_SIZE = (62, 19)


@functools.lru_cache(maxsize=256)
def chip_pixmap(band: PriorityBand, text: str, ink_rgba: int) -> QPixmap:
    """The chip as a pixmap, drawn once per (band, words, palette text colour).

    A pixmap shown as the cell's decoration paints in C++; a Python delegate painting each
    chip cost about a quarter of a full table repaint.
    """
    screen = QGuiApplication.primaryScreen()
    ratio = screen.devicePixelRatio() if screen is not None else 1.0
    width, height = CHIP_SIZE
    pixmap = QPixmap(int(width * ratio), int(height * ratio))
    pixmap.setDevicePixelRatio(ratio)
    pixmap.fill(Qt.GlobalColor.transparent)
    colour, solid = BAND_COLOURS[band]
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    pen = QPen(QColor(colour), 1.6)
    if band is PriorityBand.UNKNOWN:
        pen.setStyle(Qt.PenStyle.DashLine)
    painter.setPen(pen)
    painter.setBrush(QColor(colour) if solid else Qt.BrushStyle.NoBrush)
    rect = QRectF(1, 1, width - 2, height - 2)
    painter.drawRoundedRect(rect, 4, 4)
    font = QFont(QGuiApplication.font())
    font.setBold(solid)
    painter.setFont(font)
    if solid:
        ink = QColor("white") if band is PriorityBand.CRITICAL else QColor("black")
    else:
        ink = QColor.fromRgba(ink_rgba)
    painter.setPen(ink)
    painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, text)
    painter.end()
    return pixmap

"""The review timeline: a slider over the clip that shades the requested window."""

from __future__ import annotations

from PySide6.QtCore import QRect, Qt
from PySide6.QtGui import QColor, QPainter
from PySide6.QtWidgets import QSlider, QStyle, QStyleOptionSlider


class WindowTimeline(QSlider):
    """Horizontal slider in milliseconds; the requested window (if any) is drawn behind it."""

    def __init__(self, parent=None) -> None:
        super().__init__(Qt.Orientation.Horizontal, parent)
        self.setRange(0, 0)
        self.setMinimumHeight(28)
        self.window_ms: tuple[int, int] | None = None

    def set_window(self, start_ms: int | None, end_ms: int | None) -> None:
        """Shade ``start_ms``..``end_ms`` of the clip (clamped); ``None`` clears it."""
        self.window_ms = None if start_ms is None or end_ms is None else (start_ms, end_ms)
        self.update()

    def _x(self, ms: int, groove: QRect) -> int:
        span = max(1, self.maximum() - self.minimum())
        ms = min(max(ms, self.minimum()), self.maximum())
        return groove.left() + round((ms - self.minimum()) * groove.width() / span)

    def paintEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        super().paintEvent(event)  # groove and handle first; the window is tinted over them
        if self.window_ms is not None and self.maximum() > 0:
            opt = QStyleOptionSlider()
            self.initStyleOption(opt)
            groove = self.style().subControlRect(QStyle.ComplexControl.CC_Slider, opt,
                                                 QStyle.SubControl.SC_SliderGroove, self)
            left, right = (self._x(ms, groove) for ms in self.window_ms)
            if right > left:
                painter = QPainter(self)
                band = QRect(left, groove.center().y() - 6, right - left, 13)
                painter.fillRect(band, QColor(255, 170, 0, 90))
                painter.end()

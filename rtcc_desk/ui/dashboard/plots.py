"""The dashboard's three pyqtgraph plots: requests per day, response rate per day, median times."""

from __future__ import annotations

import math
from datetime import date

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QFont, QPalette
from PySide6.QtWidgets import QWidget

import pyqtgraph as pg  # after PySide6: pyqtgraph uses the Qt binding already imported

from rtcc_desk.core.dashboard import DashboardFigures, MedianTime, format_duration

SENT = "#3d8bfd"
ANSWERED = "#57ab5a"
RATE = "#f0ad4e"
MEDIANS = ("#a371f7", "#3d8bfd", "#57ab5a")
MAX_DAY_LABELS = 16  # beyond this, label every n-th day so the labels do not overlap


def _colours(widget: QWidget) -> tuple[QColor, QColor]:
    palette = widget.palette()
    return palette.color(QPalette.ColorRole.Base), palette.color(QPalette.ColorRole.Text)


def make_plot(title: str, parent: QWidget) -> pg.PlotWidget:
    """A plot drawn in the pane's palette, so it reads on the dark theme and the light one."""
    background, text = _colours(parent)
    plot = pg.PlotWidget(parent=parent, background=background)
    item = plot.getPlotItem()
    item.setTitle(title, color=text.name(), size="11pt")
    item.setMenuEnabled(False)
    item.hideButtons()
    plot.setMouseEnabled(x=False, y=False)
    grid = QColor(text)
    grid.setAlpha(60)
    for name in ("left", "bottom"):
        axis = item.getAxis(name)
        axis.setPen(pg.mkPen(grid))
        axis.setTextPen(pg.mkPen(text))
    item.showGrid(x=False, y=True, alpha=0.15)
    return plot


def day_ticks(days: list[date], most: int = MAX_DAY_LABELS) -> list[tuple[float, str]]:
    step = max(1, math.ceil(len(days) / most))
    return [(float(i), day.strftime("%b %d")) for i, day in enumerate(days) if i % step == 0]


def count_step(top: int) -> int:
    """A whole-number tick step giving at most about ten ticks up to ``top``."""
    for step in (1, 2, 5, 10, 20, 50, 100, 200, 500):
        if top <= step * 10:
            return step
    return 1000


def draw_requests_per_day(plot: pg.PlotWidget, figures: DashboardFigures) -> None:
    """Sent as wide bars, answered as narrower bars inside them."""
    item = plot.getPlotItem()
    item.clear()
    days = [d.day for d in figures.per_day]
    xs = list(range(len(days)))
    item.addItem(pg.BarGraphItem(x=xs, height=[d.sent for d in figures.per_day], width=0.7,
                                 brush=SENT, pen=pg.mkPen(None), name="sent"))
    item.addItem(pg.BarGraphItem(x=xs, height=[d.answered for d in figures.per_day], width=0.35,
                                 brush=ANSWERED, pen=pg.mkPen(None), name="answered"))
    item.getAxis("bottom").setTicks([day_ticks(days)])
    top = max((d.sent for d in figures.per_day), default=0)
    item.setXRange(-0.6, max(len(days) - 0.4, 0.6), padding=0)
    item.setYRange(0, max(top, 4) * 1.15, padding=0)
    item.getAxis("left").setTickSpacing(count_step(top), count_step(top))  # whole requests
    item.setLabel("left", "requests")


def draw_response_rate(plot: pg.PlotWidget, figures: DashboardFigures) -> None:
    """Per-day rate (days without requests left as gaps) and the period's rate as a dashed line."""
    item = plot.getPlotItem()
    item.clear()
    days = [d.day for d in figures.per_day]
    rates = [math.nan if d.response_rate is None else d.response_rate * 100
             for d in figures.per_day]
    known = [(x, rate) for x, rate in enumerate(rates) if not math.isnan(rate)]
    if known:
        item.addItem(pg.PlotDataItem(list(range(len(days))), rates, connect="finite",
                                     pen=pg.mkPen(RATE, width=2)))
        item.addItem(pg.ScatterPlotItem([x for x, _ in known], [r for _, r in known], size=7,
                                        brush=RATE, pen=pg.mkPen(None)))
    if figures.response_rate is not None:
        dashed = pg.mkPen(RATE, width=1, style=Qt.PenStyle.DashLine)
        item.addItem(pg.InfiniteLine(pos=figures.response_rate * 100, angle=0, pen=dashed))
    item.getAxis("bottom").setTicks([day_ticks(days)])
    item.setXRange(-0.6, max(len(days) - 0.4, 0.6), padding=0)
    item.setYRange(-4, 106, padding=0)
    item.setLabel("left", "% answered")


def draw_median_times(plot: pg.PlotWidget, figures: DashboardFigures) -> None:
    """Three horizontal bars in one unit (minutes, or hours when any is over two hours),
    each labelled with its readable duration; a figure with no data says so."""
    item = plot.getPlotItem()
    item.clear()
    rows: list[tuple[str, MedianTime]] = [
        ("call → request", figures.call_to_request),
        ("request → upload", figures.request_to_upload),
        ("share → view", figures.share_to_view),
    ]
    minutes = [m.median.total_seconds() / 60 if m.median is not None else None for _, m in rows]
    longest = max((m for m in minutes if m is not None), default=0.0)
    in_hours = longest > 120
    scale = 60.0 if in_hours else 1.0
    widths = [(m or 0.0) / scale for m in minutes]
    span = max(max(widths), 1e-9)
    ys = list(range(len(rows)))[::-1]  # first row at the top
    item.addItem(pg.BarGraphItem(x0=[0] * len(rows), y=ys, width=widths, height=0.55,
                                 brushes=list(MEDIANS), pen=pg.mkPen(None)))
    _, text = _colours(plot)
    font = QFont()
    font.setPointSize(10)
    for y, width, (_, median) in zip(ys, widths, rows, strict=True):
        label = pg.TextItem(format_duration(median.median) if median.median is not None
                            else "no data", color=text, anchor=(0, 0.5))
        label.setFont(font)
        label.setPos(width + span * 0.02, y)
        item.addItem(label)
    names = [(float(y), name) for y, (name, _) in zip(ys, rows, strict=True)]
    item.getAxis("left").setTicks([names])
    item.getAxis("left").setWidth(120)
    item.setYRange(-0.6, len(rows) - 0.4, padding=0)
    item.setXRange(0, span * 1.35 if longest else 1.0, padding=0)
    bottom = item.getAxis("bottom")
    if longest:
        bottom.setTicks(None)  # automatic
        item.setLabel("bottom", "hours" if in_hours else "minutes")
    else:  # nothing measured: no scale to read
        bottom.setTicks([[]])
        item.setLabel("bottom", "")

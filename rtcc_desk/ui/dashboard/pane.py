"""The TIME-TO-FOOTAGE DASHBOARD pane: the council figures as plots and a table, refreshed in
the background from a loader the composition root provides."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, tzinfo

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFont, QFontMetrics
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from rtcc_desk.core.dashboard import (
    DashboardFigures,
    DashboardRecords,
    Period,
    compute_figures,
    figure_rows,
)
from rtcc_desk.ui.background import run_in_background
from rtcc_desk.ui.dashboard.plots import (
    ANSWERED,
    SENT,
    draw_median_times,
    draw_requests_per_day,
    draw_response_rate,
    make_plot,
)

PERIODS = (7, 14, 30, 90)  # days offered in the period picker
DEFAULT_DAYS = 14
Loader = Callable[[], DashboardRecords]


def _utc_now() -> datetime:
    return datetime.now(UTC)


class DashboardPane(QWidget):
    """Shows ``set_records``' data for the chosen period; Refresh calls ``loader`` off the GUI
    thread (``run_in_background``) and shows its records, or its error, when it returns."""

    refreshed = Signal()  #: new records are shown
    refresh_failed = Signal(str)  #: the loader failed; the previous figures stay

    def __init__(self, loader: Loader | None = None, *, zone: tzinfo = UTC,
                 now_fn: Callable[[], datetime] = _utc_now, days: int = DEFAULT_DAYS,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.loader, self.zone, self.now_fn = loader, zone, now_fn
        self.records = DashboardRecords()
        self.figures: DashboardFigures | None = None
        self.loading = False

        self.period_box = QComboBox(self)
        for count in PERIODS:
            self.period_box.addItem(f"Last {count} days", count)
        self.period_box.setCurrentIndex(max(0, self.period_box.findData(days)))
        self.period_box.currentIndexChanged.connect(lambda _: self._show())
        self.refresh_button = QPushButton("Refresh", self)
        self.refresh_button.clicked.connect(self.refresh)
        self.refresh_button.setEnabled(loader is not None)
        self.status = QLabel("No data loaded yet.", self)

        self.per_day_plot = make_plot("Requests sent per day", self)
        self.rate_plot = make_plot("Owner response rate", self)
        self.median_plot = make_plot("Median times", self)
        self.table = self._make_table()
        self.notes = QLabel(self)
        self.notes.setWordWrap(True)
        self.notes.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self._lay_out()
        self._show()

    # ----- public -------------------------------------------------------------------------

    def set_records(self, records: DashboardRecords) -> None:
        """Show these records (from the loader, a test or a saved report)."""
        self.records = records
        self._show()
        self.refreshed.emit()

    def set_period_days(self, days: int) -> None:
        index = self.period_box.findData(days)
        if index < 0:
            raise ValueError(f"the period picker offers {PERIODS} days, not {days}")
        self.period_box.setCurrentIndex(index)

    @property
    def period(self) -> Period:
        return Period.last_days(int(self.period_box.currentData()), self.now_fn(), self.zone)

    def refresh(self) -> None:
        """Load fresh records in the background; one load at a time."""
        if self.loader is None or self.loading:
            return
        self.loading = True
        self.refresh_button.setEnabled(False)
        self._set_status("Loading…")
        run_in_background(self.loader, self._loaded, self._failed)

    def figure_texts(self) -> list[tuple[str, str, str]]:
        """What the table shows, row by row (figure, value, how counted)."""
        return [tuple(self.table.item(r, c).text() for c in range(3))
                for r in range(self.table.rowCount())]

    # ----- inside -------------------------------------------------------------------------

    def _loaded(self, records: DashboardRecords) -> None:
        self.loading = False
        self.refresh_button.setEnabled(True)
        self._set_status("")
        self.set_records(records)

    def _failed(self, exc: Exception) -> None:
        self.loading = False
        self.refresh_button.setEnabled(True)
        kept = " Showing the last figures loaded." if self.records.loaded_at else ""
        self._set_status(f"Could not load the figures: {exc}.{kept}", error=True)
        self.refresh_failed.emit(str(exc))

    def _set_status(self, text: str, *, error: bool = False) -> None:
        self.status.setText(text)
        self.status.setProperty("role", "error" if error else "")
        self.status.style().unpolish(self.status)  # the theme styles QLabel[role="error"]
        self.status.style().polish(self.status)

    def _show(self) -> None:
        self.figures = figures = compute_figures(self.records, self.period)
        draw_requests_per_day(self.per_day_plot, figures)
        draw_response_rate(self.rate_plot, figures)
        draw_median_times(self.median_plot, figures)
        rows = figure_rows(figures)
        self.table.setRowCount(len(rows))
        for r, row in enumerate(rows):
            for c, text in enumerate(row):
                cell = QTableWidgetItem(text)
                if c == 1:
                    cell.setFont(self._value_font)
                    cell.setTextAlignment(Qt.AlignmentFlag.AlignRight
                                          | Qt.AlignmentFlag.AlignVCenter)
                self.table.setItem(r, c, cell)
        self._fit_table_height()
        self.notes.setText("\n".join(figures.notes))
        loaded = self.records.loaded_at
        if not self.loading and self.status.property("role") != "error":
            self.status.setText(f"Loaded {loaded.astimezone(self.zone):%b %d %H:%M}" if loaded
                                else "" if self.records.requests else "No data loaded yet.")

    def _fit_table_height(self) -> None:
        """As tall as its rows: the notes sit right under the figures, not at the bottom."""
        rows = sum(self.table.rowHeight(r) for r in range(self.table.rowCount()))
        frame = 2 * self.table.frameWidth()
        self.table.setFixedHeight(self.table.horizontalHeader().height() + rows + frame)

    def _make_table(self) -> QTableWidget:
        table = QTableWidget(0, 3, self)
        table.setHorizontalHeaderLabels(["Figure", "Value", "How it was counted"])
        table.verticalHeader().hide()
        table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        table.setWordWrap(False)
        rows = table.verticalHeader()
        rows.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        header = table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self._value_font = QFont(table.font())
        self._value_font.setPointSizeF(table.font().pointSizeF() * 1.25)
        self._value_font.setBold(True)
        rows.setDefaultSectionSize(QFontMetrics(self._value_font).height() + 14)
        return table

    def _lay_out(self) -> None:
        title = QLabel("Time to footage", self)
        font = QFont(title.font())
        font.setPointSizeF(font.pointSizeF() * 1.3)
        font.setBold(True)
        title.setFont(font)
        legend = QLabel(f'<span style="color:{SENT}">■</span> sent &nbsp; '
                        f'<span style="color:{ANSWERED}">■</span> answered', self)
        bar = QHBoxLayout()
        bar.addWidget(title)
        bar.addSpacing(16)
        bar.addWidget(self.period_box)
        bar.addWidget(legend)
        bar.addStretch(1)
        bar.addWidget(self.status)
        bar.addWidget(self.refresh_button)

        plots = QVBoxLayout()
        plots.addWidget(self.per_day_plot, 1)
        plots.addWidget(self.rate_plot, 1)
        side = QVBoxLayout()
        side.addWidget(self.table)
        side.addWidget(self.notes)
        side.addWidget(self.median_plot, 1)
        body = QHBoxLayout()
        body.addLayout(plots, 3)
        body.addLayout(side, 2)

        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addLayout(body, 1)

"""The feed-health log the analyst opens from the status bar: each source's state and every problem."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
)

from rtcc_desk.adapters.feeds.hub import FeedHub

COLUMNS = ("When (UTC)", "Source", "Where", "Reason", "Message (start)")


class FeedLogDialog(QDialog):
    def __init__(self, hub: FeedHub, parent=None) -> None:
        super().__init__(parent)
        self.hub = hub
        self.setWindowTitle("Feed health")
        self.resize(1100, 520)
        layout = QVBoxLayout(self)
        self.sources = QLabel()
        self.sources.setWordWrap(True)
        layout.addWidget(self.sources)
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.horizontalHeader().setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        self.table.verticalHeader().hide()
        layout.addWidget(self.table)
        refresh = QPushButton("Refresh")
        refresh.clicked.connect(self.refresh)
        layout.addWidget(refresh)

    def show_log(self) -> None:
        self.refresh()
        self.show()
        self.raise_()

    def refresh(self) -> None:
        lines = []
        for health in self.hub.health():
            last = health.last_message_at.strftime("%H:%M:%S") if health.last_message_at else "never"
            reason = f" — {health.reason}" if health.reason else ""
            lines.append(f"<b>{health.name}</b> ({health.kind}): {health.state}{reason}; "
                         f"{health.accepted:,} accepted, {health.rejected:,} rejected, last {last}")
        self.sources.setText("<br>".join(lines) or "No feed sources are configured.")
        problems = list(reversed(self.hub.health_log.problems()))  # newest first
        self.table.setRowCount(len(problems))
        for row, problem in enumerate(problems):
            cells = (problem.at.strftime("%Y-%m-%d %H:%M:%S"), problem.source, problem.where,
                     problem.reason, problem.raw[:200])
            for column, text in enumerate(cells):
                self.table.setItem(row, column, QTableWidgetItem(text))

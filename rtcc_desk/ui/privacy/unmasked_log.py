"""Who looked at which camera unmasked, why, and for how long: the oversight list."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from rtcc_desk.adapters.server_link.city_cameras_api import (
    UnmaskedView,
    city_camera_refusal_text,
    list_unmasked_views,
)
from rtcc_desk.adapters.server_link.client import ServerClient
from rtcc_desk.ui.background import run_in_background
from rtcc_desk.ui.theme import DANGER

COLUMNS = ("Started", "Ended", "Camera", "Viewer", "Reason")
HOW_IT_ENDED = {"ended": "", "time_limit": " (time limit)", "restarted": " (reopened)"}


def _local(moment) -> str:
    return f"{moment.astimezone():%Y-%m-%d %H:%M:%S}"


def ended_text(view: UnmaskedView) -> str:
    if view.ended_at is None:
        return f"open (ends by {view.ends_by.astimezone():%H:%M})"
    minutes = (view.ended_at - view.started_at).total_seconds() / 60
    how = HOW_IT_ENDED.get(view.end_reason or "", "")
    return f"{_local(view.ended_at)}, {minutes:.1f} min{how}"


class UnmaskedViewsDialog(QDialog):
    """Newest first, as the server keeps them (supervisors, admins and privacy reviewers)."""

    def __init__(self, client: ServerClient, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Unmasked views")
        self.client = client
        self.table = QTableWidget(0, len(COLUMNS), self)
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.status = QLabel("", self)
        reload = QPushButton("Reload", self)
        reload.clicked.connect(self.refresh)
        row = QHBoxLayout()
        row.addWidget(self.status, 1)
        row.addWidget(reload)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table, 1)
        layout.addLayout(row)
        self.resize(1000, 480)

    def refresh(self) -> None:
        self.status.setText("Loading…")
        client = self.client
        run_in_background(lambda: list_unmasked_views(client), self.show_views, self._failed)

    def show_views(self, views: list[UnmaskedView]) -> None:
        self.table.setRowCount(len(views))
        for row, view in enumerate(views):
            for column, text in enumerate((_local(view.started_at), ended_text(view),
                                           view.camera_id, view.username, view.justification)):
                item = QTableWidgetItem(text)
                item.setToolTip(text)
                self.table.setItem(row, column, item)
        self.status.setStyleSheet("")
        self.status.setText(f"{len(views)} unmasked views, "
                            f"{sum(v.ended_at is None for v in views)} open")

    def _failed(self, exc: Exception) -> None:
        self.status.setStyleSheet(f"color: {DANGER};")
        self.status.setText(city_camera_refusal_text(exc, "unmask"))

"""Requests → "Export case package…": a case's evidence into a .zip or folder, from the desk.

The same export as `rtcc export-package` (originals byte for byte, SHA-256 manifest, request
and upload metadata, audit records, summary), run off the GUI thread; the analyst is told
where it went and how to check it (`rtcc verify-package`). The export is audited.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from PySide6.QtGui import QAction
from PySide6.QtWidgets import QFileDialog, QInputDialog, QMessageBox

from rtcc_desk.adapters.evidence_package import export_case_package
from rtcc_desk.ui.background import run_in_background


class CasePackageMenu:
    """The menu action and its two questions (which case, where to)."""

    def __init__(self, requests, menu) -> None:
        self.requests = requests
        self.window = requests.window
        self.action = QAction("Export case package…", self.window)
        self.action.setToolTip("Write a case's footage, hashes, metadata and audit records to a .zip")
        self.action.triggered.connect(self.ask)
        menu.addAction(self.action)

    def ask(self) -> None:
        selected = self.requests.queue.get(self.requests.pane.selected_request_id())
        case, ok = QInputDialog.getText(self.window, "Export case package", "Case reference:",
                                        text=selected.case_ref if selected else "")
        if not ok or not case.strip():
            return
        name = f"{case.strip()}-{datetime.now(UTC):%Y%m%d-%H%M}.zip"
        target, _ = QFileDialog.getSaveFileName(self.window, "Save the evidence package",
                                                str(Path.home() / name), "Zip archive (*.zip)")
        if target:
            self.export(case.strip(), Path(target))

    def export(self, case_ref: str, target: Path) -> None:
        client = self.requests.client
        run_in_background(
            lambda: export_case_package(client, case_ref, target, now=datetime.now(UTC)),
            lambda done: self._done(done), self._failed)

    def _done(self, export) -> None:
        self.requests.desk.audit("package.export", export.audit_object, case_ref=export.case_ref,
                                 justification=f"manifest sha256 {export.manifest_sha256}")
        QMessageBox.information(
            self.window, "Evidence package",
            f"{export.describe()}.\n\nAnyone can re-check it offline with:\n"
            f"rtcc verify-package \"{export.path}\"")

    def _failed(self, exc: Exception) -> None:
        QMessageBox.warning(self.window, "Evidence package", f"The package was not written: {exc}")

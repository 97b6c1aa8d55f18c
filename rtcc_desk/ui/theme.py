"""The desk's dark theme: low glare for a dim video-wall room, high contrast for text and alerts."""

from __future__ import annotations

from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication

#: Shared accent colours (also used by panes for states); readable on the dark base.
ACCENT = "#3d8bfd"
WARNING = "#f0ad4e"
DANGER = "#e5534b"
OK = "#57ab5a"
MUTED = "#8b949e"

_ROLES = {
    QPalette.ColorRole.Window: "#1b1f24",
    QPalette.ColorRole.WindowText: "#d7dce2",
    QPalette.ColorRole.Base: "#13161a",
    QPalette.ColorRole.AlternateBase: "#1e2329",
    QPalette.ColorRole.ToolTipBase: "#2b3138",
    QPalette.ColorRole.ToolTipText: "#e6edf3",
    QPalette.ColorRole.PlaceholderText: MUTED,
    QPalette.ColorRole.Text: "#d7dce2",
    QPalette.ColorRole.Button: "#252b32",
    QPalette.ColorRole.ButtonText: "#d7dce2",
    QPalette.ColorRole.BrightText: "#ffffff",
    QPalette.ColorRole.Highlight: "#1f4f8f",
    QPalette.ColorRole.HighlightedText: "#ffffff",
    QPalette.ColorRole.Link: ACCENT,
}

_STYLE = f"""
QMainWindow::separator {{ background: #2b3138; width: 4px; height: 4px; }}
QDockWidget {{ titlebar-close-icon: none; }}
QDockWidget::title {{ background: #22282e; padding: 4px 8px; border-bottom: 1px solid #2f363d; }}
QStatusBar {{ background: #15191d; border-top: 1px solid #2f363d; }}
QStatusBar QLabel {{ padding: 0 8px; }}
QHeaderView::section {{ background: #22282e; color: #c9d1d9; border: 0; border-right: 1px solid #2f363d;
                        padding: 4px 6px; }}
QTableView {{ gridline-color: #262c33; selection-background-color: #1f4f8f; }}
QLineEdit, QComboBox, QSpinBox, QDoubleSpinBox {{ background: #13161a; border: 1px solid #3a424b;
                                                  border-radius: 3px; padding: 3px 6px; }}
QLineEdit:focus, QComboBox:focus {{ border-color: {ACCENT}; }}
QPushButton {{ background: #2a3139; border: 1px solid #3a424b; border-radius: 3px; padding: 4px 12px; }}
QPushButton:hover {{ background: #323a43; }}
QPushButton:default {{ border-color: {ACCENT}; }}
QLabel[role="error"] {{ color: {DANGER}; }}
QLabel[role="banner"] {{ background: #5a3d00; color: #ffe2a8; padding: 4px 8px; font-weight: bold; }}
"""


def apply_dark_theme(app: QApplication) -> None:
    """Fusion style with the dark palette; disabled text dimmed so greyed rows read as such."""
    app.setStyle("Fusion")
    palette = QPalette()
    for role, colour in _ROLES.items():
        palette.setColor(role, QColor(colour))
    for role in (QPalette.ColorRole.Text, QPalette.ColorRole.WindowText, QPalette.ColorRole.ButtonText):
        palette.setColor(QPalette.ColorGroup.Disabled, role, QColor("#6e7681"))
    app.setPalette(palette)
    app.setStyleSheet(_STYLE)

"""The call feed's filter row: search box, priority threshold, type/district/status menus."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLineEdit,
    QMenu,
    QPushButton,
    QToolButton,
    QWidget,
)

from rtcc_desk.core.call_filter import CallColumn, CallFilter

#: (label, lowest common priority shown); unknown priorities always stay visible.
PRIORITY_CHOICES = (
    ("All priorities", None),
    ("CRIT only (9–10)", 9),
    ("HIGH and up (7+)", 7),
    ("MED and up (4+)", 4),
)


class _StayOpenMenu(QMenu):
    """A checkable menu that stays open while the analyst ticks several entries."""

    def mouseReleaseEvent(self, event) -> None:
        action = self.activeAction()
        if action is not None and action.isCheckable() and action.isEnabled():
            action.trigger()
            return
        super().mouseReleaseEvent(event)


class _ChoiceButton(QPushButton):
    """"Type: all" — a menu of the values seen so far; nothing ticked means all."""

    changed = Signal()

    def __init__(self, title: str, values: Callable[[], list[str]], parent: QWidget) -> None:
        super().__init__(parent)
        self.title, self._values, self.chosen = title, values, frozenset()
        self.setMenu(_StayOpenMenu(self))
        self.menu().aboutToShow.connect(self._fill)
        self._label()

    def set_chosen(self, chosen: frozenset[str]) -> None:
        if chosen != self.chosen:
            self.chosen = frozenset(chosen)
            self._label()
            self.changed.emit()

    def _fill(self) -> None:
        menu = self.menu()
        menu.clear()
        every = menu.addAction(f"All ({self.title.lower()})")
        every.triggered.connect(lambda: self.set_chosen(frozenset()))
        menu.addSeparator()
        for value in sorted(set(self._values()) | self.chosen, key=str.casefold):
            action = QAction(value, menu, checkable=True, checked=value in self.chosen)
            action.toggled.connect(lambda on, v=value: self._toggle(v, on))
            menu.addAction(action)

    def _toggle(self, value: str, on: bool) -> None:
        self.set_chosen(self.chosen | {value} if on else self.chosen - {value})

    def _label(self) -> None:
        if not self.chosen:
            shown = "all"
        elif len(self.chosen) == 1:
            shown = next(iter(self.chosen))
        else:
            shown = f"{len(self.chosen)} chosen"
        self.setText(f"{self.title}: {shown}")
        self.setToolTip(", ".join(sorted(self.chosen)) or f"Every {self.title.lower()}")


class CallFilterBar(QWidget):
    """Emits ``filter_changed(CallFilter)`` whenever the search text or a filter changes."""

    filter_changed = Signal(object)

    def __init__(self, values: Callable[[CallColumn], list[str]], parent: QWidget | None = None):
        super().__init__(parent)
        self.search = QLineEdit(self)
        self.search.setPlaceholderText("Search id, address, type, narrative  (Ctrl+F)")
        self.search.setClearButtonEnabled(True)
        self.priority = QComboBox(self)
        for label, lowest in PRIORITY_CHOICES:
            self.priority.addItem(label, lowest)
        self.types = _ChoiceButton("Type", lambda: values(CallColumn.TYPE), self)
        self.districts = _ChoiceButton("District", lambda: values(CallColumn.DISTRICT), self)
        self.statuses = _ChoiceButton("Status", lambda: values(CallColumn.STATUS), self)
        self.reset = QToolButton(self, text="Clear filters")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.search, 3)
        for widget in (self.priority, self.types, self.districts, self.statuses, self.reset):
            layout.addWidget(widget)
        self.search.textChanged.connect(self._emit)
        self.priority.currentIndexChanged.connect(self._emit)
        for button in (self.types, self.districts, self.statuses):
            button.changed.connect(self._emit)
        self.reset.clicked.connect(self.clear)
        self.reset.setEnabled(False)

    def current(self) -> CallFilter:
        return CallFilter(
            min_priority=self.priority.currentData(),
            types=self.types.chosen,
            districts=self.districts.chosen,
            statuses=self.statuses.chosen,
            text=self.search.text().strip(),
        )

    def set_filter(self, call_filter: CallFilter) -> None:
        """Show ``call_filter`` in the widgets; one ``filter_changed`` at the end."""
        self.blockSignals(True)
        try:
            self.search.setText(call_filter.text)
            spot = self.priority.findData(call_filter.min_priority)
            if spot < 0:  # a threshold not in the list: add it rather than lose it
                self.priority.addItem(f"{call_filter.min_priority}+", call_filter.min_priority)
                spot = self.priority.count() - 1
            self.priority.setCurrentIndex(spot)
            self.types.set_chosen(call_filter.types)
            self.districts.set_chosen(call_filter.districts)
            self.statuses.set_chosen(call_filter.statuses)
        finally:
            self.blockSignals(False)
        self._emit()

    def clear(self) -> None:
        self.set_filter(CallFilter())

    def clear_search(self) -> None:
        self.search.clear()

    def _emit(self, *_: object) -> None:
        self.filter_changed.emit(self.current())
        self.reset.setEnabled(not self.current().is_empty)


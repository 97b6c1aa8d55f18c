"""The CALL FEED pane offscreen: merging, filters, search, sort, ticking age, flash, selection."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication

from rtcc_desk.adapters.demo import CadSimulator, load_builtin_vocabulary
from rtcc_desk.core.call_filter import CallColumn, CallFilter
from rtcc_desk.core.calls import Call, CallType, Priority
from rtcc_desk.core.geo import LatLon
from rtcc_desk.ui.calls import CallsPane
from rtcc_desk.ui.calls.chime import Chime, chime_wav
from rtcc_desk.ui.calls.model import COLUMNS, ChipRole

CHICAGO = ZoneInfo("America/Chicago")
T0 = datetime(2026, 3, 6, 18, 0, tzinfo=UTC)


class Clock:
    """An injected clock the test moves by hand (no sleeping)."""

    def __init__(self, now: datetime = T0) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


def make_call(call_id: str, *, minutes: float = 0, common: int | None = 4, text="THEFT",
              code="LARCENY", status="PENDING", district="1", address="100 MAIN ST", notes=""):
    at = T0 + timedelta(minutes=minutes)
    return Call(
        call_id=call_id, received_at=at, updated_at=at,
        call_type=CallType(local_text=text, common_code=code),
        priority=Priority(local_text="P3", common=common), status=status,
        district=district, address=address, notes=notes, location=LatLon(32.51, -93.75),
    )


def update(call: Call, minutes: float, **changes) -> Call:
    """A later CAD message about the same incident (only the fields it carries)."""
    at = call.received_at + timedelta(minutes=minutes)
    return Call(call_id=call.call_id, received_at=call.received_at, updated_at=at, **changes)


@pytest.fixture
def clock() -> Clock:
    return Clock(T0 + timedelta(minutes=30))


@pytest.fixture
def make_pane(qtbot, clock):
    def make(**options) -> CallsPane:
        options.setdefault("use_audio", False)
        pane = CallsPane(CHICAGO, now_fn=clock, **options)
        qtbot.addWidget(pane)
        pane.resize(1200, 600)
        pane.show()
        qtbot.waitExposed(pane)
        return pane

    return make


@pytest.fixture
def pane(make_pane) -> CallsPane:
    return make_pane()


def column(name: CallColumn) -> int:
    return COLUMNS.index(name)


def ids(pane: CallsPane) -> list[str]:
    model = pane.model
    return [model.call_at(row).call_id for row in range(model.rowCount())]


def text(pane: CallsPane, call_id: str, col: CallColumn, role=Qt.ItemDataRole.DisplayRole):
    return pane.model.index(pane.model.row_of(call_id), column(col)).data(role)


FEED = [
    make_call("C1", minutes=0, common=3, text="NOISE", code="NOISE", district="1"),
    make_call("C2", minutes=1, common=6, text="BURGLARY", code="BURGLARY", district="2",
              address="500 TEXAS ST", notes="rear window smashed"),
    make_call("C3", minutes=2, common=5, text="THEFT", district="2", status="CLEARED"),
    make_call("C4", minutes=3, common=None, text="UNKNOWN TROUBLE", code=None, district="3"),
    make_call("C5", minutes=4, common=7, text="ROBBERY", code="ROBBERY", district="1"),
]


def fed(pane: CallsPane) -> CallsPane:
    pane.add_many(FEED, alert=False)
    pane.flush()
    return pane


def test_calls_appear_newest_first_after_one_batched_insert(pane, qtbot):
    inserts = []
    pane.model.rowsInserted.connect(lambda _p, first, last: inserts.append((first, last)))
    pane.add_many(FEED)
    assert pane.model.rowCount() == 0 and pane.model.pending == 5  # queued until the tick
    qtbot.waitUntil(lambda: pane.model.rowCount() == 5, timeout=2000)  # the flush timer
    assert inserts == [(0, 4)]
    assert ids(pane) == ["C5", "C4", "C3", "C2", "C1"]
    assert text(pane, "C2", CallColumn.TYPE) == "BURGLARY"
    assert text(pane, "C5", CallColumn.TYPE) == "ROBBERY"
    assert text(pane, "C1", CallColumn.TYPE) == "NOISE"
    assert text(pane, "C2", CallColumn.ADDRESS) == "500 TEXAS ST"
    assert text(pane, "C2", CallColumn.RECEIVED) == "12:01:00"  # Chicago time
    assert text(pane, "C2", CallColumn.AGE) == "29m 00s"
    assert text(pane, "C5", CallColumn.PRIORITY) == "P3"  # beside the chip
    assert text(pane, "C5", CallColumn.PRIORITY, ChipRole) == "HIGH 7"
    assert text(pane, "C4", CallColumn.PRIORITY, ChipRole) == "?"
    spoken = Qt.ItemDataRole.AccessibleTextRole
    assert text(pane, "C5", CallColumn.PRIORITY, spoken) == "HIGH 7 · P3"
    chip = text(pane, "C5", CallColumn.PRIORITY, Qt.ItemDataRole.DecorationRole)
    assert chip.width() >= 60 and not chip.isNull()
    assert pane.count_label.text() == "5 calls"


def test_type_cell_shows_local_text_and_common_code(pane):
    pane.add_or_update(make_call("X", text="SHOTS FIRED", code="SHOOT"))
    pane.flush()
    assert text(pane, "X", CallColumn.TYPE) == "SHOTS FIRED  [SHOOT]"


def test_update_merges_into_its_row_without_reset(pane):
    fed(pane)
    resets, inserts = [], []
    pane.model.modelReset.connect(lambda: resets.append(1))
    pane.model.rowsInserted.connect(lambda *a: inserts.append(a))
    pane.add_or_update(update(FEED[1], 2, status="DISPATCHED"))
    pane.flush()
    assert pane.model.rowCount() == 5 and not resets and not inserts
    assert text(pane, "C2", CallColumn.STATUS) == "DISPATCHED"
    assert text(pane, "C2", CallColumn.ADDRESS) == "500 TEXAS ST"  # kept: the update had none
    assert len(pane.model.call("C2").history) == 1


def test_new_and_update_in_one_batch_make_one_row(pane):
    pane.add_or_update(FEED[0])
    pane.add_or_update(update(FEED[0], 1, status="ENROUTE"))
    pane.flush()
    assert ids(pane) == ["C1"]
    assert text(pane, "C1", CallColumn.STATUS) == "ENROUTE"


def test_filters_narrow_and_clear_back(pane):
    fed(pane)
    bar = pane.filter_bar
    bar.priority.setCurrentIndex(bar.priority.findData(7))
    assert ids(pane) == ["C5", "C4"]  # unknown priority stays visible
    assert pane.count_label.text() == "2 of 5 calls shown"
    bar.priority.setCurrentIndex(0)
    bar.districts.set_chosen(frozenset({"2"}))
    assert ids(pane) == ["C3", "C2"]
    bar.statuses.set_chosen(frozenset({"PENDING"}))
    assert ids(pane) == ["C2"]
    bar.districts.set_chosen(frozenset())
    bar.types.set_chosen(frozenset({"ROBBERY", "NOISE"}))
    assert ids(pane) == ["C5", "C1"]
    bar.reset.click()
    assert ids(pane) == ["C5", "C4", "C3", "C2", "C1"]
    assert pane.call_filter.is_empty


def test_filter_menus_list_the_values_seen(pane):
    fed(pane)
    assert pane.model.distinct(CallColumn.DISTRICT) == ["1", "2", "3"]
    assert pane.model.distinct(CallColumn.STATUS) == ["CLEARED", "PENDING"]
    menu = pane.filter_bar.districts.menu()
    menu.aboutToShow.emit()
    ticks = [a for a in menu.actions() if a.isCheckable()]
    assert [a.text() for a in ticks] == ["1", "2", "3"]
    ticks[2].trigger()
    assert ids(pane) == ["C4"]
    assert pane.filter_bar.districts.text() == "District: 3"


def test_new_calls_respect_the_active_filter(pane):
    fed(pane)
    pane.set_filter(CallFilter(districts=frozenset({"1"})))
    pane.add_or_update(make_call("C6", minutes=5, district="1"))
    pane.add_or_update(make_call("C7", minutes=6, district="3"))
    pane.add_or_update(update(FEED[2], 3, district="1", status="ENROUTE"))  # moves into view
    pane.flush()
    assert ids(pane) == ["C6", "C5", "C3", "C1"]
    pane.add_or_update(update(FEED[0], 5, district="2"))  # moves out of view
    pane.flush()
    assert ids(pane) == ["C6", "C5", "C3"]


def test_text_search_narrows_and_escape_clears(pane, qtbot):
    fed(pane)
    pane.activateWindow()
    qtbot.waitUntil(pane.isActiveWindow, timeout=2000)
    pane.table.setFocus()
    qtbot.keyClick(pane.table, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert pane.filter_bar.search.hasFocus()
    qtbot.keyClicks(pane.filter_bar.search, "smashed")  # narrative
    assert ids(pane) == ["C2"]
    pane.filter_bar.search.setText("texas st")
    assert ids(pane) == ["C2"]
    pane.filter_bar.search.setText("c4")  # call id
    assert ids(pane) == ["C4"]
    qtbot.keyClick(pane.filter_bar.search, Qt.Key.Key_Escape)
    assert pane.filter_bar.search.text() == ""
    assert len(ids(pane)) == 5
    assert pane.table.hasFocus()


def test_sort_by_priority_and_by_received(pane):
    fed(pane)
    pane.sort_by(CallColumn.PRIORITY, descending=True)
    assert ids(pane) == ["C5", "C2", "C3", "C1", "C4"]  # unknown priority sorts lowest
    pane.sort_by(CallColumn.PRIORITY)
    assert ids(pane) == ["C4", "C1", "C3", "C2", "C5"]
    pane.sort_by(CallColumn.RECEIVED)
    assert ids(pane) == ["C1", "C2", "C3", "C4", "C5"]
    pane.sort_by(CallColumn.RECEIVED, descending=True)
    pane.add_or_update(make_call("C6", minutes=9))
    pane.flush()
    assert ids(pane)[0] == "C6"  # new calls arrive on top


def test_header_click_sorts(pane, qtbot):
    fed(pane)
    header = pane.table.horizontalHeader()
    x = header.sectionViewportPosition(column(CallColumn.CALL_ID)) + 10
    qtbot.mouseClick(header.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(x, 5))
    order = ids(pane)
    assert order in (sorted(order), sorted(order, reverse=True))
    assert pane.model.sort_order()[0] is CallColumn.CALL_ID


def test_reclassified_call_moves_when_sorted_by_priority(pane):
    fed(pane)
    pane.sort_by(CallColumn.PRIORITY, descending=True)
    pane.add_or_update(update(FEED[0], 3, priority=Priority(local_text="P1", common=9)))
    pane.flush()
    assert ids(pane)[0] == "C1"


def test_age_ticks_with_the_clock_without_reset(pane, clock):
    fed(pane)
    changes, resets = [], []
    pane.model.dataChanged.connect(lambda tl, br, roles: changes.append((tl.column(), br.column())))
    pane.model.modelReset.connect(lambda: resets.append(1))
    assert text(pane, "C1", CallColumn.AGE) == "30m 00s"
    clock.advance(65)
    pane.tick()
    assert text(pane, "C1", CallColumn.AGE) == "31m 05s"
    assert text(pane, "C5", CallColumn.AGE) == "27m 05s"
    age = column(CallColumn.AGE)
    assert changes == [(age, age)] and not resets
    pane.tick()  # same second: nothing to repaint
    assert len(changes) == 1
    clock.advance(86_400)  # the next day: received times gain their date
    pane.tick()
    assert text(pane, "C1", CallColumn.RECEIVED) == "03-06 12:00:00"


def test_urgent_call_flashes_and_chimes(make_pane, clock):
    pane = make_pane(high_priority=8, flash_seconds=3)
    fed(pane)
    alerts = []
    pane.high_priority_call.connect(alerts.append)
    pane.select_call("C2")
    pane.add_or_update(make_call("HOT", minutes=8, common=9, text="SHOTS FIRED", code="SHOOT"))
    pane.flush()
    assert alerts == ["HOT"] and pane.chime_count == 1
    assert pane.model.is_flashing("HOT")
    row = pane.model.row_of("HOT")
    colours = set()
    for _ in range(4):
        colours.add(pane.model.index(row, 2).data(Qt.ItemDataRole.BackgroundRole) is not None)
        clock.advance(0.5)
        pane.tick()
    assert colours == {True, False}  # it blinks
    assert pane.selected_call_id() == "C2"  # flashing does not steal the selection
    clock.advance(3)
    pane.tick()
    assert not pane.model.is_flashing("HOT")
    assert pane.model.index(row, 2).data(Qt.ItemDataRole.BackgroundRole) is None


def test_updates_of_an_urgent_call_do_not_chime_again(pane):
    hot = make_call("HOT", common=9)
    pane.add_or_update(hot)
    pane.add_or_update(update(hot, 1, status="DISPATCHED"))
    pane.flush()
    pane.add_or_update(update(hot, 2, status="ENROUTE"))
    pane.flush()
    assert pane.chime_count == 1


def test_muted_flashes_but_does_not_chime(pane):
    played = []
    pane.chime.played.connect(lambda: played.append(1))
    pane.mute_button.click()
    assert pane.muted and pane.mute_button.text() == "Chime: muted"
    pane.add_or_update(make_call("HOT", common=10))
    pane.flush()
    assert pane.chime_count == 0 and not played
    assert pane.model.is_flashing("HOT")
    pane.set_muted(False)
    pane.add_or_update(make_call("HOT2", common=9))
    pane.flush()
    assert pane.chime_count == 1 and played == [1]


def test_chime_is_a_short_wav_played_through_qsoundeffect_when_audio_exists(qtbot):
    data = chime_wav()
    assert data[:4] == b"RIFF" and data[8:12] == b"WAVE" and 5_000 < len(data) < 50_000
    chime = Chime(use_audio=True)  # no sound card here: QSoundEffect still loads the file
    qtbot.waitUntil(lambda: chime.uses_audio, timeout=5000)
    assert chime.ring() and chime.count == 1
    chime.muted = True
    assert not chime.ring() and chime.count == 1


def test_backlog_without_alert_is_quiet(pane):
    pane.add_many([make_call(f"B{n}", common=10) for n in range(5)], alert=False)
    pane.flush()
    assert pane.chime_count == 0 and not pane.model.is_flashing("B0")


def test_selection_survives_inserts_updates_and_filters(pane, qtbot):
    fed(pane)
    selected = []
    pane.call_selected.connect(selected.append)
    assert pane.select_call("C3")
    assert selected == ["C3"]
    pane.add_many([make_call(f"N{n}", minutes=10 + n) for n in range(10)])
    pane.flush()
    assert pane.selected_call_id() == "C3"
    rows = pane.table.selectionModel().selectedRows()
    assert [r.row() for r in rows] == [pane.model.row_of("C3")] == [12]
    pane.add_or_update(update(FEED[2], 5, status="REOPENED"))
    pane.sort_by(CallColumn.PRIORITY, descending=True)
    pane.add_or_update(update(FEED[2], 6, priority=Priority(common=10)))
    pane.flush()
    assert pane.selected_call_id() == "C3"
    assert pane.table.selectionModel().selectedRows()[0].row() == pane.model.row_of("C3") == 0
    pane.set_filter(CallFilter(text="burglary"))
    assert selected == ["C3", ""]  # filtered away: the selection is cleared, and said so
    pane.set_filter(CallFilter())
    assert selected == ["C3", ""]


def test_click_and_arrow_keys_select_and_signal_ids(pane, qtbot):
    fed(pane)
    selected = []
    pane.call_selected.connect(selected.append)
    rect = pane.table.visualRect(pane.model.index(1, 2))
    qtbot.mouseClick(pane.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert selected == ["C4"]
    qtbot.keyClick(pane.table, Qt.Key.Key_Down)
    qtbot.keyClick(pane.table, Qt.Key.Key_Down)
    qtbot.keyClick(pane.table, Qt.Key.Key_Up)
    assert selected == ["C4", "C3", "C2", "C3"]
    assert pane.selected_call_id() == "C3"


def test_select_unknown_call_is_refused(pane):
    fed(pane)
    assert not pane.select_call("NOPE")


# ----- screenshot ------------------------------------------------------------------------------

def dark_palette() -> QPalette:
    """A dim-room palette like the desk's theme, to check the pane reads on dark."""
    palette = QPalette()
    roles = {
        QPalette.ColorRole.Window: "#1e2126", QPalette.ColorRole.WindowText: "#d8dce2",
        QPalette.ColorRole.Base: "#16181c", QPalette.ColorRole.AlternateBase: "#1d2025",
        QPalette.ColorRole.Text: "#d8dce2", QPalette.ColorRole.Button: "#262a30",
        QPalette.ColorRole.ButtonText: "#d8dce2", QPalette.ColorRole.Highlight: "#2d5f96",
        QPalette.ColorRole.HighlightedText: "#ffffff", QPalette.ColorRole.ToolTipBase: "#262a30",
        QPalette.ColorRole.ToolTipText: "#d8dce2", QPalette.ColorRole.PlaceholderText: "#7c838c",
    }
    for role, colour in roles.items():
        palette.setColor(role, QColor(colour))
    palette.setColor(QPalette.ColorGroup.Disabled, QPalette.ColorRole.Text, QColor("#6b7079"))
    return palette


@pytest.fixture
def dark_theme(qapp):
    style, palette = qapp.style().name(), qapp.palette()
    qapp.setStyle("Fusion")
    qapp.setPalette(dark_palette())
    yield
    qapp.setStyle(style)
    qapp.setPalette(palette)


def assert_not_blank(image) -> None:
    colours = {
        image.pixel(x, y) for x in range(0, image.width(), 13) for y in range(0, image.height(), 11)
    }
    assert image.width() == 1920 and image.height() == 1080
    assert len(colours) > 20, "the screenshot looks blank"


def demo_feed(messages: int = 400) -> tuple[list[Call], datetime]:
    simulator = CadSimulator(seed=5, vocabulary=load_builtin_vocabulary(), rate_per_hour=300)
    return simulator.take(messages), simulator.clock


@pytest.mark.parametrize("theme", ["dark", "light"])
def test_screenshot_with_demo_feed(request, qtbot, screenshot_dir, theme):
    if theme == "dark":
        request.getfixturevalue("dark_theme")
    messages, end = demo_feed()
    clock = Clock(end + timedelta(seconds=20))
    pane = CallsPane(CHICAGO, now_fn=clock, use_audio=False, high_priority=7)
    qtbot.addWidget(pane)
    pane.resize(1920, 1080)
    pane.show()
    qtbot.waitExposed(pane)
    pane.add_many(messages[:-30], alert=False)
    pane.add_many(messages[-30:])
    shots = dataclasses.replace(
        messages[-1], call_id="SPT-2026-009999", received_at=end, updated_at=end,
        call_type=CallType(local_text="SHOTS FIRED", common_code="SHOOT"),
        priority=Priority(local_text="P1", common=9), status="PENDING", notes="", history=(),
    )
    pane.add_or_update(shots)  # flashes: caught in its bright phase
    pane.flush()
    pane.select_call(pane.model.call_at(4).call_id)
    QApplication.processEvents()
    image = pane.grab().toImage()
    image.save(str(screenshot_dir / f"calls_pane_{theme}.png"))
    assert_not_blank(image)
    assert pane.model.total == len({m.call_id for m in messages}) + 1
    assert pane.model.is_flashing(shots.call_id)


def test_flash_colour_is_not_the_selection_colour(pane):
    fed(pane)
    pane.add_or_update(dataclasses.replace(FEED[0], call_id="HOT", priority=Priority(common=10)))
    pane.flush()
    brush = pane.model.index(pane.model.row_of("HOT"), 1).data(Qt.ItemDataRole.BackgroundRole)
    assert brush.color().alpha() < 255  # translucent: the text stays readable on any palette

"""The CANDIDATES pane offscreen: rows, live countdowns, expired last, radius, selection, ids."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication, QPalette
from PySide6.QtWidgets import QApplication

from rtcc_desk.adapters.demo import CadSimulator, generate_demo_cameras, load_builtin_vocabulary
from rtcc_desk.core.camera_index import CameraIndex
from rtcc_desk.core.cameras import (
    EdgeChannel,
    PoleCamera,
    PrivacyReview,
    RecorderType,
    RegisteredCamera,
    View,
)
from rtcc_desk.core.correlation import CorrelationResult, CorrelationStatus, make_candidate
from rtcc_desk.core.geo import LatLon
from rtcc_desk.core.jurisdiction import SHREVEPORT
from rtcc_desk.ui.candidates import CandidatesPane
from rtcc_desk.ui.candidates.cells import CandidateColumn
from rtcc_desk.ui.candidates.model import COLUMNS
from tests.ui.test_calls_pane import Clock, assert_not_blank, dark_theme  # noqa: F401

INCIDENT = datetime(2026, 3, 6, 18, 0, tzinfo=UTC)
SPOT = LatLon(32.5120, -93.7500)


def pole(camera_id: str, name: str) -> PoleCamera:
    return PoleCamera(
        camera_id=camera_id, name=name, location=SPOT, view=View(90.0, 60.0, 150.0),
        retention_days=30, pole_id="P1", position_on_pole=1,
        privacy_review=PrivacyReview.APPROVED,
    )


def registered(camera_id, name, days, *, business=True, bearing=45.0,
               recorder=RecorderType.DVR_NVR) -> RegisteredCamera:
    view = View(bearing, 90.0 if bearing is not None else 360.0, 60.0)
    return RegisteredCamera(
        camera_id=camera_id, name=name, location=SPOT, view=view, retention_days=days,
        owner_ref="o1", is_business=business, recorder_type=recorder,
    )


CAMERAS = {
    c.camera_id: c
    for c in (
        pole("city-1", "400 block Milam St – looking E"),
        registered("biz-7d", "Gas station – Entrance", 7),  # expired 8 days after the incident
        registered("biz-9d", "Pharmacy – Parking lot", 9),  # 1 day left, then urgent
        registered("home-x", "Front door", None, business=False, bearing=None,
                   recorder=RecorderType.DOORBELL_CLOUD),
        EdgeChannel(camera_id="edge-1", name="Liquor store – ch 1", location=SPOT,
                    view=View(10.0, 90.0, 40.0), retention_days=30, edge_device_id="e1", channel=1),
    )
}
DISTANCES = {"city-1": 120.0, "biz-7d": 15.0, "biz-9d": 40.0, "home-x": 22.0, "edge-1": 60.0}


def result(call_id="C1", now=INCIDENT + timedelta(days=8), radius=150.0, ids=None):
    chosen = ids if ids is not None else list(CAMERAS)
    found = [make_candidate(CAMERAS[i], DISTANCES[i], INCIDENT, now) for i in chosen]
    found.sort(key=lambda c: c.sort_key())
    return CorrelationResult(call_id, CorrelationStatus.OK, radius, tuple(found))


@pytest.fixture
def clock() -> Clock:
    return Clock(INCIDENT + timedelta(days=8, hours=1))


@pytest.fixture
def pane(qtbot, clock) -> CandidatesPane:
    pane = CandidatesPane(now_fn=clock)
    qtbot.addWidget(pane)
    pane.resize(1200, 500)
    pane.show()
    qtbot.waitExposed(pane)
    return pane


def shown(pane: CandidatesPane, column: CandidateColumn = CandidateColumn.NAME) -> list[str]:
    model, col = pane.model, COLUMNS.index(column)
    return [model.index(r, col).data() for r in range(model.rowCount())]


def ids(pane: CandidatesPane) -> list[str]:
    return [pane.model.row_at(r).camera_id for r in range(pane.model.rowCount())]


def cell(pane, camera_id: str, column: CandidateColumn, role=Qt.ItemDataRole.DisplayRole):
    return pane.model.index(pane.model.row_of(camera_id), COLUMNS.index(column)).data(role)


def test_candidates_show_with_distance_view_retention_countdown_and_access(pane, clock):
    pane.show_result(result(), CAMERAS.get, INCIDENT, clock, subject="C1 · 500 MILAM ST")
    assert pane.stack.currentWidget() is pane.table
    # the correlation's ranking (sees before direction unknown, then nearest), expired last
    assert ids(pane) == ["biz-9d", "edge-1", "city-1", "home-x", "biz-7d"]
    assert cell(pane, "city-1", CandidateColumn.KIND) == "City pole"
    assert cell(pane, "edge-1", CandidateColumn.KIND) == "Edge"
    assert cell(pane, "biz-9d", CandidateColumn.DISTANCE) == "40 m"
    assert cell(pane, "biz-9d", CandidateColumn.VIEW) == "sees location"
    assert cell(pane, "home-x", CandidateColumn.VIEW) == "direction unknown"
    assert cell(pane, "biz-9d", CandidateColumn.RETENTION) == "9 days · DVR/NVR"
    assert cell(pane, "home-x", CandidateColumn.RETENTION) == "unknown · doorbell cloud"
    assert cell(pane, "city-1", CandidateColumn.COUNTDOWN) == "21d 23:00:00"
    assert cell(pane, "biz-9d", CandidateColumn.COUNTDOWN) == "23:00:00"
    assert cell(pane, "home-x", CandidateColumn.COUNTDOWN) == "retention unknown"
    assert cell(pane, "biz-7d", CandidateColumn.COUNTDOWN) == "overwritten 1d 01h ago"
    assert cell(pane, "city-1", CandidateColumn.OWNER) == "City"
    assert cell(pane, "home-x", CandidateColumn.OWNER) == "Resident"
    assert cell(pane, "city-1", CandidateColumn.ACCESS) == "Open now"
    assert cell(pane, "biz-9d", CandidateColumn.ACCESS) == "Request"
    assert "C1 · 500 MILAM ST" in pane.title.text()
    assert pane.summary.text() == "5 cameras within 150 m · 2 open now · 1 overwritten"


def test_expired_greyed_urgent_marked(pane, clock):
    pane.show_result(result(), CAMERAS.get, INCIDENT, clock)
    palette = QGuiApplication.palette()
    disabled = palette.color(QPalette.ColorGroup.Disabled, QPalette.ColorRole.Text)
    for column in CandidateColumn:
        assert cell(pane, "biz-7d", column, Qt.ItemDataRole.ForegroundRole).color() == disabled
    assert cell(pane, "city-1", CandidateColumn.NAME, Qt.ItemDataRole.ForegroundRole) is None
    assert cell(pane, "biz-9d", CandidateColumn.COUNTDOWN, Qt.ItemDataRole.FontRole).bold()


def test_countdown_ticks_and_a_passing_deadline_sinks_keeping_selection(pane, clock):
    pane.show_result(result(), CAMERAS.get, INCIDENT, clock)
    changes = []
    pane.model.dataChanged.connect(lambda tl, br, roles: changes.append((tl.column(), br.column())))
    clock.advance(1)
    pane.tick()
    assert cell(pane, "biz-9d", CandidateColumn.COUNTDOWN) == "22:59:59"
    countdown = COLUMNS.index(CandidateColumn.COUNTDOWN)
    assert changes == [(countdown, countdown)]
    pane.select_camera("biz-9d")
    clock.advance(23 * 3600)  # its deadline passes
    pane.tick()
    assert ids(pane)[-2:] == ["biz-7d", "biz-9d"] or ids(pane)[-2:] == ["biz-9d", "biz-7d"]
    assert pane.selected_camera_id() == "biz-9d"
    selected_row = pane.table.selectionModel().selectedRows()[0].row()
    assert selected_row == pane.model.row_of("biz-9d")


def test_header_sort_keeps_expired_last(pane, clock):
    pane.show_result(result(), CAMERAS.get, INCIDENT, clock)
    distance = COLUMNS.index(CandidateColumn.DISTANCE)
    pane.table.sortByColumn(distance, Qt.SortOrder.AscendingOrder)
    assert ids(pane) == ["home-x", "biz-9d", "edge-1", "city-1", "biz-7d"]
    pane.table.sortByColumn(distance, Qt.SortOrder.DescendingOrder)
    assert ids(pane) == ["city-1", "edge-1", "biz-9d", "home-x", "biz-7d"]


def test_radius_change_emits_but_a_new_result_does_not(pane, qtbot, clock):
    radii = []
    pane.radius_changed.connect(radii.append)
    pane.show_result(result(radius=250.0), CAMERAS.get, INCIDENT, clock)
    assert pane.radius.value() == 250.0 and radii == []
    pane.radius.setValue(400)
    assert radii == [400.0]
    pane.radius.stepUp()
    assert radii == [400.0, 425.0]


def test_selection_and_activation_signal_camera_ids(pane, qtbot, clock):
    pane.show_result(result(), CAMERAS.get, INCIDENT, clock)
    selected, activated = [], []
    pane.candidate_selected.connect(selected.append)
    pane.candidate_activated.connect(activated.append)
    rect = pane.table.visualRect(pane.model.index(2, 1))
    qtbot.mouseClick(pane.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert selected == ["city-1"]
    qtbot.mouseDClick(pane.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert activated == ["city-1"]
    qtbot.keyClick(pane.table, Qt.Key.Key_Down)
    qtbot.keyClick(pane.table, Qt.Key.Key_Return)
    assert selected == ["city-1", "home-x"]
    assert activated == ["city-1", "home-x"]


def test_refresh_of_the_same_call_keeps_selection_another_call_clears_it(pane, clock):
    selected = []
    pane.candidate_selected.connect(selected.append)
    pane.show_result(result("C1"), CAMERAS.get, INCIDENT, clock)
    pane.select_camera("edge-1")
    pane.show_result(result("C1", radius=300.0), CAMERAS.get, INCIDENT, clock)
    assert pane.selected_camera_id() == "edge-1" and selected == ["edge-1"]
    pane.show_result(result("C1", ids=["city-1", "biz-9d"]), CAMERAS.get, INCIDENT, clock)
    assert pane.selected_camera_id() == "" and selected == ["edge-1", ""]
    pane.select_camera("city-1")
    pane.show_result(result("C2"), CAMERAS.get, INCIDENT, clock)
    assert pane.selected_camera_id() == "" and selected == ["edge-1", "", "city-1", ""]


def test_registry_record_wins_and_withdrawn_cameras_drop_out(pane, clock):
    longer = registered("biz-7d", "Gas station – Entrance", 60)  # the owner upgraded the plan
    registry = {**CAMERAS, "biz-7d": longer}
    del registry["home-x"]
    pane.show_result(result(), registry.get, INCIDENT, clock)
    assert "home-x" not in ids(pane)
    assert cell(pane, "biz-7d", CandidateColumn.RETENTION) == "60 days · DVR/NVR"
    assert cell(pane, "biz-7d", CandidateColumn.COUNTDOWN).startswith("51d ")


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        (CorrelationStatus.NO_USABLE_LOCATION, "C9 has no usable location yet"),
        (CorrelationStatus.OUTSIDE_JURISDICTION, "C9 lies outside the jurisdiction"),
        (CorrelationStatus.OK, "No camera within 175 m sees C9"),
    ],
)
def test_empty_state_says_why(pane, status, expected):
    pane.show_result(CorrelationResult("C9", status, 175.0))
    assert pane.stack.currentWidget() is pane.empty
    assert pane.empty.text().startswith(expected)
    pane.clear()
    assert "Select a call" in pane.empty.text()


def test_all_withdrawn_says_so(pane, clock):
    pane.show_result(result(ids=["city-1"]), lambda _id: None, INCIDENT, clock)
    assert "(1 withdrawn since the search)" in pane.empty.text()


@pytest.fixture(scope="module")
def demo_search():
    """The demo call with the most cameras around it, 14 days and 2 hours on.

    By then 7- and 14-day recorders have overwritten and 15-day ones are urgent.
    """
    index = CameraIndex(SHREVEPORT)
    index.load(generate_demo_cameras(seed=1, registered=20_000))
    calls = [c for c in CadSimulator(seed=4, vocabulary=load_builtin_vocabulary()).take(300)]
    clock = Clock(max(c.received_at for c in calls) + timedelta(days=14, hours=2))
    best = max(
        (c for c in calls if c.location is not None),
        key=lambda c: len(index.candidates_for_call(c, now=clock(), radius_m=300).candidates),
    )
    return index, best, clock, index.candidates_for_call(best, now=clock(), radius_m=300)


@pytest.mark.parametrize("theme", ["dark", "light"])
def test_screenshot_with_demo_cameras(request, qtbot, screenshot_dir, theme, demo_search):
    if theme == "dark":
        request.getfixturevalue("dark_theme")
    index, best, clock, found = demo_search
    pane = CandidatesPane(now_fn=clock)
    qtbot.addWidget(pane)
    pane.resize(1920, 1080)
    pane.show()
    qtbot.waitExposed(pane)
    pane.show_result(found, index.camera, best.received_at, clock,
                     subject=f"{best.call_id} · {best.address}")
    pane.select_camera(found.candidates[1].camera.camera_id)
    QApplication.processEvents()
    image = pane.grab().toImage()
    image.save(str(screenshot_dir / f"candidates_pane_{theme}.png"))
    assert_not_blank(image)
    assert pane.model.rowCount() == len(found.candidates) >= 5

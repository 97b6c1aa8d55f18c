"""Privacy at the desk against a real `rtcc-server serve` on loopback and real local camera
streams: a reviewer draws a mask on the live picture and approves (the server has the mask,
the state and the audit record), a rejection without a note is refused in the form, a
supervisor's unmasked view is recorded with its start and end, nobody else can start one, and
the admin's inventory form never shows a password and warns before a re-aim."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QLineEdit, QMainWindow
from sqlalchemy import select

from rtcc_desk.adapters.live import LiveStream, LiveTiming
from rtcc_desk.adapters.server_link.city_cameras_api import (
    city_camera_change,
    get_city_camera,
    list_unmasked_views,
    push_inventory,
    record_review,
)
from rtcc_desk.adapters.server_link.requests_api import EventStream
from rtcc_desk.core.cameras import PoleCamera, View
from rtcc_desk.core.geo import LatLon
from rtcc_desk.core.privacy_review import PrivacyReview
from rtcc_desk.ui.privacy.credentials import DOTS, address_to_save, shown_address
from rtcc_desk.ui.privacy.inventory_dialog import PoleInventoryDialog
from rtcc_desk.ui.privacy.review_dialog import PrivacyReviewDialog
from rtcc_desk.ui.privacy.unmask import BANNER, NOT_A_SUPERVISOR, UnmaskedViewer
from rtcc_desk.ui.privacy_wiring import add_privacy_menu
from rtcc_desk.ui.theme import apply_dark_theme
from server_stub.models.audit import AuditRecord
from tests.adapters.test_city_cameras_api import CityServer
from tests.adapters.test_live_video import tiles  # noqa: F401  (pytest fixture)
from tests.streams import module_streams, test_clip  # noqa: F401  (pytest fixtures)

WHY = "Armed robbery suspect fled into the yard of 1207 Texas St (call 24-118733)"
TOP_LEFT_QUARTER = ((0.0, 0.0), (0.5, 0.0), (0.5, 0.5), (0.0, 0.5))
WAIT_MS = 40_000  # a loaded 2-core machine: the first picture may take a while


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    with CityServer(tmp_path_factory.mktemp("privacy") / "server") as running:
        running.clients = {role: running.sign_in(name, role) for name, role in (
            ("alex", "admin"), ("pat", "privacy_reviewer"), ("sam", "supervisor"),
            ("dana", "analyst"))}
        yield running


@pytest.fixture
def dark(qapp):
    """The desk's own theme, so the screenshots look as the reviewer will see them."""
    apply_dark_theme(qapp)


@pytest.fixture(scope="module")
def cameras_on_air(module_streams):
    """One HTTP and one RTSP camera for the module (RTSP plays through the ffmpeg remux)."""
    return module_streams.start(["http", "rtsp"])


@pytest.fixture
def open_stream(tiles):
    """Unmasked streams (no mask, as the privacy windows open them) on the live-video tests'
    private pool; every player is released after the test."""

    def opener(camera: PoleCamera) -> LiveStream:
        return tiles(camera.camera_id, main_url=camera.main_stream_url,
                     sub_url=camera.sub_stream_url, timing=LiveTiming(connect_timeout_s=20.0))

    return opener


def pole(camera_id: str, url: str, *, bearing: float = 120.0,
         sub_url: str | None = None) -> PoleCamera:
    pole_id, position = camera_id.rsplit("-", 1)
    return PoleCamera(camera_id=camera_id, name=f"Texas St pole {pole_id[-3:]}",
                      location=LatLon(32.5093, -93.7478), view=View(bearing, 90.0, 150.0),
                      pole_id=pole_id, position_on_pole=int(position), main_stream_url=url,
                      sub_stream_url=url if sub_url is None else sub_url)


def audited(server, camera_id: str, action: str) -> list[AuditRecord]:
    with server.services.sessions() as session:
        return list(session.scalars(select(AuditRecord).where(
            AuditRecord.action == action, AuditRecord.object.startswith(f"city_camera:{camera_id}"))
            .order_by(AuditRecord.seq)))


def open_in_review(qtbot, server, open_stream, camera_id: str) -> PrivacyReviewDialog:
    dialog = PrivacyReviewDialog(server.clients["privacy_reviewer"], "pat", open_stream=open_stream)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.refresh()
    qtbot.waitUntil(lambda: camera_id in dialog.cameras.visible_ids(), timeout=WAIT_MS)
    assert dialog.cameras.select(camera_id)
    qtbot.waitUntil(lambda: dialog.approve_button.isEnabled(), timeout=WAIT_MS)
    return dialog


def click(qtbot, canvas, point, *, double: bool = False) -> None:
    at = canvas.to_widget(point).toPoint()
    (qtbot.mouseDClick if double else qtbot.mouseClick)(canvas, Qt.MouseButton.LeftButton, pos=at)


def test_a_reviewer_masks_a_window_on_the_live_picture_and_approves(
        qtbot, server, open_stream, cameras_on_air, screenshot_dir, dark):
    admin, analyst = server.clients["admin"], server.clients["analyst"]
    push_inventory(admin, [pole("SPT-P101-1", cameras_on_air[0].url)])
    dialog = open_in_review(qtbot, server, open_stream, "SPT-P101-1")
    assert dialog.review_state.text() == "Pending review — new camera"
    canvas = dialog.canvas
    qtbot.waitUntil(lambda: canvas.frame is not None, timeout=WAIT_MS)
    assert "Live, unmasked for review" in dialog.stream_state.text()

    # A mask over the upper left: three clicks, then a double-click on the fourth corner.
    window = [(0.08, 0.1), (0.42, 0.1), (0.42, 0.48), (0.08, 0.48)]
    for corner in window[:3]:
        click(qtbot, canvas, corner)
    click(qtbot, canvas, window[3], double=True)
    assert len(canvas.draft.polygons) == 1 and len(canvas.draft.polygons[0]) == 4
    # A second one, closed with Enter, then selected and deleted with the Delete key.
    for corner in [(0.7, 0.7), (0.9, 0.7), (0.8, 0.9)]:
        click(qtbot, canvas, corner)
    qtbot.keyClick(canvas, Qt.Key.Key_Return)
    assert len(canvas.draft.polygons) == 2 and dialog.mask_count.text() == "2 masks"
    click(qtbot, canvas, (0.8, 0.78))  # inside it: selects it
    qtbot.keyClick(canvas, Qt.Key.Key_Delete)
    assert len(canvas.draft.polygons) == 1 and dialog.mask_count.text() == "1 mask"
    # Drag the lower right corner of the window mask a little further out.
    start, end = canvas.to_widget(window[2]).toPoint(), canvas.to_widget((0.5, 0.55)).toPoint()
    qtbot.mousePress(canvas, Qt.MouseButton.LeftButton, pos=start)
    qtbot.mouseMove(canvas, pos=(start + end) / 2)
    qtbot.mouseMove(canvas, pos=end)
    qtbot.mouseRelease(canvas, Qt.MouseButton.LeftButton, pos=end)
    drawn = canvas.draft.masks()[0]
    assert drawn[2] == pytest.approx((0.5, 0.55), abs=0.01)
    assert drawn[0] == pytest.approx(window[0], abs=0.01)

    dialog.resize(1400, 860)
    qtbot.wait(300)  # a few more live pictures
    dialog.grab().save(str(screenshot_dir / "privacy-review-dialog.png"))
    dialog.preview.setChecked(True)
    qtbot.wait(150)
    dialog.grab().save(str(screenshot_dir / "privacy-review-preview.png"))
    shot = canvas.grab().toImage()
    inside = canvas.to_widget((0.25, 0.3)).toPoint()
    outside = [canvas.to_widget((x, y)).toPoint() for x in (0.6, 0.8) for y in (0.2, 0.7)]
    assert shot.pixelColor(inside).getRgb()[:3] == (0, 0, 0)  # the wall shows black there
    assert any(shot.pixelColor(p).getRgb()[:3] != (0, 0, 0) for p in outside)

    qtbot.keyClicks(dialog.note, "Upstairs window of 1207 Texas St masked")
    qtbot.mouseClick(dialog.approve_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.message.text().startswith("Approved with 1 mask"),
                    timeout=WAIT_MS)

    on_server = get_city_camera(analyst, "SPT-P101-1")
    assert on_server.camera.privacy_review is PrivacyReview.APPROVED and on_server.camera.in_service
    assert on_server.camera.privacy_masks == (drawn,)
    assert on_server.reviewed_by == "pat"
    assert dialog.review_state.text().startswith("Approved by pat")
    [record] = audited(server, "SPT-P101-1", "city_camera.review")
    assert (record.actor, record.outcome) == ("privacy_reviewer:pat", "success")
    assert record.justification == "approved with 1 mask: Upstairs window of 1207 Texas St masked"


def test_a_rejection_needs_a_note_and_a_re_aim_meanwhile_is_caught(
        qtbot, server, open_stream, cameras_on_air):
    admin, analyst = server.clients["admin"], server.clients["analyst"]
    camera = pole("SPT-P102-2", cameras_on_air[0].url)
    push_inventory(admin, [camera])
    dialog = open_in_review(qtbot, server, open_stream, "SPT-P102-2")

    qtbot.mouseClick(dialog.reject_button, Qt.MouseButton.LeftButton)
    assert dialog.message.text() == "Say why the camera is rejected: a rejection needs a note."
    qtbot.wait(500)
    assert get_city_camera(analyst, "SPT-P102-2").camera.privacy_review is PrivacyReview.PENDING
    assert audited(server, "SPT-P102-2", "city_camera.review") == []  # nothing was sent

    qtbot.keyClicks(dialog.note, "Sees straight into the back yards of Olive St; re-aim north")
    qtbot.mouseClick(dialog.reject_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.message.text().startswith("Rejected:"), timeout=WAIT_MS)
    rejected = get_city_camera(analyst, "SPT-P102-2")
    assert rejected.camera.privacy_review is PrivacyReview.REJECTED
    assert rejected.review_note == "Sees straight into the back yards of Olive St; re-aim north"

    # The installer re-aims it while the reviewer still has the old picture open.
    push_inventory(admin, [pole("SPT-P102-2", cameras_on_air[0].url, bearing=10.0)])
    qtbot.mouseClick(dialog.approve_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "changed since you opened it" in dialog.message.text(), timeout=WAIT_MS)
    assert "bearing 120° → 10°" in dialog.message.text()
    qtbot.waitUntil(lambda: dialog.current.camera.view.bearing == 10.0, timeout=WAIT_MS)
    assert dialog.review_state.text().startswith("Pending review — bearing 120° → 10°")
    qtbot.waitUntil(lambda: dialog.approve_button.isEnabled(), timeout=WAIT_MS)
    qtbot.mouseClick(dialog.approve_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.message.text().startswith("Approved with 0 masks"),
                    timeout=WAIT_MS)
    assert get_city_camera(analyst, "SPT-P102-2").camera.in_service


def approved_camera(server, camera: PoleCamera, masks=(TOP_LEFT_QUARTER,)) -> PoleCamera:
    push_inventory(server.clients["admin"], [camera])
    reviewer = server.clients["privacy_reviewer"]
    state = record_review(reviewer, camera.camera_id, approve=True, masks=list(masks),
                          seen_version=get_city_camera(reviewer, camera.camera_id).sync_version)
    return state.camera


def test_a_supervisors_unmasked_view_is_recorded_from_start_to_end(
        qtbot, server, open_stream, cameras_on_air, screenshot_dir, dark):
    supervisor = server.clients["supervisor"]
    camera = approved_camera(server, pole("SPT-P103-1", cameras_on_air[1].url))  # over RTSP
    viewer = UnmaskedViewer(supervisor, ("supervisor",), open_stream=open_stream)

    ask = viewer.ask(camera)  # deletes itself once answered
    qtbot.mouseClick(ask.ok, Qt.MouseButton.LeftButton)  # no reason given
    assert ask.error.text() == ("Viewing a camera unmasked needs a justification "
                                "(at least 10 characters).")
    assert ask.isVisible() and not viewer.windows
    qtbot.keyClicks(ask.reason, WHY)
    qtbot.mouseClick(ask.ok, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bool(viewer.windows), timeout=WAIT_MS)
    [(view_id, window)] = viewer.windows.items()  # the viewer closes it (and it deletes itself)
    assert window.banner.text() == BANNER == "UNMASKED — audited"
    [open_view] = list_unmasked_views(supervisor, open_only=True, camera_id="SPT-P103-1")
    assert (open_view.id, open_view.username, open_view.justification) == (view_id, "sam", WHY)

    qtbot.waitUntil(lambda: window.picture.frame is not None, timeout=WAIT_MS)
    image = window.picture.frame.image
    quarter = image[: image.shape[0] // 2, : image.shape[1] // 2, :3]
    assert len(np.unique(quarter.reshape(-1, 3), axis=0)) > 20  # the masked corner is visible
    window.resize(1000, 680)
    qtbot.wait(200)
    window.grab().save(str(screenshot_dir / "privacy-unmasked-view.png"))

    window.close()
    qtbot.waitUntil(lambda: list_unmasked_views(supervisor, camera_id="SPT-P103-1")[0].ended_at
                    is not None, timeout=WAIT_MS)
    [ended] = list_unmasked_views(supervisor, camera_id="SPT-P103-1")
    assert ended.end_reason == "ended" and ended.started_at <= ended.ended_at < ended.ends_by
    [start] = audited(server, "SPT-P103-1", "city_camera.unmasked_start")
    [end] = audited(server, "SPT-P103-1", "city_camera.unmasked_end")
    assert (start.actor, start.justification) == ("supervisor:sam", WHY)
    assert end.justification.startswith("ended by the viewer; viewer sam; started ")

    # A view still open when the desk closes is ended then, on the spot.
    viewer.start(camera, WHY)
    qtbot.waitUntil(lambda: bool(viewer.windows), timeout=WAIT_MS)
    assert viewer.end_all() == 1 and not viewer.windows
    assert list_unmasked_views(supervisor, open_only=True, camera_id="SPT-P103-1") == []
    assert len(audited(server, "SPT-P103-1", "city_camera.unmasked_end")) == 2


def test_the_walls_view_unmasked_ends_when_the_camera_is_re_aimed(
        qtbot, server, open_stream, cameras_on_air):
    supervisor = server.clients["supervisor"]
    camera = approved_camera(server, pole("SPT-P106-1", cameras_on_air[0].url))
    window = QMainWindow()
    qtbot.addWidget(window)
    privacy = add_privacy_menu(window, supervisor, SimpleNamespace(username="sam",
                                                                   roles=("supervisor",)),
                               open_stream=open_stream)
    events = EventStream(supervisor)
    list(events.read(until_idle=True))  # caught up, as the desk's event feed is

    privacy.view_unmasked(camera)  # what a wall tile's "View unmasked…" calls
    qtbot.waitUntil(lambda: privacy.viewer.asking is not None, timeout=WAIT_MS)
    qtbot.keyClicks(privacy.viewer.asking.reason, WHY)
    qtbot.mouseClick(privacy.viewer.asking.ok, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bool(privacy.viewer.windows), timeout=WAIT_MS)

    push_inventory(server.clients["admin"], [pole("SPT-P106-1", cameras_on_air[0].url,
                                                  bearing=300.0)])
    for change in filter(None, map(city_camera_change, events.read(until_idle=True))):
        privacy.on_city_camera_change(change)
    assert not privacy.viewer.windows
    assert privacy.viewer.notice.text() == ("Camera SPT-P106-1 left service (bearing 120° → "
                                            "300°); its unmasked view was ended.")
    privacy.viewer.notice.close()
    qtbot.waitUntil(lambda: list_unmasked_views(supervisor, camera_id="SPT-P106-1")[0].ended_at
                    is not None, timeout=WAIT_MS)


def test_no_one_but_a_supervisor_can_start_an_unmasked_view(qtbot, server, cameras_on_air):
    analyst, supervisor = server.clients["analyst"], server.clients["supervisor"]
    camera = approved_camera(server, pole("SPT-P104-1", cameras_on_air[0].url))

    viewer = UnmaskedViewer(analyst, ("analyst",))
    assert viewer.ask(camera) is None and viewer.last_refusal == NOT_A_SUPERVISOR
    viewer.notice.close()
    # A desk that wrongly believes its analyst is a supervisor: the server still says no.
    confused = UnmaskedViewer(analyst, ("supervisor",))
    confused.start(camera, WHY)
    qtbot.waitUntil(lambda: confused.last_refusal != "", timeout=WAIT_MS)
    assert confused.last_refusal == NOT_A_SUPERVISOR and not confused.windows
    confused.notice.close()
    assert list_unmasked_views(supervisor, camera_id="SPT-P104-1") == []
    assert audited(server, "SPT-P104-1", "city_camera.unmasked_start") == []

    # A camera waiting for review cannot be looked at, masked or not.
    waiting = pole("SPT-P104-2", cameras_on_air[0].url)
    push_inventory(server.clients["admin"], [waiting])
    sure = UnmaskedViewer(supervisor, ("supervisor",))
    assert sure.ask(get_city_camera(supervisor, "SPT-P104-2").camera) is None
    assert sure.last_refusal == ("Camera SPT-P104-2 is not in service (pending review): no one "
                                 "may view it, masked or not.")
    sure.notice.close()


def test_the_privacy_menu_follows_the_roles(qtbot, server):
    def menu_for(*roles: str) -> list[str] | None:
        window = QMainWindow()
        qtbot.addWidget(window)
        session = SimpleNamespace(username="someone", roles=roles)
        privacy = add_privacy_menu(window, server.clients["analyst"], session)
        if privacy is None:
            return None
        [menu] = [a.menu() for a in window.menuBar().actions() if a.text() == "&Privacy"]
        return [a.text() for a in menu.actions() if a.text()]

    assert menu_for("analyst") is None
    assert menu_for("privacy_reviewer") == ["Review city cameras…", "Unmasked views log…"]
    assert menu_for("supervisor") == ["View camera unmasked…", "Unmasked views log…"]
    assert menu_for("admin") == ["Edit pole cameras…", "Unmasked views log…"]


def test_the_inventory_form_hides_passwords_and_warns_before_a_re_aim(qtbot, server, screenshot_dir,
                                                                     dark):
    admin, analyst = server.clients["admin"], server.clients["analyst"]
    main = "rtsp://viewer:s3cr%40t!@10.40.1.11:554/Streaming/Channels/101"
    sub = "http://10.40.1.11/cgi-bin/mjpeg?user=viewer&pwd=hunter22"
    approved_camera(server, pole("SPT-P105-3", main, sub_url=sub))
    dialog = PoleInventoryDialog(admin)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.refresh()
    qtbot.waitUntil(lambda: "SPT-P105-3" in dialog.cameras.visible_ids(), timeout=WAIT_MS)
    dialog.cameras.select("SPT-P105-3")
    qtbot.waitUntil(lambda: dialog.form.state is not None, timeout=WAIT_MS)

    form = dialog.form
    assert form.main.address.text() == "rtsp://viewer@10.40.1.11:554/Streaming/Channels/101"
    assert form.sub.address.text() == f"http://10.40.1.11/cgi-bin/mjpeg?user=viewer&pwd={DOTS}"
    assert form.main.password.text() == ""
    assert form.main.password.placeholderText() == f"{DOTS} (stored)"
    on_screen = [w.text() for w in dialog.findChildren(QLineEdit) + dialog.findChildren(QLabel)]
    assert not any("s3cr" in text or "hunter22" in text for text in on_screen)
    assert not dialog.save_button.isEnabled() and dialog.warning.text() == ""

    form.name.setText("Texas St at Common St")
    form.name.textEdited.emit(form.name.text())
    assert dialog.warning.text() == "" and dialog.save_button.isEnabled()  # a name is no new view
    form.bearing.setValue(140.0)
    assert dialog.warning.text().startswith(
        "Saving sends this camera back to privacy review (bearing 120° → 140°)")
    qtbot.wait(100)  # the layout makes room for the warning
    dialog.grab().save(str(screenshot_dir / "privacy-inventory-dialog.png"))
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.message.text().startswith("Saved."), timeout=WAIT_MS)
    assert dialog.message.text() == "Saved. Sent back to privacy review: bearing 120° → 140°."
    saved = get_city_camera(analyst, "SPT-P105-3")
    assert saved.camera.privacy_review is PrivacyReview.PENDING
    assert (saved.camera.view.bearing, saved.camera.name) == (140.0, "Texas St at Common St")
    assert (saved.camera.main_stream_url, saved.camera.sub_stream_url) == (main, sub)
    assert saved.camera.privacy_masks == (TOP_LEFT_QUARTER,)  # the reviewer's, untouched

    # A new password typed for the main stream replaces the stored one, and only that.
    form.main.password.setText("n3w pass@word")
    form.main.changed.emit()
    assert dialog.warning.text() == ""  # a new password for the same stream is no new view
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "review stands" in dialog.message.text(), timeout=WAIT_MS)
    assert get_city_camera(analyst, "SPT-P105-3").camera.main_stream_url == \
        "rtsp://viewer:n3w%20pass%40word@10.40.1.11:554/Streaming/Channels/101"
    assert form.main.password.text() == ""  # shown as dots again after the save


@pytest.mark.parametrize(("stored", "shown"), [
    ("rtsp://viewer:s3cret@10.40.1.11/sub", "rtsp://viewer@10.40.1.11/sub"),
    ("rtsp://viewer:p@ss/w0rd@10.40.1.11/sub", "rtsp://viewer@10.40.1.11/sub"),
    ("rtsp://10.40.1.11/sub", "rtsp://10.40.1.11/sub"),
    ("http://cam/snap?usr=a&pwd=x1&size=2", f"http://cam/snap?usr=a&pwd={DOTS}&size=2"),
    ("/srv/clips/pole-12.mp4", "/srv/clips/pole-12.mp4"),
])
def test_an_address_is_shown_without_secrets_and_saved_with_them(stored, shown):
    assert shown_address(stored) == shown
    assert address_to_save(shown, stored) == stored  # unchanged form, unchanged address


def test_saving_an_address_keeps_or_replaces_the_password_as_asked():
    stored = "rtsp://viewer:old@10.40.1.11/sub"
    moved = address_to_save("rtsp://viewer@10.40.1.12/sub", stored)
    assert moved == "rtsp://viewer:old@10.40.1.12/sub"
    retyped = address_to_save("rtsp://viewer@10.40.1.11/sub", stored, "new")
    assert retyped == "rtsp://viewer:new@10.40.1.11/sub"
    assert address_to_save("rtsp://10.40.1.11/sub", stored) == "rtsp://10.40.1.11/sub"
    with pytest.raises(ValueError, match="^main stream: a password needs a user name"):
        address_to_save("rtsp://10.40.1.11/sub", stored, "new", label="main stream")
    with pytest.raises(ValueError, match="type the value of pwd="):
        address_to_save(f"http://cam/snap?pwd={DOTS}", "http://cam/snap")
    with pytest.raises(ValueError) as raised:
        address_to_save("ftp://viewer@10.40.1.11/sub", stored, label="sub stream")
    assert str(raised.value).startswith("sub stream: the address: ftp:// streams are not supported")
    assert "old" not in str(raised.value)

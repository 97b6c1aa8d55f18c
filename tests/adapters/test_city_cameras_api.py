"""City cameras from the desk against a real `rtcc-server serve` on loopback: the demo city's
poles pushed as an inventory come back pending, a reviewer's approval brings them live with
masks, a re-aim sends one back (and reaches the event stream), a supervisor's unmasked view is
started and ended, and every refusal reads as a sentence."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pyotp
import pytest

from rtcc_desk.adapters.demo.shreveport import generate_demo_cameras
from rtcc_desk.adapters.local_server import LocalServer
from rtcc_desk.adapters.server_link import NotAllowed, ServerClient, ServerError, ServerUnreachable
from rtcc_desk.adapters.server_link.city_cameras_api import (
    city_camera_change,
    city_camera_refusal_text,
    end_unmasked_view,
    get_city_camera,
    list_unmasked_views,
    push_inventory,
    record_review,
    start_unmasked_view,
    sync_city_cameras,
)
from rtcc_desk.adapters.server_link.requests_api import EventStream
from rtcc_desk.core.cameras import PoleCamera, PrivacyReview, View
from server_stub.auth import create_user
from server_stub.services import build_services
from server_stub.settings import ServerSettings

PASSWORD = "correct horse battery staple"
WINDOW = ((0.1, 0.1), (0.3, 0.1), (0.3, 0.4), (0.1, 0.4))
WHY = "Armed robbery suspect fled into the yard of 1207 Texas St"


class CityServer(LocalServer):
    """A real server process; its database opened from the test to make accounts."""

    def __init__(self, data_dir: Path) -> None:
        data_dir.mkdir(parents=True, exist_ok=True)
        super().__init__(data_dir)
        self.services = build_services(ServerSettings(data_dir=data_dir,
                                                      database_url=self.database_url))

    def sign_in(self, username: str, role: str) -> ServerClient:
        with self.services.sessions() as session:
            _, secret = create_user(session, username=username, password=PASSWORD, roles=(role,))
            session.commit()
        client = ServerClient(self.base_url)
        client.login(username, PASSWORD, pyotp.TOTP(secret).now())
        return client


@pytest.fixture(scope="module")
def poles() -> list[PoleCamera]:
    return [c for c in generate_demo_cameras(registered=0, edge_devices=0)
            if isinstance(c, PoleCamera)]


@pytest.fixture
def server(tmp_path):
    with CityServer(tmp_path / "server") as running:
        yield running


def test_pushed_poles_are_pending_until_approved_then_live_with_their_masks(server, poles):
    admin, reviewer = server.sign_in("alex", "admin"), server.sign_in("pat", "privacy_reviewer")
    analyst = server.sign_in("dana", "analyst")
    pushed = push_inventory(admin, poles)
    assert (pushed.created, pushed.updated, pushed.sent_to_review) == (270, 0, {})

    synced = sync_city_cameras(analyst)
    assert len(synced.cameras) == 270 and synced.removed == ()
    # An import never approves, whatever the file said: every camera waits for the reviewer.
    assert {s.camera.privacy_review for s in synced.cameras} == {PrivacyReview.PENDING}
    first = next(s for s in synced.cameras if s.camera_id == poles[0].camera_id)
    assert first.camera.main_stream_url == poles[0].main_stream_url
    assert first.camera.view == poles[0].view and first.pending_reason == "new camera"
    assert not any(c.in_service for c in synced.pole_cameras)

    approved = record_review(reviewer, first.camera_id, approve=True, masks=[WINDOW],
                             seen_version=first.sync_version, note="Window of 1207 masked")
    assert approved.camera.in_service and approved.camera.privacy_masks == (WINDOW,)
    assert approved.reviewed_by == "pat" and approved.reviewed_at is not None
    later = sync_city_cameras(analyst, since=synced.cursor)
    assert [s.camera for s in later.cameras] == [approved.camera]

    unchanged = push_inventory(admin, poles)  # the same file again: nothing moves
    assert (unchanged.unchanged, unchanged.sent_to_review) == (270, {})
    assert get_city_camera(analyst, first.camera_id).camera.in_service


def test_a_re_aim_sends_the_camera_back_and_open_walls_hear_of_it(server, poles):
    admin, reviewer = server.sign_in("alex", "admin"), server.sign_in("pat", "privacy_reviewer")
    analyst = server.sign_in("dana", "analyst")
    camera = poles[0]
    push_inventory(admin, [camera])
    opened = get_city_camera(reviewer, camera.camera_id)
    record_review(reviewer, camera.camera_id, approve=True, masks=[WINDOW],
                  seen_version=opened.sync_version)
    stream = EventStream(analyst)
    list(stream.read(until_idle=True))  # an open wall, caught up to now

    turned = replace(camera, view=View(round((camera.view.bearing + 30) % 360, 1), camera.view.fov,
                                       camera.view.range_m))
    result = push_inventory(admin, [turned])
    assert list(result.sent_to_review) == [camera.camera_id]
    assert result.sent_to_review[camera.camera_id][0].startswith("bearing ")

    changes = [c for c in map(city_camera_change, stream.read(until_idle=True)) if c is not None]
    assert [(c.camera_id, c.review_state, c.in_service, c.masks) for c in changes] == [
        (camera.camera_id, PrivacyReview.PENDING, False, (WINDOW,))]

    with pytest.raises(ServerError) as stale:
        record_review(reviewer, camera.camera_id, approve=True, seen_version=opened.sync_version)
    text = city_camera_refusal_text(stale.value, "review")
    assert text.startswith(f"Camera {camera.camera_id} changed since you opened it (bearing ")
    assert text.endswith("open it again and review what it shows now.")


def test_a_supervisor_views_unmasked_for_a_while_and_every_refusal_is_a_sentence(server, poles):
    admin, reviewer = server.sign_in("alex", "admin"), server.sign_in("pat", "privacy_reviewer")
    supervisor, analyst = server.sign_in("sam", "supervisor"), server.sign_in("dana", "analyst")
    push_inventory(admin, poles[:2])
    live, waiting = poles[0].camera_id, poles[1].camera_id
    record_review(reviewer, live, approve=True,
                  seen_version=get_city_camera(reviewer, live).sync_version)

    view = start_unmasked_view(supervisor, live, WHY)
    assert view.active(datetime.now(UTC)) and view.justification == WHY
    assert [v.id for v in list_unmasked_views(reviewer, open_only=True)] == [view.id]
    ended = end_unmasked_view(supervisor, view.id)
    assert not ended.active(datetime.now(UTC)) and ended.end_reason == "ended"
    assert ended.started_at <= ended.ended_at < ended.ends_by

    def refusal(call, action) -> str:
        with pytest.raises(Exception) as raised:
            call()
        return city_camera_refusal_text(raised.value, action)

    assert refusal(lambda: start_unmasked_view(analyst, live, WHY), "unmask") == \
        "Only a supervisor can view a camera without its privacy masks."
    assert refusal(lambda: record_review(analyst, live, approve=False, note="x", seen_version=1),
                   "review") == "Only a privacy reviewer can approve or reject a city camera."
    assert refusal(lambda: push_inventory(analyst, poles[:1]), "inventory") == \
        "Only an administrator can change the city camera inventory."
    assert refusal(lambda: start_unmasked_view(supervisor, live, "look"), "unmask") == \
        "Viewing a camera unmasked needs a justification (at least 10 characters)."
    assert "is not in service (pending review)" in refusal(
        lambda: start_unmasked_view(supervisor, waiting, WHY), "unmask")
    version = get_city_camera(reviewer, waiting).sync_version
    assert refusal(lambda: record_review(reviewer, waiting, approve=False, seen_version=version),
                   "review") == "Say why the camera is rejected: a rejection needs a note."
    broken = replace(poles[1], main_stream_url="ftp://10.2.3.4/cam")
    assert refusal(lambda: push_inventory(admin, [broken]), "inventory").startswith(
        "Check the form — camera 1, main stream URL: the address: ftp:// streams are not supported")
    with pytest.raises(NotAllowed):
        start_unmasked_view(reviewer, live, WHY)

    server.stop()
    assert refusal(lambda: record_review(reviewer, waiting, approve=True, seen_version=version),
                   "review") == ("The server cannot be reached, so your decision was not "
                                 "recorded. Try again in a moment.")
    with pytest.raises(ServerUnreachable):
        get_city_camera(reviewer, live)

"""Edge channels in the desk's registry copy, against a real `rtcc-server serve`: an enrolled
box's cameras arrive as ``EdgeChannel`` (which box, which channel), survive a desk restart,
are candidates the analyst opens at once, and leave when the box is revoked; a copy made
before the desk knew edge channels fetches them on its next sync after the upgrade."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from alembic import command
from alembic.config import Config
from sqlalchemy import text

from rtcc_db import make_engine
from rtcc_desk.adapters.server_link import RegistryCache
from rtcc_desk.adapters.server_link.storage import MIGRATIONS
from rtcc_desk.core.camera_index import CameraIndex
from rtcc_desk.core.cameras import CameraKind, EdgeChannel, RegisteredCamera
from rtcc_desk.core.correlation import Access
from rtcc_desk.core.geo import LatLon
from rtcc_desk.core.jurisdiction import SHREVEPORT
from tests.adapters.test_edge_api import EdgeServer
from tests.server.helpers import add_camera


@pytest.fixture
def server(tmp_path):
    with EdgeServer(tmp_path / "server") as running:
        yield running


@pytest.fixture
def link_url(tmp_path) -> str:
    (tmp_path / "desk").mkdir()
    return f"sqlite:///{tmp_path / 'desk' / 'server-link.sqlite3'}"


def test_edge_channels_arrive_with_their_box_and_channel_and_are_opened_not_requested(server, link_url):
    shop = add_camera(server.services, is_business=True, email="shop@example.test")
    box = server.box()  # "Corner Store": channel 1 Register (facing east), channel 2 Parking lot
    analyst = server.signed_in("analyst")
    cache = RegistryCache.open(link_url)

    first = cache.sync_once(analyst)
    assert not first.skipped and len(first.added) == 3
    cameras = {c.camera_id: c for c in cache.cameras()}
    edge = sorted((c for c in cameras.values() if isinstance(c, EdgeChannel)), key=lambda c: c.channel)
    assert [(c.edge_device_id, c.channel) for c in edge] == [(box.box_id, 1), (box.box_id, 2)]
    register, lot = edge
    assert register.kind is CameraKind.EDGE_CHANNEL and register.name == "Corner Store – Register"
    assert register.location == LatLon(32.5093, -93.7501)
    assert (register.view.bearing, register.view.fov) == (90.0, 80.0)
    assert lot.view.direction_unknown and register.retention_days == 30
    assert isinstance(cameras[shop], RegisteredCamera)

    # The desk starts again: the copy on disk gives back the same channels.
    assert {c.camera_id: c for c in RegistryCache.open(link_url).cameras()} == cameras

    index = CameraIndex(SHREVEPORT)
    index.load(cameras.values())
    found = index.candidates_at(LatLon(32.5093, -93.7499), incident_time=datetime.now(UTC),
                                now=datetime.now(UTC), radius_m=100)
    access = {c.camera.camera_id: c.access for c in found.candidates}
    assert access[register.camera_id] is access[lot.camera_id] is Access.OPEN_NOW

    admin = server.signed_in("admin")
    admin.api("POST", f"/api/edge/boxes/{box.box_id}/revoke")
    gone = cache.sync_once(analyst)
    assert gone.removed == {register.camera_id, lot.camera_id}
    assert [c.camera_id for c in cache.cameras()] == [shop]


def test_a_copy_from_before_edge_channels_fetches_them_after_the_upgrade(server, link_url):
    box = server.box()
    analyst = server.signed_in("analyst")
    # The desk as it was at link_0003: it synced, skipped the edge channels, moved its cursor on.
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    engine = make_engine(link_url, synchronous="FULL")
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "link_0003")
        connection.execute(text(
            "INSERT INTO registry_sync_state (id, server_url, cursor, last_synced_at)"
            " VALUES (1, :url, 999, '2026-01-01 00:00:00.000000+00:00')"), {"url": server.base_url})
    engine.dispose()

    cache = RegistryCache.open(link_url)  # migrates to link_0004
    assert cache.freshness().cursor == 0
    synced = cache.sync_once(analyst)
    assert {(c.edge_device_id, c.channel) for c in cache.cameras()
            if isinstance(c, EdgeChannel)} == {(box.box_id, 1), (box.box_id, 2)}
    assert synced.cursor > 0 and not synced.skipped
    assert {c.kind for c in cache.cameras()} == {CameraKind.EDGE_CHANNEL}
    with make_engine(link_url).connect() as connection:
        rows = connection.execute(text("SELECT recorder_type, edge_box_id, channel FROM registry_cameras"
                                       " ORDER BY channel")).all()
    assert [tuple(r) for r in rows] == [("edge_device", box.box_id, 1), ("edge_device", box.box_id, 2)]

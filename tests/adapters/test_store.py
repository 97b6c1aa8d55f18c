"""The local store: migrations, cameras and calls surviving a round trip, upserts, withdrawals."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import inspect, text

from rtcc_desk.adapters.demo import CadSimulator, generate_demo_cameras, load_builtin_vocabulary
from rtcc_desk.adapters.store import (
    StoreError,
    load_calls,
    load_cameras,
    open_store,
    save_calls,
    save_cameras,
)
from rtcc_desk.core.calls import Call, CallBook, CallType, Priority
from rtcc_desk.core.cameras import RegisteredCamera, View
from rtcc_desk.core.geo import LatLon


def test_a_new_store_is_migrated_to_head_and_uses_wal(database_url):
    sessions = open_store(database_url)
    with sessions() as session:
        tables = set(inspect(session.get_bind()).get_table_names())
        assert {"cameras", "calls", "call_history", "alembic_version"} <= tables
        assert session.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert session.execute(text("SELECT version_num FROM alembic_version")).scalar() == "0001"
    open_store(database_url)  # opening again is harmless


def test_every_demo_camera_comes_back_exactly(database_url):
    cameras = generate_demo_cameras(seed=3, registered=400)
    sessions = open_store(database_url)
    with sessions() as session:
        assert save_cameras(session, cameras) == len(cameras)
    with sessions() as session:
        loaded = {c.camera_id: c for c in load_cameras(session)}
    assert loaded == {c.camera_id: c for c in cameras}


def test_saving_again_updates_in_place_and_withdrawn_cameras_are_left_out(database_url):
    where = LatLon(32.51, -93.75)
    camera = RegisteredCamera(camera_id="home-1", location=where, owner_ref="o-1", retention_days=7)
    sessions = open_store(database_url)
    with sessions() as session:
        save_cameras(session, [camera])
        save_cameras(session, [RegisteredCamera(
            camera_id="home-1", location=where, owner_ref="o-1", retention_days=14,
            view=View(90, 80, 40),
        )])
        (stored,) = load_cameras(session)
        assert stored.retention_days == 14 and stored.view.bearing == 90
        save_cameras(session, [RegisteredCamera(
            camera_id="home-1", location=where, owner_ref="o-1", withdrawn=True,
        )])
        assert load_cameras(session) == []
        assert len(load_cameras(session, include_withdrawn=True)) == 1


def test_calls_keep_their_history_and_time_zone(database_url):
    central = timezone(timedelta(hours=-6))
    first = datetime(2026, 11, 24, 22, 5, tzinfo=central)
    book = CallBook()
    book.add(Call(
        call_id="SPT-1", received_at=first, updated_at=first, status="PENDING",
        call_type=CallType("SHOTS", "SHOTS FIRED", "SHOOT"), priority=Priority("P1", 10),
        address="700 TEXAS ST", location=LatLon(32.512, -93.749),
    ))
    book.add(Call(call_id="SPT-1", received_at=first, updated_at=first + timedelta(minutes=4),
                  status="ON SCENE"))
    sessions = open_store(database_url)
    with sessions() as session:
        save_calls(session, book)
        save_calls(session, book)  # saving twice does not duplicate history
    with sessions() as session:
        (call,) = load_calls(session)
    assert call.status == "ON SCENE"
    assert call.address == "700 TEXAS ST"
    assert call.received_at == first and call.received_at.tzinfo is not None
    assert [h.status for h in call.history] == ["PENDING"]
    assert call == book.get("SPT-1")
    assert list(call.history) == list(book.get("SPT-1").history)


def test_simulated_feed_round_trips(database_url):
    simulator = CadSimulator(seed=5, vocabulary=load_builtin_vocabulary(),
                             start=datetime(2026, 11, 25, tzinfo=UTC))
    book = CallBook()
    for message in simulator.take(300):
        book.add(message)
    sessions = open_store(database_url)
    with sessions() as session:
        save_calls(session, book)
        loaded = {c.call_id: c for c in load_calls(session)}
    assert loaded == {c.call_id: c for c in book}
    # Call equality leaves history out, so compare every version explicitly
    assert {i: list(c.history) for i, c in loaded.items()} == {c.call_id: list(c.history) for c in book}


def test_an_unusable_database_url_is_a_clear_error(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    with pytest.raises(StoreError, match="cannot open the store"):
        open_store(f"sqlite:///{blocker}/desk.sqlite3")


def test_a_later_import_merges_into_the_stored_call(database_url):
    """A status-only update imported later must not wipe the call's address, type or location."""
    first = datetime(2026, 11, 24, 22, 5, tzinfo=UTC)
    original = Call(
        call_id="SPT-7", received_at=first, updated_at=first, status="PENDING",
        call_type=CallType("SHOTS", "SHOTS FIRED", "SHOOT"), address="700 TEXAS ST",
        location=LatLon(32.512, -93.749),
    )
    update = Call(call_id="SPT-7", received_at=first, updated_at=first + timedelta(minutes=9),
                  status="CLEARED")
    sessions = open_store(database_url)
    with sessions() as session:
        save_calls(session, [original])
    with sessions() as session:
        save_calls(session, [update])
        save_calls(session, [update])  # the same file imported twice adds nothing
    with sessions() as session:
        (call,) = load_calls(session)
    assert call.status == "CLEARED"
    assert call.address == "700 TEXAS ST"
    assert call.location == LatLon(32.512, -93.749)
    assert call.call_type.common_code == "SHOOT"
    assert [(h.status, h.updated_at) for h in call.history] == [("PENDING", first)]

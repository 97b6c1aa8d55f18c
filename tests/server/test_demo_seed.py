"""`rtcc-server seed-demo`: demo cameras and accounts, idempotent, and only in demo mode."""

from __future__ import annotations

import json
import stat

import pytest
from sqlalchemy import func, select

from rtcc_desk.adapters.demo.shreveport import generate_demo_cameras
from rtcc_desk.adapters.server_link.demo_registry import write_demo_registry
from rtcc_desk.core.cameras import RegisteredCamera
from server_stub.cli import main as server_cli
from server_stub.models.audit import AuditRecord
from server_stub.models.registry import CameraRegistration, Owner
from server_stub.models.users import User


@pytest.fixture
def server_settings(server_settings):
    return server_settings.model_copy(update={"demo_mode": True})


@pytest.fixture
def demo_cameras():
    cameras = generate_demo_cameras(registered=40, edge_devices=1)
    return [c for c in cameras if isinstance(c, RegisteredCamera)]


def seed(server_settings, monkeypatch, *args: str) -> int:
    """The real command line, pointed at the test's database and data folder."""
    monkeypatch.setenv("RTCC_SERVER_DEMO_MODE", "true" if server_settings.demo_mode else "false")
    return server_cli(["--data-dir", str(server_settings.data_dir),
                       "--database", server_settings.database_url, "seed-demo", *args])


def counts(services) -> tuple[int, int, int, int]:
    with services.sessions() as session:
        return tuple(session.scalar(select(func.count()).select_from(model))
                     for model in (Owner, CameraRegistration, User, AuditRecord))


def test_seed_demo_creates_cameras_and_accounts_once(client, services, server_settings, demo_cameras,
                                                     tmp_path, monkeypatch, capsys):
    seed_file = write_demo_registry(demo_cameras, tmp_path / "demo-registry.json")
    owners = {c.owner_ref for c in demo_cameras}

    assert seed(server_settings, monkeypatch, "--cameras", str(seed_file)) == 0
    printed = capsys.readouterr().out
    assert f"cameras: {len(demo_cameras)} created" in printed
    credentials_file = server_settings.data_dir / "demo-credentials.json"
    assert stat.S_IMODE(credentials_file.stat().st_mode) == 0o600
    credentials = json.loads(credentials_file.read_text())["users"]
    assert [u["username"] for u in credentials] == [
        "demo.analyst", "demo.supervisor", "demo.admin", "demo.privacy"]
    for user in credentials:  # printed once, exactly as stored
        assert f"{user['username']:<18} {user['password']}" in printed
    after_first = counts(services)
    assert after_first[:3] == (len(owners), len(demo_cameras), 4)

    assert seed(server_settings, monkeypatch, "--cameras", str(seed_file)) == 0
    printed = capsys.readouterr().out
    assert "cameras: 0 created" in printed and "already present: demo.analyst" in printed
    assert not any(user["password"] in printed for user in credentials)
    assert counts(services) == after_first  # nothing new, not even an audit record
    assert json.loads(credentials_file.read_text())["users"] == credentials

    # the demo analyst signs in without a second factor and sees every camera, as the desk made it
    analyst = next(u for u in credentials if u["username"] == "demo.analyst")
    response = client.post("/api/auth/login", json={"username": "demo.analyst",
                                                    "password": analyst["password"]})
    assert response.status_code == 200, response.text
    headers = {"Authorization": f"Bearer {response.json()['access_token']}"}
    page = client.get("/api/registry/changes", headers=headers).json()
    synced = {c["id"]: c for c in page["changes"] if c["present"]}
    assert set(synced) == {c.camera_id for c in demo_cameras}
    first = demo_cameras[0]
    assert (synced[first.camera_id]["lat"], synced[first.camera_id]["lon"]) == \
        (first.location.lat, first.location.lon)
    assert synced[first.camera_id]["recorder_type"] == first.recorder_type.value
    assert len({c["sync_version"] for c in page["changes"]}) == len(demo_cameras)


def test_seed_demo_refuses_outside_demo_mode(services, server_settings, demo_cameras, tmp_path,
                                            monkeypatch, capsys):
    production = server_settings.model_copy(update={"demo_mode": False})
    seed_file = write_demo_registry(demo_cameras, tmp_path / "demo-registry.json")
    before = counts(services)
    assert seed(production, monkeypatch, "--cameras", str(seed_file)) == 2
    error = capsys.readouterr().err
    assert "not in demo mode" in error and "RTCC_SERVER_DEMO_MODE=true" in error
    assert counts(services) == before
    assert not (server_settings.data_dir / "demo-credentials.json").exists()


def test_a_broken_seed_file_is_named_with_the_problem(server_settings, tmp_path, monkeypatch, capsys):
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({
        "format": "rtcc-demo-registry", "version": 1,
        "owners": [{"ref": "owner-1", "address": "1 Main St"}],
        "cameras": [{"id": "REG-1", "owner_ref": "owner-2", "lat": 32.5, "lon": -93.7},
                    {"id": "REG-2", "owner_ref": "owner-1", "lat": 32.5, "lon": -93.7, "bearing": 400}],
    }))
    assert seed(server_settings, monkeypatch, "--cameras", str(bad)) == 2
    error = capsys.readouterr().err
    assert "bad.json" in error and "bearing 400" in error
    (tmp_path / "worse.json").write_text("{not json")
    assert seed(server_settings, monkeypatch, "--cameras", str(tmp_path / "worse.json")) == 2
    assert "cannot read it as JSON" in capsys.readouterr().err


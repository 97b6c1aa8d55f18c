"""Registry sync: desks pull only what changed since their cursor, withdrawals included."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select

from server_stub.models.audit import AuditRecord
from server_stub.models.registry import CameraRegistration
from server_stub.registry import next_sync_version
from tests.server.helpers import add_camera, login_as


def change_status(services, camera_id: str, status: str) -> None:
    with services.sessions() as session:
        camera = session.get(CameraRegistration, camera_id)
        camera.status, camera.sync_version = status, next_sync_version(session)
        camera.updated_at = datetime.now(UTC)
        session.commit()


def test_full_sync_then_only_changes(client, services):
    headers = login_as(client, services, "analyst")
    home = add_camera(services, is_business=False)
    shop = add_camera(services, is_business=True, email="shop@example.test")
    unverified = add_camera(services, status="pending_verification", email="new@example.test")
    first = client.get("/api/registry/changes", headers=headers).json()
    present = {c["id"]: c for c in first["changes"] if c["present"]}
    assert set(present) == {home, shop}
    assert present[shop]["kind"] == "business" and present[home]["kind"] == "residential"
    assert present[home]["lat"] == 32.5121 and present[home]["retention_days"] == 14
    assert [c for c in first["changes"] if c["id"] == unverified][0]["present"] is False
    assert "email" not in str(first)  # owner contact details never travel with the sync

    change_status(services, shop, "withdrawn")
    second = client.get(f"/api/registry/changes?since={first['cursor']}", headers=headers).json()
    assert [(c["id"], c["present"], c["lat"]) for c in second["changes"]] == [(shop, False, None)]
    third = client.get(f"/api/registry/changes?since={second['cursor']}", headers=headers).json()
    assert third == {"cursor": second["cursor"], "more": False, "changes": []}


def test_sync_pages_through_large_registries(client, services):
    headers = login_as(client, services, "analyst")
    ids = {add_camera(services, email=f"p{i}@example.test") for i in range(7)}
    seen, cursor, pages = set(), 0, 0
    while True:
        page = client.get(f"/api/registry/changes?since={cursor}&limit=3", headers=headers).json()
        seen |= {c["id"] for c in page["changes"]}
        cursor, pages = page["cursor"], pages + 1
        if not page["more"]:
            break
    assert seen == ids and pages == 3


def test_owner_contact_needs_a_justification_and_is_audited(client, services):
    headers = login_as(client, services, "analyst")
    camera = add_camera(services, email="private@example.test")
    assert client.get(f"/api/registry/cameras/{camera}/owner", headers=headers).status_code == 422
    response = client.get(
        f"/api/registry/cameras/{camera}/owner", params={"justification": "call back re SPD-26-1001"},
        headers=headers,
    )
    assert response.status_code == 200 and response.json()["email"] == "private@example.test"
    with services.sessions() as session:
        record = session.scalars(select(AuditRecord).where(AuditRecord.action == "registry.owner_contact")).one()
        assert record.justification == "call back re SPD-26-1001"


def test_sync_needs_a_signed_in_analyst(client):
    assert client.get("/api/registry/changes").status_code == 401

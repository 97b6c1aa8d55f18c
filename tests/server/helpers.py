"""Helpers for server tests: analyst accounts that log in for real, registered cameras."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime

import pyotp

from server_stub.auth import create_user
from server_stub.models.registry import CameraRegistration, Owner
from server_stub.registry import next_sync_version

_names = itertools.count(1)


def login_as(client, services, *roles: str) -> dict[str, str]:
    """Create a user with these roles, log in with password and TOTP; return auth headers."""
    username = f"{roles[0]}{next(_names)}"
    password = "correct horse battery staple"
    with services.sessions() as session:
        _, secret = create_user(session, username=username, password=password, roles=list(roles))
        session.commit()
    response = client.post("/api/auth/login", json={
        "username": username, "password": password, "totp": pyotp.TOTP(secret).now(),
    })
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


def add_camera(services, *, email="owner@example.test", name="Dana Owner", retention_days=14.0,
               status="active", label="Front door", channel="email", phone="", is_business=False,
               lat=32.5121, lon=-93.7502) -> str:
    """An owner with one camera, straight into the database (registration pages have their tests)."""
    now = datetime.now(UTC)
    with services.sessions() as session:
        owner = Owner(name=name, email=email, phone=phone, preferred_channel=channel,
                      address="712 Texas St, Shreveport", is_business=is_business, consent_at=now,
                      verified_at=now, created_at=now)
        session.add(owner)
        session.flush()
        camera = CameraRegistration(
            owner_id=owner.id, label=label, lat=lat, lon=lon, bearing=180.0, fov=90.0,
            range_m=30.0, recorder_type="dvr_nvr", retention_days=retention_days,
            status=status, sync_version=next_sync_version(session), updated_at=now,
        )
        session.add(camera)
        session.commit()
        return camera.id

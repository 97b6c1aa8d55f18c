"""`rtcc-server seed-demo`: demo owners, cameras and accounts, for a server in demo mode only.

The cameras come from a JSON file the desk's demo launcher writes (``DemoRegistry`` below is
its format, also shown in docs/server.md): owners with their registered cameras, and the city's
pole cameras with their privacy review state. Everything keeps the ids the file gives it,
which is what makes a second run create nothing. Demo accounts get generated passwords
and no second factor; they are printed once and written to a file only the server's user can
read.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import sys
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator
from sqlalchemy import select
from sqlalchemy.orm import Session

from rtcc_desk.core.cameras import RecorderType, View
from rtcc_desk.core.privacy_review import PrivacyReview, masks_as_lists
from server_stub import auth, city_cameras, events
from server_stub.auth_cli import _console_actor
from server_stub.models.city_cameras import CityCamera
from server_stub.models.registry import CameraRegistration, Owner, SyncCounter
from server_stub.registry import next_sync_version
from server_stub.routes.city_cameras import CityCameraIn
from server_stub.services import Services
from server_stub.settings import ServerSettings

FORMAT = "rtcc-demo-registry"
VERSION = 1
CREDENTIALS_FILE = "demo-credentials.json"
#: The demo accounts: one per role an RTCC floor has.
DEMO_USERS = (
    ("demo.analyst", ("analyst",)),
    ("demo.supervisor", ("supervisor",)),
    ("demo.admin", ("admin",)),
    ("demo.privacy", ("privacy_reviewer",)),
)
#: Who "reviewed" the demo's approved city cameras, as the audit and the desk show it.
DEMO_REVIEWER = "demo seed"
#: As a verified registration gets it: reconfirm a year on.
RECONFIRM_AFTER = timedelta(days=365)
_ID = r"^[A-Za-z0-9][A-Za-z0-9._-]{0,31}$"


class NotInDemoMode(Exception):
    """Demo data and accounts without a second factor belong on a demo server only."""


class SeedFileError(ValueError):
    """The seed file cannot be used; the message says where and why."""


class DemoOwner(BaseModel):
    """A camera owner; contact details left out are made up (reserved example domains)."""

    model_config = ConfigDict(extra="forbid")

    ref: str = Field(pattern=_ID, description="The owner's id on the server")
    is_business: bool = False
    address: str = Field(min_length=1, max_length=300)
    name: str | None = Field(None, max_length=120)
    email: str | None = Field(None, max_length=254)
    phone: str | None = Field(None, max_length=40)
    preferred_channel: Literal["email", "sms"] = "email"


class DemoCamera(BaseModel):
    """A registered camera, as the desk's ``RegisteredCamera`` describes it."""

    model_config = ConfigDict(extra="forbid")

    id: str = Field(pattern=_ID, description="The camera's id on the server and on every desk")
    owner_ref: str
    label: str = Field("", max_length=120)
    lat: float = Field(ge=-90, le=90)
    lon: float = Field(ge=-180, le=180)
    bearing: float | None = None
    fov: float = 360.0
    range_m: float = 30.0
    recorder_type: RecorderType = RecorderType.UNKNOWN
    retention_days: float | None = Field(None, gt=0, le=3650)

    @model_validator(mode="after")
    def _valid_view(self) -> DemoCamera:
        View(self.bearing, self.fov, self.range_m)  # the desk's own rules for a view
        return self


class DemoCityCamera(CityCameraIn):
    """A city pole camera as the inventory import sends it, with the review state it starts in
    (the demo has most approved and a few pending, so the review workflow can be shown)."""

    privacy_review: PrivacyReview = PrivacyReview.PENDING


class DemoRegistry(BaseModel):
    model_config = ConfigDict(extra="forbid")

    format: Literal["rtcc-demo-registry"]
    version: Literal[1]
    owners: list[DemoOwner]
    cameras: list[DemoCamera]
    city_cameras: list[DemoCityCamera] = []

    @model_validator(mode="after")
    def _owners_known(self) -> DemoRegistry:
        refs = [o.ref for o in self.owners]
        if len(set(refs)) != len(refs):
            raise ValueError("an owner ref appears twice")
        ids = [c.id for c in self.cameras]
        if len(set(ids)) != len(ids):
            raise ValueError("a camera id appears twice")
        unknown = sorted({c.owner_ref for c in self.cameras} - set(refs))
        if unknown:
            raise ValueError(f"cameras name owners not listed under 'owners': {', '.join(unknown[:5])}")
        city = [c.id for c in self.city_cameras]
        if len(set(city)) != len(city):
            raise ValueError("a city camera id appears twice")
        return self


@dataclass
class SeedReport:
    owners_created: int = 0
    cameras_created: int = 0
    cameras_present: int = 0  # already on the server from an earlier run
    city_cameras_created: int = 0
    city_cameras_pending: int = 0  # of those created, waiting for the privacy reviewer
    city_cameras_present: int = 0
    users_created: list[tuple[str, str, tuple[str, ...]]] = field(default_factory=list)
    users_present: list[str] = field(default_factory=list)
    credentials_file: Path | None = None


def load_seed_file(path: Path) -> DemoRegistry:
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise SeedFileError(f"{path}: cannot read it as JSON ({exc})") from None
    try:
        return DemoRegistry.model_validate(data)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(map(str, e['loc'])) or 'file'}: {e['msg']}" for e in exc.errors()[:10]
        )
        raise SeedFileError(f"{path}: {problems}") from None


def check_demo_mode(settings: ServerSettings) -> None:
    if not settings.demo_mode:
        raise NotInDemoMode(
            "seed-demo refused: this server is not in demo mode. Demo cameras and accounts "
            "without a second factor belong on a demo server only (demo_mode = true in the "
            "settings file, or RTCC_SERVER_DEMO_MODE=true)."
        )


def seed_demo(
    services: Services, registry: DemoRegistry | None, *, actor: str = "console"
) -> SeedReport:
    """Create what is missing (owners, cameras, demo accounts); refuses outside demo mode."""
    settings = services.settings
    check_demo_mode(settings)
    report = SeedReport()
    with services.sessions() as session:
        if registry is not None:
            _seed_registry(session, registry, report)
            _seed_city_cameras(session, registry, report)
        _seed_users(session, services, report, actor)
        if report.owners_created or report.cameras_created or report.city_cameras_created:
            services.audit(session, actor=actor, action="demo.seed", object="registry",
                           source="console",
                           justification=f"{report.owners_created} owners and "
                                         f"{report.cameras_created} cameras created; "
                                         f"{report.city_cameras_created} city cameras "
                                         f"({report.city_cameras_pending} pending review)")
        session.commit()
    if report.users_created:
        report.credentials_file = write_credentials(settings, report.users_created)
    elif (settings.data_dir / CREDENTIALS_FILE).exists():
        report.credentials_file = settings.data_dir / CREDENTIALS_FILE
    return report


def _seed_registry(session: Session, registry: DemoRegistry, report: SeedReport) -> None:
    now = datetime.now(UTC)
    present_owners = set(session.scalars(select(Owner.id).where(
        Owner.id.in_([o.ref for o in registry.owners]))))
    present_cameras = _existing_ids(session, [c.id for c in registry.cameras])
    for owner in registry.owners:
        if owner.ref in present_owners:
            continue
        number = owner.ref.rsplit("-", 1)[-1]
        who = "business" if owner.is_business else "resident"
        session.add(Owner(
            id=owner.ref, name=owner.name or f"Demo {who} {number}",
            email=owner.email or f"{owner.ref}@example.org", phone=owner.phone or "(318) 555-0199",
            preferred_channel=owner.preferred_channel, address=owner.address,
            is_business=owner.is_business, consent_at=now, verified_at=now,
            reconfirm_due=now + RECONFIRM_AFTER, created_at=now,
        ))
        report.owners_created += 1
    session.flush()
    new = [c for c in registry.cameras if c.id not in present_cameras]
    report.cameras_present = len(registry.cameras) - len(new)
    if not new:
        return
    # One lock of the change counter for the whole batch: versions first .. first+len-1.
    first = next_sync_version(session)
    counter_end = first + len(new) - 1
    _advance_counter(session, counter_end)
    for version, camera in enumerate(new, start=first):
        row = CameraRegistration(
            id=camera.id, owner_id=camera.owner_ref, label=camera.label, lat=camera.lat,
            lon=camera.lon, bearing=camera.bearing, fov=camera.fov, range_m=camera.range_m,
            recorder_type=camera.recorder_type.value, retention_days=camera.retention_days,
            status="active", sync_version=version, updated_at=now,
        )
        session.add(row)
        events.camera_changed(session, row)
    report.cameras_created = len(new)
    session.flush()


def _seed_city_cameras(session: Session, registry: DemoRegistry, report: SeedReport) -> None:
    """The pole cameras, in the review state the file gives: approved ones as if the demo's
    reviewer had passed them (with their masks), pending ones waiting for demo.privacy."""
    now = datetime.now(UTC)
    wanted = [c.id for c in registry.city_cameras]
    present: set[str] = set()
    for start in range(0, len(wanted), 500):
        present.update(session.scalars(select(CityCamera.id).where(
            CityCamera.id.in_(wanted[start:start + 500]))))
    new = [c for c in registry.city_cameras if c.id not in present]
    report.city_cameras_present = len(registry.city_cameras) - len(new)
    if not new:
        return
    first = city_cameras.take_sync_versions(session, len(new))
    for version, item in enumerate(new, start=first):
        camera = item.camera()
        reviewed = item.privacy_review is not PrivacyReview.PENDING
        row = CityCamera(
            id=camera.camera_id, pole_id=camera.pole_id, position=camera.position_on_pole,
            name=camera.name, lat=item.lat, lon=item.lon, bearing=camera.view.bearing,
            fov=camera.view.fov, range_m=camera.view.range_m, retention_days=camera.retention_days,
            main_stream_url=camera.main_stream_url, sub_stream_url=camera.sub_stream_url,
            review_state=item.privacy_review.value, masks=masks_as_lists(camera.privacy_masks),
            review_note="demo data: reviewed before the demo began" if reviewed else "",
            pending_reason="" if reviewed else "new camera",
            reviewed_by=DEMO_REVIEWER if reviewed else None, reviewed_at=now if reviewed else None,
            withdrawn=camera.withdrawn, sync_version=version, updated_at=now,
        )
        session.add(row)
        city_cameras.publish_change(session, row)
        report.city_cameras_pending += not reviewed
    report.city_cameras_created = len(new)
    session.flush()


def _existing_ids(session: Session, ids: list[str], chunk: int = 500) -> set[str]:
    found: set[str] = set()
    for start in range(0, len(ids), chunk):
        found.update(session.scalars(select(CameraRegistration.id).where(
            CameraRegistration.id.in_(ids[start:start + chunk]))))
    return found


def _advance_counter(session: Session, value: int) -> None:
    session.get(SyncCounter, 1).value = value  # locked by next_sync_version until commit
    session.flush()


def _seed_users(session: Session, services: Services, report: SeedReport, actor: str) -> None:
    for username, roles in DEMO_USERS:
        if auth.find_user(session, username) is not None:
            report.users_present.append(username)
            continue
        password = secrets.token_urlsafe(15)  # 20 characters, 120 bits
        auth.create_user(session, username=username, password=password, roles=roles, totp=False)
        services.audit(session, actor=actor, action="user.create", object=f"user:{username}",
                       source="console",
                       justification=f"demo account; roles: {' '.join(roles)}; second factor: no")
        report.users_created.append((username, password, roles))


def write_credentials(
    settings: ServerSettings, created: list[tuple[str, str, tuple[str, ...]]]
) -> Path:
    """Add the new accounts to the credentials file (0600; replaced atomically)."""
    path = settings.data_dir / CREDENTIALS_FILE
    users = {}
    if path.exists():
        try:
            users = {u["username"]: u for u in json.loads(path.read_text(encoding="utf-8"))["users"]}
        except (ValueError, KeyError, TypeError):
            users = {}
    for username, password, roles in created:
        users[username] = {"username": username, "password": password, "roles": list(roles)}
    document = {"server": settings.public_base_url, "second_factor": False,
                "users": list(users.values())}
    partial = path.with_suffix(".tmp")
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        os.fchmod(handle.fileno(), 0o600)  # whatever the umask
        json.dump(document, handle, indent=2)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(partial, path)
    return path


# ----- the command --------------------------------------------------------------------------


def add_seed_demo_command(subparsers) -> None:
    parser = subparsers.add_parser(
        "seed-demo", help="demo mode only: registered and city cameras from a JSON file, demo accounts",
    )
    parser.add_argument("--cameras", type=Path, metavar="FILE",
                        help="registered and city pole cameras (JSON, format rtcc-demo-registry v1)")
    parser.set_defaults(handler=run_seed_demo)


def run_seed_demo(args: argparse.Namespace, settings: ServerSettings) -> int:
    from server_stub.services import build_services

    try:
        check_demo_mode(settings)  # before anything is created, even the data folder
        registry = load_seed_file(args.cameras) if args.cameras else None
    except (NotInDemoMode, SeedFileError) as exc:
        print(f"rtcc-server: {exc}", file=sys.stderr)
        return 2
    report = seed_demo(build_services(settings), registry, actor=_console_actor())
    print(f"owners: {report.owners_created} created; cameras: {report.cameras_created} created, "
          f"{report.cameras_present} already present")
    if registry is not None and registry.city_cameras:
        print(f"city cameras: {report.city_cameras_created} created "
              f"({report.city_cameras_pending} pending privacy review), "
              f"{report.city_cameras_present} already present")
    if report.users_created:
        print("Demo accounts (no second factor; shown once, also in "
              f"{report.credentials_file}):")
        for username, password, roles in report.users_created:
            print(f"  {username:<18} {password}  ({', '.join(roles)})")
    if report.users_present:
        where = f"; their passwords are in {report.credentials_file}" if report.credentials_file else ""
        print(f"already present: {', '.join(report.users_present)}{where}")
    return 0

"""The demo's surroundings: an embedded registry server on loopback, seeded with Shreveport.

`rtcc-desk --demo` needs no network and no set-up: a real `rtcc-server` runs as a child process
in demo mode on a free loopback port, with the demo's registered cameras and one account per
role. Running the demo again reuses the same folder: nothing is seeded twice, and the
accounts keep their passwords (kept in a 0600 file in the folder).
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from pathlib import Path

from rtcc_desk.adapters.demo.shreveport import generate_demo_cameras
from rtcc_desk.adapters.local_server import LocalServer
from rtcc_desk.adapters.server_link.demo_registry import write_demo_registry
from rtcc_desk.core.cameras import Camera, RegisteredCamera

log = logging.getLogger("rtcc.demo")
CREDENTIALS_FILE = "demo-credentials.json"  # written by `rtcc-server seed-demo`


class DemoError(Exception):
    """The demo could not be set up; the message says what to look at."""


@dataclass
class DemoEnvironment:
    server: LocalServer
    cameras: list[Camera]  # every generated camera: poles, registered, edge channels
    accounts: list[dict] = field(default_factory=list)  # {username, password, roles}

    @property
    def local_cameras(self) -> list[Camera]:
        """City poles and edge channels: the desk's own inventory (registrations come by sync)."""
        return [c for c in self.cameras if not isinstance(c, RegisteredCamera)]

    def account(self, role: str) -> dict | None:
        return next((a for a in self.accounts if role in a["roles"]), None)

    def stop(self) -> None:
        self.server.stop()


def start_demo(folder: Path, *, seed: int = 1, registered: int = 3000,
               edge_devices: int = 6, smtp_port: int | None = None) -> DemoEnvironment:
    """Generate the cameras, seed and start the demo server in ``folder``.

    Without ``smtp_port`` (the demo) owners' emails land as .eml files in server/mail-outbox;
    with one (tests) the server mails through that SMTP server on loopback.
    """
    server_dir = folder / "server"
    server_dir.mkdir(parents=True, exist_ok=True)
    cameras = generate_demo_cameras(seed=seed, registered=registered, edge_devices=edge_devices)
    env = {"RTCC_SERVER_HOUSEKEEPING_MINUTES": "5"}
    if smtp_port is None:
        env["RTCC_SERVER_MAIL_OUTBOX"] = str(server_dir / "mail-outbox")
    server = LocalServer(server_dir, demo_mode=True, smtp_port=smtp_port or 25, env=env)
    seed_file = write_demo_registry(cameras, folder / "registry-seed.json")
    seeded = server.command("seed-demo", "--cameras", str(seed_file))
    if seeded.returncode != 0:
        raise DemoError(f"seeding the demo server failed: {seeded.stderr.strip() or seeded.stdout.strip()}"
                        f" (log: {server_dir / 'server.log'})")
    log.info("demo server seeded: %s", seeded.stdout.strip().splitlines()[0] if seeded.stdout else "")
    try:
        accounts = json.loads((server_dir / CREDENTIALS_FILE).read_text())["users"]
    except (OSError, ValueError, KeyError) as exc:
        raise DemoError(f"demo accounts not found in {server_dir / CREDENTIALS_FILE}: {exc}") from None
    try:
        server.start()
    except RuntimeError as exc:
        raise DemoError(str(exc)) from None
    return DemoEnvironment(server, cameras, accounts)

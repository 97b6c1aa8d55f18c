"""Helpers for browser tests: the real server on a loopback port, Debian's headless Chromium
driven by Playwright, console/CSP watching and screenshot checks.

Playwright's own browser download does not work on these machines (and is never run here):
``chromium.launch(executable_path="/usr/bin/chromium")`` drives Debian's package instead.
"""

from __future__ import annotations

import base64
import os
import re
import threading
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pyotp
import uvicorn

from server_stub.auth import create_user
from tests.server.conftest import Inbox

# Read at import: tests/conftest.py removes every RTCC_* variable before each test runs.
CHROMIUM = os.environ.get("RTCC_CHROMIUM", "/usr/bin/chromium")
SCREENSHOTS = os.environ.get("RTCC_SCREENSHOTS", "")
#: As root on a machine without network: no sandbox, no GPU, and nothing phoning home.
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
PHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 2,
         "is_mobile": True, "has_touch": True}


def browser_missing() -> str:
    """Why browser tests cannot run here, or '' when they can."""
    if not (Path(CHROMIUM).is_file() and os.access(CHROMIUM, os.X_OK)):
        return (f"{CHROMIUM} not found: install Debian's 'chromium' package "
                "(installers/debian-packages.txt) to run the browser tests")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the Python package 'playwright' is not installed (pip install -e '.[test]')"
    return ""


def launch(playwright):
    # Playwright gives every launch a new, empty profile folder (its own --user-data-dir).
    return playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)


def screenshot_dir(tmp_path: Path) -> Path:
    """RTCC_SCREENSHOTS if set (kept for people to look at), else the test's tmp folder."""
    folder = Path(SCREENSHOTS) if SCREENSHOTS else tmp_path / "screenshots"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


# --- the live server ----------------------------------------------------------------------


class LiveServer:
    """uvicorn serving ``app`` in a background thread on a free loopback port."""

    def __init__(self, app, port: int) -> None:
        self.app, self.port = app, port
        self.url = f"http://127.0.0.1:{port}"
        config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning",
                                lifespan="auto", timeout_graceful_shutdown=2)
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, name="live-server", daemon=True)

    def __enter__(self) -> LiveServer:
        self.thread.start()
        deadline = time.monotonic() + 15
        while not self.server.started:
            if not self.thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("the live server did not start")
            time.sleep(0.02)
        return self

    def __exit__(self, *exc) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


def login_live(base_url: str, services, *roles: str) -> dict[str, str]:
    """An account with these roles, logged in over HTTP on the live server; auth headers."""
    username = f"{roles[0]}_{uuid.uuid4().hex[:8]}"
    password = "correct horse battery staple"
    with services.sessions() as session:
        _, secret = create_user(session, username=username, password=password, roles=list(roles))
        session.commit()
    response = httpx.post(f"{base_url}/api/auth/login", json={
        "username": username, "password": password, "totp": pyotp.TOTP(secret).now()})
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


def request_footage(base_url: str, analyst: dict[str, str], inbox: Inbox, camera_id: str,
                    owner_email: str) -> tuple[str, str]:
    """Ask one camera's owner for footage over the live API; (request id, token from the email)."""
    start = datetime.now(UTC) - timedelta(minutes=60)
    response = httpx.post(f"{base_url}/api/requests", headers=analyst, json={
        "client_id": uuid.uuid4().hex, "camera_ids": [camera_id],
        "window_start": start.isoformat(), "window_end": (start + timedelta(minutes=30)).isoformat(),
        "call_ref": "SPT-2026-000481", "case_ref": "SPD-26-1001",
        "justification": "Shots fired at Texas St; suspect fled on foot past this address.",
    })
    assert response.status_code == 201, response.text
    (made,) = response.json()
    body = Inbox.body(inbox.last_to(owner_email))
    tokens = re.findall(re.escape(base_url) + r"/r/([A-Za-z0-9_\-]+)", body)
    assert tokens, f"no link to {base_url} in the email:\n{body}"
    return made["id"], tokens[0]


# --- watching pages ------------------------------------------------------------------------

#: Installed before any page script: CSP violations are also events, not only console lines.
_CSP_LISTENER = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", function (e) {
  window.__cspViolations.push(e.violatedDirective + " blocked " + (e.blockedURI || "inline"));
});
"""


@dataclass
class PageWatch:
    """Console errors, uncaught exceptions and CSP violations seen on one page."""

    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    #: Top-level documents loaded: their own status (a deliberate 410 or 422) is the test's to
    #: assert, so Chromium's "Failed to load resource" line about them is not a page error.
    documents: set[str] = field(default_factory=set)

    def attach(self, page) -> PageWatch:
        page.add_init_script(_CSP_LISTENER)
        page.on("console", self._console)
        page.on("pageerror", lambda exc: self.page_errors.append(str(exc)))
        page.on("request", lambda r: self.documents.add(r.url)
                if r.is_navigation_request() and r.frame.parent_frame is None else None)
        page.on("response", self._response)
        page.on("requestfailed", lambda r: self.failed.append(f"{r.method} {r.url}: {r.failure}"))
        return self

    def _console(self, message) -> None:
        if message.type != "error":
            return
        where = (message.location or {}).get("url", "")
        if message.text.startswith("Failed to load resource"):
            # A page that answers 4xx on purpose (the 410 page) logs its own status.
            if where in self.documents:
                return
        self.console_errors.append(f"{message.text} [{where}]" if where else message.text)

    def _response(self, response) -> None:
        if response.status >= 400:
            self.failed.append(f"{response.request.method} {response.url}: {response.status}")

    def problems(self, page) -> list[str]:
        csp = page.evaluate("window.__cspViolations || []")
        return ([f"console: {m}" for m in self.console_errors]
                + [f"pageerror: {m}" for m in self.page_errors]
                + [f"CSP: {m}" for m in csp]
                + ([f"(responses >= 400 or failed: {self.failed})"] if self.console_errors else []))


def distinct_colours(browser, png: bytes) -> int:
    """How many distinct colours a PNG has, counted by Chromium's canvas (no Pillow needed)."""
    page = browser.new_page()
    try:
        return page.evaluate("""async (b64) => {
            const img = new Image();
            img.src = "data:image/png;base64," + b64;
            await img.decode();
            const canvas = document.createElement("canvas");
            canvas.width = img.naturalWidth; canvas.height = img.naturalHeight;
            const ctx = canvas.getContext("2d");
            ctx.drawImage(img, 0, 0);
            const data = ctx.getImageData(0, 0, canvas.width, canvas.height).data;
            const seen = new Set();
            for (let i = 0; i < data.length; i += 4) {
                seen.add((data[i] << 16) | (data[i + 1] << 8) | data[i + 2]);
                if (seen.size > 5000) break;
            }
            return seen.size;
        }""", base64.b64encode(png).decode())
    finally:
        page.close()


def shoot(browser, page, folder: Path, name: str, *, full_page: bool = False) -> Path:
    """Save a screenshot and check it is not blank (a real page has text, borders, buttons)."""
    path = folder / f"{name}.png"
    png = page.screenshot(path=str(path), full_page=full_page)
    colours = distinct_colours(browser, png)
    assert colours > 8, f"{path} looks blank ({colours} colours)"
    return path

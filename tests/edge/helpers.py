"""Edge box test helpers: configuration files, segments made by the real segment muxer, a box in a thread."""

from __future__ import annotations

import asyncio
import re
import shutil
import subprocess
import threading
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path

import httpx

from rtcc_edge.box import EdgeBox
from rtcc_edge.segments import channel_dir, segment_name
from rtcc_edge.settings import load_settings


def write_config(folder: Path, cameras: list[dict], **top) -> Path:
    """A TOML configuration like an installer would write; returns its path."""
    name = top.pop("box_name", "Joe's Market, 1200 Texas St")
    lines = [f"box_name = {_toml(name)}", f"state_dir = {_toml(str(folder / 'state'))}",
             f"recordings_dir = {_toml(str(folder / 'recordings'))}"]
    tables: dict[str, dict] = {}
    for key, value in top.items():
        if isinstance(value, dict):
            tables[key] = value
        else:
            lines.append(f"{key} = {_toml(value)}")
    for name, values in tables.items():
        lines.append(f"[{name}]")
        lines += [f"{k} = {_toml(v)}" for k, v in values.items()]
    for camera in cameras:
        lines.append("[[cameras]]")
        lines += [f"{k} = {_toml(v)}" for k, v in camera.items()]
    path = folder / "rtcc-edge.toml"
    folder.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _toml(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return repr(value)


def camera(channel: int, url: str, **extra) -> dict:
    return {"channel": channel, "name": f"Camera {channel}", "url": url,
            "lat": 32.5093 + channel / 10000, "lon": -93.7474, "bearing": 90.0 * channel, **extra}


def muxed_segments(clip: Path, work: Path, seconds: int = 2) -> list[Path]:
    """The clip cut by ffmpeg's segment muxer exactly as the recorder runs it (streams copied)."""
    work.mkdir(parents=True, exist_ok=True)
    subprocess.run(["ffmpeg", "-nostdin", "-hide_banner", "-loglevel", "error", "-y", "-i", str(clip),
                    "-map", "0:v:0", "-c", "copy", "-f", "segment", "-segment_time", str(seconds),
                    "-segment_format", "mpegts", "-reset_timestamps", "1", str(work / "%04d.ts")],
                   check=True, capture_output=True)
    return sorted(work.glob("*.ts"))


def lay_segments(recordings: Path, channel: int, pieces: list[Path], start: datetime,
                 seconds: int = 2, count: int | None = None) -> list[Path]:
    """Copies of ``pieces`` named as if recorded from ``start`` on, one every ``seconds``."""
    laid = []
    for index in range(count or len(pieces)):
        target = channel_dir(recordings, channel) / segment_name(start + timedelta(seconds=seconds * index), "ts")
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(pieces[index % len(pieces)], target)
        laid.append(target)
    return laid


def ffprobe_duration(path: Path) -> float:
    done = subprocess.run(["ffprobe", "-v", "error", "-show_entries", "format=duration", "-of",
                           "default=nw=1:nk=1", str(path)], capture_output=True, text=True, check=True)
    return float(done.stdout.strip())


def wait_until(predicate: Callable[[], object], timeout: float = 30, what: str = "a condition") -> object:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = predicate()
        if found:
            return found
        time.sleep(0.1)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")


class BoxThread:
    """An EdgeBox running its own event loop in a thread, as the daemon runs it; stopped cleanly."""

    def __init__(self, config: Path, *, owner_page: bool = True, clock=None) -> None:
        self.settings = load_settings(config)
        self.box = EdgeBox(self.settings, clock=clock)
        self.owner_page = owner_page
        self.loop = asyncio.new_event_loop()
        self._stop: asyncio.Event | None = None
        self._thread = threading.Thread(target=self._run, daemon=True, name="edge-box")
        self._errors: list[BaseException] = []

    def _run(self) -> None:
        asyncio.set_event_loop(self.loop)

        async def main() -> None:
            self._stop = asyncio.Event()
            await self.box.run(self._stop, owner_page=self.owner_page)

        try:
            self.loop.run_until_complete(main())
        except BaseException as exc:  # noqa: BLE001 - shown by stop()
            self._errors.append(exc)

    @property
    def page_url(self) -> str:
        return f"http://{self.settings.owner_page.host}:{self.settings.owner_page.port}"

    def start(self) -> BoxThread:
        self._thread.start()
        wait_until(lambda: self._stop is not None, 10, "the box loop")
        if self.owner_page:
            wait_until(self._page_answers, 15, "the owner page")
        return self

    def _page_answers(self) -> bool:
        try:
            return httpx.get(f"{self.page_url}/login", timeout=2).status_code == 200
        except httpx.HTTPError:
            return False

    def call(self, fn: Callable, *args):
        """Run ``fn(*args)`` on the box's loop thread (what the owner page does) and return its value."""
        async def run():
            return fn(*args)
        return asyncio.run_coroutine_threadsafe(run(), self.loop).result(10)

    def stop(self) -> None:
        if self._stop is not None:
            self.loop.call_soon_threadsafe(self._stop.set)
        self._thread.join(timeout=30)
        assert not self._thread.is_alive(), "the box did not stop within 30 s"
        self.loop.close()
        if self._errors:
            raise self._errors[0]


class OwnerBrowser:
    """The owner's page over plain HTTP with cookies: sign in, then post its forms."""

    def __init__(self, base: str) -> None:
        self.client = httpx.Client(base_url=base, follow_redirects=True, timeout=10)

    def csrf(self, html: str) -> str:
        return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)

    def sign_in(self, password: str) -> httpx.Response:
        page = self.client.get("/login")
        return self.client.post("/login", data={"password": password, "csrf_token": self.csrf(page.text)})

    def post(self, path: str, **fields) -> httpx.Response:
        page = self.client.get("/")
        return self.client.post(path, data={**fields, "csrf_token": self.csrf(page.text)})

    def close(self) -> None:
        self.client.close()

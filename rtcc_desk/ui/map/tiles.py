"""The page's network: MBTiles served on a custom scheme, and a guard that keeps requests local.

``rtcc-tiles://<package>/{z}/{x}/{y}`` is answered from a local MBTiles file (no port, no
server). The scheme must be registered before QtWebEngine starts, so importing
``rtcc_desk.ui.map`` registers it. ``LocalOnlyGuard`` blocks every request that would leave
the machine except to the one tile server the configuration names.
"""

from __future__ import annotations

import logging
from urllib.parse import urlsplit

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QObject
from PySide6.QtWebEngineCore import (
    QWebEngineProfile,
    QWebEngineUrlRequestInfo,
    QWebEngineUrlRequestInterceptor,
    QWebEngineUrlRequestJob,
    QWebEngineUrlScheme,
    QWebEngineUrlSchemeHandler,
)

from rtcc_desk.adapters.map_tiles import MBTilesPackage
from rtcc_desk.ui.background import run_in_background

log = logging.getLogger("rtcc.desk.map")

TILE_SCHEME = b"rtcc-tiles"
#: Schemes that never leave the machine.
LOCAL_SCHEMES = frozenset({"file", "qrc", "data", "blob", "about", TILE_SCHEME.decode()})
LOCAL_HOSTS = frozenset({"localhost", "127.0.0.1", "::1", "[::1]"})


def register_tile_scheme() -> None:
    """Register the tile scheme (once; must run before the first QtWebEngine object exists)."""
    if QWebEngineUrlScheme.schemeByName(TILE_SCHEME).name():
        return
    scheme = QWebEngineUrlScheme(TILE_SCHEME)
    scheme.setSyntax(QWebEngineUrlScheme.Syntax.Host)
    # LocalScheme: the page is a local file, and Chromium lets local pages load local schemes.
    scheme.setFlags(QWebEngineUrlScheme.Flag.SecureScheme | QWebEngineUrlScheme.Flag.LocalScheme
                    | QWebEngineUrlScheme.Flag.CorsEnabled)
    QWebEngineUrlScheme.registerScheme(scheme)


class TileSchemeHandler(QWebEngineUrlSchemeHandler):
    """Answers ``rtcc-tiles://<name>/{z}/{x}/{y}`` from the packages added to it.

    The SQLite read runs on a worker thread; the reply is made back on the GUI thread.
    """

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.packages: dict[str, MBTilesPackage] = {}
        self.served = 0
        self.missing = 0

    @classmethod
    def for_profile(cls, profile: QWebEngineProfile) -> TileSchemeHandler:
        """The profile's handler, installed on first use (a profile takes one per scheme)."""
        handler = profile.findChild(cls, "rtcc-tile-handler")
        if handler is None:
            handler = cls(profile)
            handler.setObjectName("rtcc-tile-handler")
            profile.installUrlSchemeHandler(TILE_SCHEME, handler)
        return handler

    def add(self, name: str, package: MBTilesPackage) -> str:
        """Serve a package under ``name``; returns the URL template for Leaflet."""
        self.packages[name] = package
        return f"{TILE_SCHEME.decode()}://{name}/{{z}}/{{x}}/{{y}}"

    def remove(self, name: str) -> None:
        package = self.packages.pop(name, None)
        if package is not None:
            package.close()

    def requestStarted(self, job: QWebEngineUrlRequestJob) -> None:  # noqa: N802 (Qt's name)
        url = job.requestUrl()
        package = self.packages.get(url.host())
        try:
            z, x, y = (int(part.split(".")[0]) for part in url.path().strip("/").split("/"))
        except ValueError:
            package = None
        if package is None:
            job.fail(QWebEngineUrlRequestJob.Error.UrlNotFound)
            return

        def reply(data: bytes | None) -> None:
            try:
                if data is None:
                    self.missing += 1
                    job.fail(QWebEngineUrlRequestJob.Error.UrlNotFound)
                    return
                buffer = QBuffer(job)  # the job owns it, so it lives as long as the reply
                buffer.setData(QByteArray(data))
                buffer.open(QIODevice.OpenModeFlag.ReadOnly)
                job.reply(package.info.mime_type.encode(), buffer)
                self.served += 1
            except RuntimeError:  # the page gave up on this tile (panned away) meanwhile
                pass

        def failed(exc: Exception) -> None:
            log.warning("tile %s/%s/%s from %s: %s", z, x, y, package.path, exc)
            try:
                job.fail(QWebEngineUrlRequestJob.Error.RequestFailed)
            except RuntimeError:
                pass

        run_in_background(lambda: package.tile(z, x, y), reply, failed)


class LocalOnlyGuard(QWebEngineUrlRequestInterceptor):
    """Blocks any request off the machine except to the configured tile server's host."""

    def __init__(self, allowed_hosts: frozenset[str] = frozenset(), parent: QObject | None = None):
        super().__init__(parent)
        self.allowed_hosts = allowed_hosts
        self.blocked: list[str] = []

    def interceptRequest(self, info: QWebEngineUrlRequestInfo) -> None:  # noqa: N802
        url = info.requestUrl().toString()
        if not is_local(url, self.allowed_hosts):
            info.block(True)
            self.blocked.append(url)
            log.warning("map page asked for %s: blocked (only local assets are allowed)", url)


def is_local(url: str, allowed_hosts: frozenset[str] = frozenset()) -> bool:
    """Whether a request stays on this machine (or goes to an explicitly allowed host)."""
    parts = urlsplit(url)
    if parts.scheme in LOCAL_SCHEMES:
        return True
    host = (parts.hostname or "").lower()
    if host in LOCAL_HOSTS:
        return True
    # ".example.org" allows any subdomain (a template's {s}.example.org)
    return any(host == h or (h.startswith(".") and host.endswith(h)) for h in allowed_hosts)


def tile_hosts(tile_url: str | None) -> frozenset[str]:
    """The host(s) a tile URL template reaches, in the form ``is_local`` accepts."""
    if not tile_url:
        return frozenset()
    host = (urlsplit(tile_url.replace("{s}", "SUBDOMAIN")).hostname or "").lower()
    if host.startswith("subdomain."):
        return frozenset({host[len("subdomain"):]})
    return frozenset({host}) if host else frozenset()

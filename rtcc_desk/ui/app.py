"""`rtcc-desk`: the composition root — settings, sign-in, panes, feeds, registry, audit, layout."""

from __future__ import annotations

import argparse
import logging
import os
import socket
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from rtcc_desk.adapters.settings import DeskSettings, SettingsError, data_dir, load_settings

log = logging.getLogger("rtcc.desk")
DEMO_BANNER = "DEMO MODE — simulated calls and cameras, no second factor"
#: Which panes each role sees (the union over the user's roles).
PANES_BY_ROLE = {
    "analyst": {"map", "calls", "candidates", "details", "requests", "dashboard"},
    "supervisor": {"map", "calls", "candidates", "details", "requests", "dashboard"},
    "privacy_reviewer": {"map", "details"},
    "admin": {"map", "details"},
}


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="rtcc-desk", description="The RTCC analyst workstation.")
    parser.add_argument("--demo", action="store_true",
                        help="run with an embedded demo server, the Shreveport demo cameras and a "
                             "simulated CAD feed (no network needed); prints the demo accounts")
    parser.add_argument("--server", help="registry server URL (overrides the settings)")
    parser.add_argument("--config", type=Path, help="settings file (default: rtcc.toml in the user config folder)")
    parser.add_argument("--workstation", default=socket.gethostname(),
                        help="name under which this workstation's window layout is saved")
    parser.add_argument("--demo-calls-per-minute", type=float, default=4.0,
                        help="new simulated calls per minute in demo mode (updates come on top)")
    parser.add_argument("--demo-seed", type=int, default=None,
                        help="replay the same simulated calls (same types and places) every run, "
                             "e.g. for training; default: a new scenario each start")
    return parser.parse_args(argv)


def prepare_qt_environment() -> None:
    """Chromium (QtWebEngine) refuses its sandbox as root, e.g. in containers; say so and go on."""
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        flags = os.environ.get("QTWEBENGINE_CHROMIUM_FLAGS", "")
        if "--no-sandbox" not in flags:
            os.environ["QTWEBENGINE_CHROMIUM_FLAGS"] = f"{flags} --no-sandbox".strip()


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    try:
        settings = load_settings(args.config)
    except SettingsError as exc:
        print(f"rtcc-desk: {exc}", file=sys.stderr)
        return 2
    prepare_qt_environment()
    from PySide6.QtWidgets import QApplication

    import rtcc_desk.ui.map  # noqa: F401  (registers the map's URL scheme: before QApplication)

    from rtcc_desk.ui.theme import apply_dark_theme

    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("RTCC Desk")
    apply_dark_theme(app)
    return run(app, settings, args)


def run(app, settings: DeskSettings, args: argparse.Namespace) -> int:
    from rtcc_desk.adapters.demo.environment import DemoError, start_demo

    demo = None
    folder = data_dir() / ("demo" if args.demo else "")
    if args.demo:
        try:
            demo = start_demo(folder)
        except DemoError as exc:
            print(f"rtcc-desk: {exc}", file=sys.stderr)
            return 1
        print("Demo server:", demo.server.base_url, flush=True)
        for account in demo.accounts:
            print(f"  {account['username']:<18} {account['password']}  ({', '.join(account['roles'])})",
                  flush=True)
    desk = None
    try:
        built = build_desk(settings, args, folder, demo)
        if built is None:
            return 0  # sign-in cancelled
        window, desk = built
        window.show()
        return app.exec()
    finally:
        if desk is not None:
            desk.stop()
        if demo is not None:
            demo.stop()


def build_desk(settings: DeskSettings, args: argparse.Namespace, folder: Path, demo):
    """Sign in, then build the window and start the desk; None when sign-in is cancelled."""
    from rtcc_desk.adapters.local_password import password_checker
    from rtcc_desk.adapters.server_link.client import ServerClient
    from rtcc_desk.adapters.server_link.offline_sign_in import OfflineSignIn
    from rtcc_desk.ui.idle_lock import IdleLock
    from rtcc_desk.ui.login import LoginDialog

    server_url = demo.server.base_url if demo else (args.server or settings.server_url)
    client = ServerClient(server_url)
    account = demo.account("analyst") if demo else None
    entered: dict[str, str] = {}
    attempt = sign_in_attempt(client, OfflineSignIn(folder), entered)

    dialog = LoginDialog(attempt, server=server_url, username=account["username"] if account else "",
                         password=account["password"] if account else "",
                         banner=DEMO_BANNER if demo else None)
    if not dialog.exec():
        return None
    session = dialog.session
    window, desk = assemble(settings, args, folder, demo, client, session)
    lock = IdleLock(settings.idle_lock_minutes * 60, password_checker(entered.pop("password")),
                    session.username, window)
    window.lock_requested.connect(lock.lock)
    if desk.privacy is not None:  # no unmasked picture stays on a locked screen
        lock.locked.connect(desk.privacy.stop)
    desk.sign_in_needed.connect(lambda: sign_in_again(window, desk, client, session.username, server_url))
    desk.start()
    if "dashboard" in window.panes:
        window.panes["dashboard"].widget().refresh()
    return window, desk


def sign_in_attempt(client, offline, entered: dict[str, str]):
    """Online sign-in (remembered for offline use); offline sign-in when the server is unreachable."""
    from rtcc_desk.adapters.server_link.errors import ServerUnreachable

    def attempt(username: str, password: str, code: str | None):
        try:
            session = client.login(username, password, code)
        except ServerUnreachable:
            session = offline.check(username, password)
            if session is None:
                raise ServerUnreachable(f"The server at {client.base_url} cannot be reached, and this "
                                        "user name and password did not sign in on this desk in "
                                        "the last 7 days.") from None
        else:
            offline.remember(username, password, session.roles)
        entered["password"] = password
        return session

    return attempt


def sign_in_again(window, desk, client, username: str, server_url: str) -> None:
    """The server is reachable again after an offline start: one online sign-in resumes sync."""
    from rtcc_desk.ui.login import LoginDialog

    window.status.showMessage("The server is back: sign in again to sync and deliver queued audit records.")
    dialog = LoginDialog(lambda u, p, c: client.login(u, p, c), server=server_url, username=username,
                         banner="Signed in offline — sign in to the server to catch up", parent=window)
    dialog.accepted.connect(desk.signed_in_again)
    dialog.open()


def assemble(settings: DeskSettings, args, folder: Path, demo, client, session):
    """The main window and the desk behind it, for a signed-in analyst."""
    from shapely.geometry import mapping

    from rtcc_desk.adapters.demo import CadSimulator, default_vocabulary
    from rtcc_desk.adapters.cad import load_normaliser
    from rtcc_desk.adapters.feeds.eido_http import EidoHttpListener
    from rtcc_desk.adapters.feeds.health_log import FeedHealthLog
    from rtcc_desk.adapters.feeds.hub import FeedHub
    from rtcc_desk.adapters.feeds.simulator_feed import SimulatorFeed
    from rtcc_desk.adapters.feeds.watched_folder import WatchedFolderFeed
    from rtcc_desk.adapters.server_link.audit_outbox import AuditOutbox
    from rtcc_desk.adapters.server_link.registry_cache import RegistryCache
    from rtcc_desk.adapters.server_link.request_outbox import RequestOutbox
    from rtcc_desk.adapters.server_link.verdict_outbox import VerdictOutbox
    from rtcc_desk.adapters.store import load_cameras, open_store
    from rtcc_desk.core.camera_index import CameraIndex
    from rtcc_desk.ui.calls.pane import CallsPane
    from rtcc_desk.ui.city_camera_sync import CityCameraFollower
    from rtcc_desk.ui.privacy_wiring import add_privacy_menu
    from rtcc_desk.ui.wall_wiring import add_video_walls
    from rtcc_desk.ui.camera_details import CameraDetailsPane
    from rtcc_desk.ui.candidates.pane import CandidatesPane
    from rtcc_desk.adapters.server_link.dashboard_source import dashboard_loader
    from rtcc_desk.ui.dashboard import DashboardPane
    from rtcc_desk.ui.desk import Desk, DeskParts, FeedRelay
    from rtcc_desk.ui.feed_log import FeedLogDialog
    from rtcc_desk.ui.feed_menu import add_feed_menu
    from rtcc_desk.ui.main_window import MainWindow
    from rtcc_desk.ui.map.config import MapConfig
    from rtcc_desk.ui.map.pane import MapPane
    from rtcc_desk.ui.edge_actions import add_edge_actions
    from rtcc_desk.ui.request_wiring import DeskRequests
    from rtcc_desk.ui.review_wiring import DeskReview
    from rtcc_desk.ui.status_bar import DeskStatusBar

    zone = ZoneInfo(settings.timezone)
    folder.mkdir(parents=True, exist_ok=True)
    link_url = f"sqlite:///{folder / 'desk-link.sqlite3'}"
    registry, outbox = RegistryCache.open(link_url), AuditOutbox.open(link_url)
    boundary = settings.boundary()
    index = CameraIndex(boundary, radii=settings.search_radii_m,
                        default_radius_m=settings.default_search_radius_m)
    if demo:
        local = demo.local_cameras
    else:
        sessions = open_store(settings.database_url)
        with sessions() as store:
            local = load_cameras(store)
    index.load([*local, *registry.cameras()])

    status = DeskStatusBar(zone)
    status.set_user(session.username + (" — signed in offline" if getattr(session, "offline", False) else ""),
                    list(session.roles), demo=demo is not None)
    window = MainWindow(folder / "layouts" / f"{args.workstation}.json", status,
                        banner=DEMO_BANNER if demo else None)
    map_pane = MapPane(MapConfig(tile_url=settings.map_tile_url or None,
                                 attribution=settings.map_tile_attribution,
                                 mbtiles=Path(settings.map_mbtiles) if settings.map_mbtiles else None,
                                 outline=mapping(boundary.boundary)))
    calls = CallsPane(zone, high_priority=settings.high_priority)
    candidates = CandidatesPane()
    details = CameraDetailsPane(fetch_owner=client.owner_contact)
    dashboard = DashboardPane(dashboard_loader(client, call_time=lambda ref: _received_at(calls, ref)),
                              zone=zone)
    visible = set().union(*(PANES_BY_ROLE.get(r, set()) for r in session.roles)) or {"map"}
    for key, title, widget, area, shortcut, below, tab in (
        ("calls", "Calls", calls, "left", "Ctrl+1", None, None),
        ("candidates", "Candidates", candidates, "left", "Ctrl+2", "calls", None),
        ("details", "Camera details", details, "left", "Ctrl+4", "calls", "candidates"),
        ("map", "Map", map_pane, "right", "Ctrl+3", None, None),
        ("dashboard", "Time to footage", dashboard, "right", "Ctrl+5", None, "map"),
    ):
        if key in visible:
            window.add_pane(key, title, widget, area, shortcut, split_with=below, tab_with=tab)
    for front in ("candidates", "map"):  # the tabs in front at first start
        if front in window.panes:
            window.panes[front].raise_()
    window.resize(1600, 950)

    relay = FeedRelay()
    feeds = FeedHub(relay, FeedHealthLog(folder / "feed-health"))
    if demo:
        # The simulator's clock runs with the wall clock (rate None), so calls are received "now".
        seed = getattr(args, "demo_seed", None)
        simulator = CadSimulator(seed=int(datetime.now(UTC).timestamp()) % 100_000 if seed is None else seed,
                                 vocabulary=default_vocabulary(normalise=load_normaliser().normalise),
                                 start=datetime.now(UTC).replace(microsecond=0),
                                 rate_per_hour=args.demo_calls_per_minute * 60)
        feeds.add(SimulatorFeed(simulator, None))
    if settings.eido_listener_port:
        feeds.add(EidoHttpListener(port=settings.eido_listener_port))
    if settings.watch_folder:
        feeds.add(WatchedFolderFeed(settings.watch_folder))
    feed_log = FeedLogDialog(feeds, window)
    status.feed_log_requested.connect(feed_log.show_log)
    add_feed_menu(window, feeds, feed_log)

    desk = Desk(DeskParts(session.username, index, map_pane, calls, candidates, details, status,
                          client, registry, outbox, feeds, relay),
                sync_every_s=settings.registry_sync_seconds)
    if "requests" in visible:
        desk.requests = DeskRequests(window, desk, client, RequestOutbox.open(link_url), zone,
                                     escalate_within=timedelta(hours=settings.escalate_hours))
        window.add_pane("requests", "Requests", desk.requests.pane, "left", "Ctrl+6", tab_with="calls")
        desk.review = DeskReview(desk.requests, client, folder / "review", VerdictOutbox.open(link_url))
        window.panes["calls"].raise_()
    add_edge_actions(desk, client, zone, session.roles)  # an edge channel's buttons in its details
    window.restore()
    desk.city_cameras = CityCameraFollower(desk)
    desk.walls = add_video_walls(window, desk, index, folder, settings, roles=session.roles,
                                 workstation=args.workstation, demo=demo is not None)
    if desk.walls is not None:
        desk.city_cameras.changed.connect(lambda _ids: desk.walls.cameras_changed())
    desk.privacy = add_privacy_menu(window, client, session, details=details, audit=desk.audit,
                                    open_stream=_demo_unmasked(desk) if demo else None)
    if desk.privacy is not None:
        desk.city_cameras.changed.connect(lambda _ids: desk.privacy.cameras_changed(desk.p.index))
        if desk.walls is not None and desk.privacy.may_unmask:
            desk.walls.services.view_unmasked = desk.privacy.view_unmasked
    return window, desk


def _demo_unmasked(desk):
    """In the demo, reviewers and supervisors watch the demo's local video, as the wall does."""
    from rtcc_desk.ui.privacy.live_view import unmasked_stream

    def open_stream(camera):
        demo_video = desk.walls.demo if desk.walls is not None else None
        if demo_video is not None and demo_video.streams:
            camera = demo_video.cameras_with_video([camera])[0]
        return unmasked_stream(camera)
    return open_stream


def _received_at(calls, call_ref: str):
    """When the desk received a call (for the dashboard's call-to-request time); None if unknown."""
    call = calls.model.call(call_ref) if call_ref else None
    return call.received_at if call else None


if __name__ == "__main__":
    sys.exit(main())

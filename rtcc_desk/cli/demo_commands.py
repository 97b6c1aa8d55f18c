"""`rtcc demo-data` (write Shreveport demo files) and `rtcc demo` (a live headless call feed)."""

from __future__ import annotations

import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from rtcc_desk.adapters.cad import load_normaliser
from rtcc_desk.adapters.cad.csv_export import write_calls_csv
from rtcc_desk.adapters.demo import (
    DEFAULT_START,
    CadSimulator,
    default_vocabulary,
    generate_demo_cameras,
    write_demo_cameras_csv,
)
from rtcc_desk.adapters.settings import data_dir
from rtcc_desk.adapters.store import StoreError, open_store, save_calls, save_cameras
from rtcc_desk.cli.output import EXIT_OK, fail
from rtcc_desk.core.camera_index import CameraIndex
from rtcc_desk.core.calls import CallBook
from rtcc_desk.core.correlation import CorrelationStatus


def register(commands, epilog: str) -> None:
    data = commands.add_parser(
        "demo-data",
        help="write Shreveport demo cameras and simulated calls (CSV), optionally into the store",
        description="Deterministic by seed: 90 poles x 3 city cameras, registered cameras, edge "
        "devices, and a simulated CAD feed.",
        epilog=epilog,
    )
    data.add_argument("--out", type=Path, default=Path("demo-data"), help="folder for the CSV files")
    _demo_options(data)
    data.add_argument("--load", action="store_true", help="also store cameras and calls in the database")
    data.set_defaults(handler=demo_data)

    demo = commands.add_parser(
        "demo",
        help="run a headless demo: simulated calls with their candidate cameras, live",
        description="Loads the Shreveport demo cameras into a demo database and plays the CAD "
        "simulator, printing each call and the cameras that may have seen it.",
        epilog=epilog,
    )
    _demo_options(demo)
    demo.add_argument("--interval", type=float, default=0.5, help="seconds between calls on screen")
    demo.set_defaults(handler=run_demo, calls=30)


def _demo_options(parser) -> None:
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--registered", type=int, default=3000, help="registered cameras")
    parser.add_argument("--edge-devices", type=int, default=6)
    parser.add_argument("--calls", type=int, default=500, help="simulated CAD messages (0: endless, demo only)")
    parser.add_argument("--start", help="simulated clock start, ISO 8601 with offset (default: now)")


def _simulator(args, default_start: datetime) -> CadSimulator:
    start = datetime.fromisoformat(args.start) if args.start else default_start
    if start.tzinfo is None:
        raise ValueError(f"--start {args.start!r} needs a UTC offset, e.g. {args.start}-06:00")
    normaliser = load_normaliser()
    return CadSimulator(
        seed=args.seed, vocabulary=default_vocabulary(normalise=normaliser.normalise),
        start=start.replace(microsecond=0),
    )


def demo_data(args, settings) -> int:
    if args.calls < 0 or args.registered < 0:
        return fail("--calls and --registered must not be negative")
    cameras = generate_demo_cameras(
        seed=args.seed, registered=args.registered, edge_devices=args.edge_devices
    )
    try:
        # A fixed default start keeps the files identical for the same seed.
        messages = _simulator(args, DEFAULT_START).take(args.calls)
    except ValueError as exc:
        return fail(str(exc))
    cameras_path = write_demo_cameras_csv(cameras, args.out / "shreveport_cameras.csv")
    calls_path = write_calls_csv(messages, args.out / "shreveport_calls.csv")
    print(f"wrote {len(cameras)} cameras to {cameras_path}", file=sys.stderr)
    print(f"wrote {len(messages)} CAD messages to {calls_path}", file=sys.stderr)
    if args.load:
        book = CallBook()
        for message in messages:
            book.add(message)
        try:
            sessions = open_store(settings.database_url)
        except StoreError as exc:
            return fail(str(exc))
        with sessions() as session:
            save_cameras(session, cameras)
            save_calls(session, book)
        print(f"stored {len(cameras)} cameras and {len(book)} calls in {settings.database_url}", file=sys.stderr)
    return EXIT_OK


def run_demo(args, settings) -> int:
    # The demo keeps its own database unless one is named, so it never mixes with real data.
    url = args.database or f"sqlite:///{data_dir() / 'demo.sqlite3'}"
    cameras = generate_demo_cameras(seed=args.seed, registered=args.registered, edge_devices=args.edge_devices)
    try:
        sessions = open_store(url)
    except StoreError as exc:
        return fail(str(exc))
    with sessions() as session:
        save_cameras(session, cameras)
    index = CameraIndex(settings.boundary(), radii=settings.search_radii_m,
                        default_radius_m=settings.default_search_radius_m)
    index.load(cameras)
    print(f"RTCC Desk demo — Shreveport: {len(index)} cameras indexed (store: {url})")
    print("Simulated CAD feed; Ctrl-C to stop.\n")
    try:
        simulator = _simulator(args, datetime.now(UTC))
    except ValueError as exc:
        return fail(str(exc))
    book, shown, with_cameras = CallBook(), 0, 0
    zone = ZoneInfo(settings.timezone)
    try:
        for message in simulator:
            call = book.add(message)
            if len(call.history) == 0:  # show each new incident once; updates merge silently
                # deadlines are judged on the simulated clock, which runs ahead of the wall
                result = index.candidates_for_call(call, now=simulator.clock)
                _print_call(call, result, zone, simulator.clock)
                shown += 1
                with_cameras += bool(result.candidates)
                time.sleep(max(args.interval, 0))
            if args.calls and shown >= args.calls:
                break
    finally:  # Ctrl-C included: what was shown is kept
        with sessions() as session:
            save_calls(session, book)
        print(f"\n{shown} calls shown, {with_cameras} with cameras that may have seen them; "
              f"{len(book)} incidents stored.")
    return EXIT_OK


def _print_call(call, result, zone: ZoneInfo, now: datetime) -> None:
    priority = call.priority.common if call.priority.common is not None else "-"
    local = call.received_at.astimezone(zone).strftime("%H:%M:%S")
    print(f"{local}  P{priority:<2}  {call.call_id}  {call.call_type.label[:38]:<38}  {call.address[:40]}")
    if result.status is not CorrelationStatus.OK:
        print(f"            ({result.status.value.replace('_', ' ')})")
        return
    if not result.candidates:
        print(f"            no cameras within {result.radius_m:.0f} m see this location")
        return
    for candidate in result.candidates[:4]:
        left = _deadline_text(candidate.overwrite_deadline, now)
        seen = "sees it" if candidate.sees_location else "direction unknown"
        print(
            f"            {candidate.camera.camera_id:<16} {candidate.camera.kind.value:<12} "
            f"{candidate.distance_m:6.0f} m  {seen:<17} {candidate.access.value:<9} {left}"
        )
    if len(result.candidates) > 4:
        print(f"            ... {len(result.candidates) - 4} more")


def _deadline_text(deadline: datetime | None, now: datetime) -> str:
    if deadline is None:
        return "retention unknown"
    days = (deadline - now).total_seconds() / 86400
    if days < 0:
        return f"overwritten {-days:.0f} d ago"
    return f"overwritten in {days:.0f} d" if days >= 1 else f"overwritten in {days * 24:.0f} h"

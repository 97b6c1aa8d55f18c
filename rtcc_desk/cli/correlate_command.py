"""`rtcc correlate`: candidate cameras for calls (from files or the store) or a map point, as JSON lines."""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from pathlib import Path

from rtcc_desk.adapters.cad import CadError, import_calls_csv, import_eido_file, load_normaliser
from rtcc_desk.adapters.store import StoreError, load_calls, load_cameras, open_store
from rtcc_desk.adapters.tabular import TabularError, make_latlon
from rtcc_desk.cli.output import EXIT_OK, EXIT_SOME_REJECTED, fail, report_rejections, result_json
from rtcc_desk.core.calls import CallBook
from rtcc_desk.core.camera_index import CameraIndex
from rtcc_desk.core.rejections import RowError


def register(commands, epilog: str) -> None:
    parser = commands.add_parser(
        "correlate",
        help="list the cameras that may have seen each call (JSON lines)",
        description="For each call (from --calls files, else every call in the store) or for "
        "one map point (--at), print one JSON line: call id, status, and candidate cameras with "
        "kind, distance in metres, sees-location / direction-unknown, access and overwrite deadline.",
        epilog=epilog,
    )
    source = parser.add_mutually_exclusive_group()
    source.add_argument("--calls", nargs="+", type=Path, metavar="FILE", help="calls CSV or EIDO JSON files")
    source.add_argument("--at", metavar="LAT,LON", help="a map point instead of calls")
    parser.add_argument("--time", help="incident time for --at (ISO 8601; default now)")
    parser.add_argument("--call-id", action="append", default=[], help="only these calls (repeatable)")
    parser.add_argument("--radius", type=float, metavar="M", help="search radius in metres (default: by call type)")
    parser.add_argument("--now", help="the time deadlines are judged against (ISO 8601; default now)")
    parser.set_defaults(handler=correlate)


def _aware(text: str | None, name: str) -> datetime:
    if not text:
        return datetime.now(UTC)
    value = datetime.fromisoformat(text)
    if value.tzinfo is None:
        raise ValueError(f"{name} {text!r} needs a UTC offset, e.g. {text}Z or {text}-06:00")
    return value


def correlate(args, settings) -> int:
    try:
        now = _aware(args.now, "--now")
        incident_time = _aware(args.time, "--time")
        if args.radius is not None and not 0 < args.radius <= 5000:
            raise ValueError(f"--radius {args.radius} must be a number of metres in (0, 5000]")
        sessions = open_store(settings.database_url)
        with sessions() as session:
            cameras = load_cameras(session)
            stored_calls = [] if (args.calls or args.at) else load_calls(session)
    except (ValueError, StoreError) as exc:
        return fail(str(exc))

    index = CameraIndex(
        settings.boundary(), radii=settings.search_radii_m,
        default_radius_m=settings.default_search_radius_m,
    )
    index.load(cameras)
    print(
        f"{len(index)} cameras indexed, {index.outside_count} outside the jurisdiction, "
        f"{index.out_of_service_count} not in service (e.g. awaiting privacy review)",
        file=sys.stderr,
    )
    if args.at:
        return _correlate_point(args, index, incident_time, now, settings)

    rejected = 0
    calls = stored_calls
    if args.calls:
        try:
            calls, rejected = _read_calls(args.calls, settings)
        except (TabularError, CadError, OSError) as exc:
            return fail(str(exc))
    wanted = set(args.call_id)
    for call in calls:
        if wanted and call.call_id not in wanted:
            continue
        result = index.candidates_for_call(call, now=now, radius_m=args.radius)
        print(result_json(result, received_at=call.received_at.isoformat(), call_type=call.call_type.label))
    return EXIT_SOME_REJECTED if rejected else EXIT_OK


def _correlate_point(args, index, incident_time, now, settings) -> int:
    try:
        lat_text, _, lon_text = args.at.partition(",")
        point = make_latlon("--at", float(lat_text), float(lon_text))
    except (ValueError, RowError) as exc:
        return fail(f"--at {args.at!r}: give LAT,LON in decimal degrees ({exc})")
    radius = args.radius or settings.default_search_radius_m
    result = index.candidates_at(point, incident_time=incident_time, now=now, radius_m=radius, call_id="map-point")
    print(result_json(result, received_at=incident_time.isoformat()))
    return EXIT_OK


def _read_calls(paths, settings):
    """Calls from every file, updates of one incident merged across files."""
    normaliser = load_normaliser()
    book, rejected = CallBook(), 0
    for path in paths:
        if path.suffix.lower() == ".csv":
            report = import_calls_csv(
                path, home_timezone=settings.timezone, normaliser=normaliser
            )
        else:
            report = import_eido_file(path, normaliser=normaliser)
        rejected += report_rejections(report.rejected)
        for call in report.accepted:
            for version in (*call.history, call):
                book.add(version)
    return list(book), rejected

"""`rtcc import-cameras` and `rtcc import-calls`: read files, store what is good, list the rest."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

from rtcc_desk.adapters.cad import CadError, import_calls_csv, import_eido_file, load_normaliser
from rtcc_desk.adapters.camera_files import (
    FIELD_NAMES,
    detect_camera_file_format,
    import_cameras_csv,
    import_cameras_geojson,
    import_osm_cameras,
    parse_camera_kind,
)
from rtcc_desk.adapters.store import StoreError, open_store, save_calls, save_cameras
from rtcc_desk.adapters.tabular import AxisOrder, TabularError
from rtcc_desk.cli.output import EXIT_OK, EXIT_SOME_REJECTED, EXIT_UNUSABLE, fail, report_rejections
from rtcc_desk.core.rejections import ImportReport, Rejection


def register(commands, epilog: str) -> None:
    cameras = commands.add_parser(
        "import-cameras",
        help="import camera locations from CSV, GeoJSON or OpenStreetMap JSON",
        description="Import cameras into the store. Columns are detected from common names "
        "(lat/latitude/Y, lon/longitude/X, WKT POINT); map others with --map FIELD=COLUMN. "
        f"Fields: {', '.join(FIELD_NAMES)}.",
        epilog=epilog,
    )
    cameras.add_argument("files", nargs="+", type=Path, metavar="FILE")
    cameras.add_argument("--format", choices=["auto", "csv", "geojson", "osm"], default="auto")
    cameras.add_argument("--kind", help="camera kind for every row: city_pole, business, residential, edge_channel")
    cameras.add_argument("--kind-column", help="column (or GeoJSON property) holding each row's kind")
    _mapping_options(cameras)
    cameras.add_argument("--id-prefix", help="prefix for camera ids (default: the file name; 'osm' for OSM)")
    cameras.add_argument("--dry-run", action="store_true", help="check the files, store nothing")
    cameras.set_defaults(handler=import_cameras)

    calls = commands.add_parser(
        "import-calls",
        help="import CAD calls from CSV or NENA EIDO JSON",
        description="Import calls into the store. Updates of one incident merge into one call, "
        "also across files and with calls stored earlier.",
        epilog=epilog,
    )
    calls.add_argument("files", nargs="+", type=Path, metavar="FILE")
    calls.add_argument("--format", choices=["auto", "csv", "eido"], default="auto")
    _mapping_options(calls)
    calls.add_argument(
        "--timezone",
        help="IANA zone of times without an offset (default: a known schema's own zone, else the settings' zone)",
    )
    calls.add_argument("--dry-run", action="store_true", help="check the files, store nothing")
    calls.set_defaults(handler=import_calls)


def _mapping_options(parser) -> None:
    parser.add_argument(
        "--map", action="append", default=[], metavar="FIELD=COLUMN",
        help="take FIELD from the file's COLUMN (repeatable)",
    )
    parser.add_argument(
        "--axis-order", choices=[a.value for a in AxisOrder], default=AxisOrder.LON_LAT.value,
        help="order inside WKT POINT(...): lonlat (standard) or latlon (files that swap it)",
    )


def parse_mapping(pairs: list[str]) -> dict[str, str]:
    mapping = {}
    for pair in pairs:
        field, sep, column = pair.partition("=")
        if not sep or not field.strip():
            raise ValueError(f"--map {pair!r}: write FIELD=COLUMN")
        mapping[field.strip()] = column.strip()
    return mapping


def import_cameras(args, settings) -> int:
    try:
        mapping = parse_mapping(args.map)
        kind = parse_camera_kind(args.kind) if args.kind else None
    except ValueError as exc:
        return fail(str(exc))

    def read(path: Path) -> ImportReport:
        fmt = detect_camera_file_format(path) if args.format == "auto" else args.format
        if fmt == "csv":
            return import_cameras_csv(
                path, kind=kind, kind_column=args.kind_column, columns=mapping,
                axis_order=AxisOrder(args.axis_order), id_prefix=args.id_prefix,
            )
        if fmt == "geojson":
            return import_cameras_geojson(
                path, kind=kind, kind_property=args.kind_column, properties=mapping,
                id_prefix=args.id_prefix,
            )
        return import_osm_cameras(path, id_prefix=args.id_prefix or "osm")

    reports, unusable = _read_all(args.files, read, (TabularError, ValueError))
    _refuse_ids_seen_in_earlier_files(reports)
    return _store_and_report(reports, unusable, settings, save_cameras, "cameras", args.dry_run)


def import_calls(args, settings) -> int:
    try:
        mapping = parse_mapping(args.map)
        normaliser = load_normaliser()
    except (ValueError, CadError) as exc:
        return fail(str(exc))

    def read(path: Path) -> ImportReport:
        fmt = args.format
        if fmt == "auto":
            fmt = "csv" if path.suffix.lower() in (".csv", ".txt") else "eido"
        if fmt == "csv":
            return import_calls_csv(
                path, columns=mapping, timezone=args.timezone, home_timezone=settings.timezone,
                axis_order=AxisOrder(args.axis_order), normaliser=normaliser,
            )
        return import_eido_file(path, normaliser=normaliser)

    reports, unusable = _read_all(args.files, read, (TabularError, CadError, ValueError))
    print(normaliser.summary(), file=sys.stderr)
    return _store_and_report(reports, unusable, settings, save_calls, "calls", args.dry_run)


def _read_all(paths, read: Callable[[Path], ImportReport], errors) -> tuple[list, int]:
    """Read every file; an unusable one is reported and the others still go in."""
    reports, unusable = [], 0
    for path in paths:
        try:
            reports.append((path, read(path)))
        except (*errors, OSError, UnicodeDecodeError) as exc:
            message = str(exc) if str(path) in str(exc) else f"{path}: {exc}"
            print(f"rtcc: unusable file: {message}", file=sys.stderr)
            unusable += 1
    return reports, unusable


def _refuse_ids_seen_in_earlier_files(reports: list[tuple[Path, ImportReport]]) -> None:
    """Two files of one import giving the same camera id would silently overwrite each other."""
    first_file: dict[str, Path] = {}
    for path, report in reports:
        kept = []
        for camera in report.accepted:
            earlier = first_file.setdefault(camera.camera_id, path)
            if earlier == path:
                kept.append(camera)
            else:
                report.rejected.append(Rejection(
                    str(path), None, "id",
                    f"camera id {camera.camera_id!r} is also in {earlier}; give --id-prefix per file",
                ))
        report.accepted = kept


def _store_and_report(reports, unusable: int, settings, save, noun: str, dry_run: bool) -> int:
    """Save every accepted record (nothing good is lost to a bad row or file), then summarise."""
    if not dry_run and reports:
        try:
            sessions = open_store(settings.database_url)
        except StoreError as exc:
            return fail(str(exc))
        with sessions() as session:
            for _path, report in reports:
                save(session, report.accepted)
    rejected = 0
    for path, report in reports:
        rejected += report_rejections(report.rejected)
        for note in report.notes:
            print(f"note {path}: {note}", file=sys.stderr)
        print(f"{path}: {report.summary()} {noun}", file=sys.stderr)
    if dry_run:
        print("dry run: nothing stored", file=sys.stderr)
    if unusable:
        return EXIT_UNUSABLE
    return EXIT_SOME_REJECTED if rejected else EXIT_OK

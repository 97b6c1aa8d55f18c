"""`rtcc import-poles`: the city's pole camera inventory file into the registry server.

The file (CSV per pole or per camera, or GeoJSON; see docs/video-wall.md) is read and checked
here — each refused row named with file, row and column, the good rows still sent — and the
cameras are sent to the server's inventory (admin). The server never approves from a file: new
cameras, and cameras whose view or stream changed, wait for a privacy reviewer.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from rtcc_desk.adapters.camera_files.poles import import_pole_inventory
from rtcc_desk.adapters.server_link import ServerLinkError
from rtcc_desk.adapters.server_link.city_cameras_api import city_camera_refusal_text, push_inventory
from rtcc_desk.adapters.tabular import TabularError
from rtcc_desk.cli.output import EXIT_OK, EXIT_SOME_REJECTED, fail, report_rejections
from rtcc_desk.cli.server_sign_in import SignInFailed, add_sign_in_options, signed_in_client


def register(commands, epilog: str) -> None:
    poles = commands.add_parser(
        "import-poles",
        help="send the city's pole camera inventory (CSV or GeoJSON) to the registry server",
        description="Reads pole cameras (pole id, location, three cameras with bearing, FOV, "
        "range, main and sub stream URLs) and sends them to the server's inventory. Stream "
        "passwords are kept but never printed. New or re-aimed cameras wait for privacy review.",
        epilog=epilog,
    )
    poles.add_argument("files", nargs="+", type=Path, metavar="FILE")
    poles.add_argument("--dry-run", action="store_true", help="check the files, send nothing")
    add_sign_in_options(poles)
    poles.set_defaults(handler=import_poles)


def import_poles(args, settings) -> int:
    cameras, refused = [], 0
    for path in args.files:
        try:
            report = import_pole_inventory(path)
        except (TabularError, OSError) as exc:
            return fail(f"{path}: {exc}")
        cameras += report.accepted
        refused += report_rejections(report.rejected)
        for note in report.notes:
            print(f"note {path}: {note}", file=sys.stderr)
    print(f"read {len(cameras)} pole cameras, refused {refused}", file=sys.stderr)
    if args.dry_run or not cameras:
        return EXIT_SOME_REJECTED if refused else EXIT_OK
    try:
        client = signed_in_client(args, settings)
    except SignInFailed as exc:
        return fail(str(exc))
    with client:
        try:
            result = push_inventory(client, cameras)
        except ServerLinkError as exc:
            return fail(city_camera_refusal_text(exc, "inventory"))
        finally:
            client.logout()
    print(json.dumps({"created": result.created, "updated": result.updated,
                      "unchanged": result.unchanged, "withdrawn": result.withdrawn,
                      "sent_to_review": {k: list(v) for k, v in result.sent_to_review.items()}}))
    for camera_id, reasons in result.sent_to_review.items():
        print(f"pending privacy review {camera_id}: {'; '.join(reasons)}", file=sys.stderr)
    return EXIT_SOME_REJECTED if refused else EXIT_OK

"""`rtcc-edge`: run the recorder box, check its configuration, enroll it, set the owner password."""

from __future__ import annotations

import argparse
import asyncio
import getpass
import logging
import os
import signal
import sys
from pathlib import Path

from rtcc_edge import credential
from rtcc_edge.link import EnrollmentRefused, enroll
from rtcc_edge.redact import RedactingFilter, Redactor, redact_url
from rtcc_edge.settings import EdgeSettings, EdgeSettingsError, load_settings

EXIT_OK, EXIT_FAILED, EXIT_CONFIG = 0, 1, 2
PASSWORD_ENV = "RTCC_EDGE_OWNER_PASSWORD"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="rtcc-edge",
        description="Business edge recorder: records up to 4 cameras on this box and shares "
                    "footage with the Real-Time Crime Center only when an analyst asks.")
    parser.add_argument("--config", type=Path, help="configuration file (default $RTCC_EDGE_CONFIG "
                        "or /etc/rtcc-edge/rtcc-edge.toml)")
    parser.add_argument("--check-config", action="store_true",
                        help="check the configuration, print it (without credentials) and exit")
    parser.add_argument("--log-level", default="INFO", choices=["DEBUG", "INFO", "WARNING", "ERROR"])
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    run = commands.add_parser("run", help="record, prune and answer the RTCC (the default)")
    run.set_defaults(command="run")
    enrolling = commands.add_parser("enroll", help="enroll this box with an RTCC server using a one-time code")
    enrolling.add_argument("--server", required=True, help="the RTCC server's base URL (https://…)")
    enrolling.add_argument("--code", required=True, help="the one-time enrollment code (ABCD-EFGH-JKLM)")
    enrolling.add_argument("--owner-password-file", type=Path,
                           help=f"read the owner page password from this file (else ${PASSWORD_ENV}, else asked)")
    enrolling.add_argument("--replace", action="store_true", help="replace an existing enrollment")
    owner = commands.add_parser("owner-password", help="set a new owner page password (signs every browser out)")
    owner.add_argument("--file", type=Path, help=f"read it from this file (else ${PASSWORD_ENV}, else asked)")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        settings = load_settings(args.config)
    except EdgeSettingsError as exc:
        print(f"rtcc-edge: {exc}", file=sys.stderr)
        return EXIT_CONFIG
    redactor = Redactor([camera.url for camera in settings.cameras])
    _logging(args.log_level, redactor)
    if args.check_config:
        return check_config(settings)
    try:
        if args.command == "enroll":
            return _enroll(settings, args)
        if args.command == "owner-password":
            return _owner_password(settings, args.file)
        return _run(settings, redactor)
    except KeyboardInterrupt:
        return 130


def _logging(level: str, redactor: Redactor) -> None:
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(RedactingFilter(redactor))
    logging.basicConfig(level=level, handlers=[handler], force=True)
    logging.getLogger("httpx").setLevel(logging.WARNING)


def check_config(settings: EdgeSettings) -> int:
    print(f"box_name = {settings.box_name!r}")
    print(f"recordings_dir = {settings.recordings_dir}  state_dir = {settings.state_dir}")
    print(f"segments: {settings.segment_seconds} s, {settings.segment_container}; "
          f"retention {settings.retention.days} days, keep {settings.retention.min_free_percent}% "
          f"and {settings.retention.min_free_bytes / 1e9:.1f} GB free")
    print(f"owner page: http://{settings.owner_page.host}:{settings.owner_page.port}/")
    for camera in settings.cameras:
        print(f"camera {camera.channel}: {camera.name!r} {redact_url(camera.url)} "
              f"at {camera.lat:.5f},{camera.lon:.5f} bearing {camera.bearing} fov {camera.fov}")
    try:
        enrollment = credential.load(settings.state_dir)
    except credential.CredentialError as exc:
        print(f"enrollment: {exc}")
    else:
        print(f"enrollment: {'box ' + enrollment.box_id + ' at ' + enrollment.server if enrollment else 'not enrolled'}")
    print("configuration OK", file=sys.stderr)
    return EXIT_OK


def _read_password(path: Path | None, *, confirm: bool) -> str:
    if path is not None:
        return path.read_text(encoding="utf-8").strip()
    if os.environ.get(PASSWORD_ENV):
        return os.environ[PASSWORD_ENV]
    if not sys.stdin.isatty():
        raise SystemExit(f"rtcc-edge: no owner password: give --owner-password-file or set {PASSWORD_ENV}")
    first = getpass.getpass("Owner page password: ")
    if confirm and getpass.getpass("Again: ") != first:
        raise SystemExit("rtcc-edge: the two passwords differ")
    return first


def _owner_password(settings: EdgeSettings, path: Path | None) -> int:
    from rtcc_edge.owner_page.security import PasswordProblem, set_owner_password
    from rtcc_edge.store import BoxStore

    try:
        set_owner_password(BoxStore(settings.state_dir / "box.sqlite3"), _read_password(path, confirm=True))
    except PasswordProblem as exc:
        print(f"rtcc-edge: {exc}", file=sys.stderr)
        return EXIT_FAILED
    print("owner page password set")
    return EXIT_OK


def _enroll(settings: EdgeSettings, args) -> int:
    from rtcc_edge.owner_page.security import PasswordProblem, hash_password
    from rtcc_edge.store import BoxStore

    try:
        existing = credential.load(settings.state_dir)
    except credential.CredentialError:
        existing = None
    if existing and not args.replace:
        print(f"rtcc-edge: this box is already enrolled as {existing.box_id} with {existing.server}; "
              "add --replace to enroll it again", file=sys.stderr)
        return EXIT_FAILED
    store = BoxStore(settings.state_dir / "box.sqlite3")
    try:
        # Asked first, so a rejected password does not use up the one-time code.
        password_hash = hash_password(_read_password(args.owner_password_file, confirm=True))
    except PasswordProblem as exc:
        print(f"rtcc-edge: {exc}", file=sys.stderr)
        return EXIT_FAILED
    try:
        enrollment = enroll(args.server, args.code, box_name=settings.box_name,
                            cameras=[c.describe() for c in settings.cameras],
                            verify=settings.link.verify_tls)
    except EnrollmentRefused as exc:
        print(f"rtcc-edge: {exc}", file=sys.stderr)
        return EXIT_FAILED
    path = credential.save(settings.state_dir, enrollment)
    store.set_choice("owner_password_hash", password_hash)
    store.end_all_sessions()
    print(f"enrolled as box {enrollment.box_id} with {enrollment.server}; credential in {path} (mode 600)")
    print(f"owner page: http://{settings.owner_page.host}:{settings.owner_page.port}/")
    return EXIT_OK


def _run(settings: EdgeSettings, redactor: Redactor) -> int:
    from rtcc_edge.box import EdgeBox

    async def run() -> None:
        box = EdgeBox(settings, redactor=redactor)
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(signum, stop.set)
        logging.getLogger("rtcc_edge").info(
            "rtcc-edge: %d camera(s), recordings in %s, keeping %d days",
            len(settings.cameras), settings.recordings_dir, box.retention_days)
        await box.run(stop)

    asyncio.run(run())
    return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())

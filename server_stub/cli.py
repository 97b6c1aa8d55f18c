"""`rtcc-server`: run the server, check the audit chain, migrate the database."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from server_stub.auth_cli import add_create_user_command, add_unlock_user_command
from server_stub.demo_seed import add_seed_demo_command
from server_stub.settings import ServerSettingsError, load_server_settings
from server_stub.totp_secrets import KeyFileMissing


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="rtcc-server", description="RTCC registry and upload server.")
    parser.add_argument("--config", type=Path, help="settings file (TOML); default $RTCC_SERVER_CONFIG")
    parser.add_argument("--data-dir", type=Path, help="data folder (overrides the settings)")
    parser.add_argument("--database", metavar="URL", help="SQLAlchemy URL (overrides the settings)")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    serve = commands.add_parser("serve", help="run the server (uvicorn)")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8750)
    serve.add_argument("--certfile", type=Path, help="TLS certificate (PEM): serve HTTPS")
    serve.add_argument("--keyfile", type=Path, help="TLS private key (PEM)")
    commands.add_parser("verify-audit", help="recompute the audit chain; name the first broken record")
    commands.add_parser("migrate", help="bring the database schema up to date (and seal TOTP secrets)")
    commands.add_parser(
        "housekeeping", help="send due reminders, expire links and uploads, lapse registrations, "
                             "purge unconfirmed ones and old desk events (once)"
    )
    add_create_user_command(commands)
    add_unlock_user_command(commands)
    add_seed_demo_command(commands)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    overrides = {k: v for k, v in (("data_dir", args.data_dir), ("database_url", args.database)) if v}
    try:
        settings = load_server_settings(args.config, **overrides)
    except ServerSettingsError as exc:
        print(f"rtcc-server: {exc}", file=sys.stderr)
        return 2
    try:
        return _run(args, settings)
    except KeyFileMissing as exc:
        print(f"rtcc-server: {exc}", file=sys.stderr)
        return 2


def _run(args, settings) -> int:
    if args.command in ("create-user", "unlock-user", "seed-demo"):
        return args.handler(args, settings)
    if args.command == "serve":
        return _serve(args, settings)
    if args.command == "verify-audit":
        return _verify_audit(settings)
    if args.command == "housekeeping":
        from server_stub.housekeeping import run_once
        from server_stub.services import build_services

        for task, count in run_once(build_services(settings)).items():
            print(f"{task}: {'FAILED (see log)' if count < 0 else count}")
        return 0
    from server_stub.services import build_services

    build_services(settings)  # migrates, then seals any second-factor secret left in plain text
    print("database is up to date", file=sys.stderr)
    return 0


def _serve(args, settings) -> int:
    import uvicorn

    from server_stub.main import create_app

    if bool(args.certfile) != bool(args.keyfile):
        print("rtcc-server: give both --certfile and --keyfile for HTTPS", file=sys.stderr)
        return 2
    app = create_app(settings)
    if settings.housekeeping_minutes:
        from server_stub.housekeeping import start_background

        start_background(app.state.services, settings.housekeeping_minutes * 60)
    uvicorn.run(
        app, host=args.host, port=args.port,
        ssl_certfile=str(args.certfile) if args.certfile else None,
        ssl_keyfile=str(args.keyfile) if args.keyfile else None,
        # Edge boxes hold long-polls and live uploads open: do not wait for them at shutdown.
        timeout_graceful_shutdown=5,
    )
    return 0


def _verify_audit(settings) -> int:
    from sqlalchemy import func, select

    from server_stub import audit
    from server_stub.db import open_database
    from server_stub.models.audit import AuditRecord

    sessions = open_database(settings.effective_database_url)
    checkpointer = audit.Checkpointer(settings.audit_checkpoint_file)
    with sessions() as session:
        broken = audit.verify(session, checkpointer)
        count = session.scalar(select(func.count()).select_from(AuditRecord))
    if broken is not None:
        print(f"audit chain BROKEN at {broken}", file=sys.stderr)
        return 1
    print(f"audit chain intact: {count} records, {len(checkpointer.read())} checkpoints agree")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""`rtcc`: the headless command line — import cameras and calls, correlate, demo data, demo."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from rtcc_desk import __version__
from rtcc_desk.cli import (
    correlate_command,
    demo_commands,
    import_commands,
    package_commands,
    pole_commands,
)
from rtcc_desk.cli.output import EXIT_OK, fail

EPILOG = "Exit codes: 0 every row accepted, 1 some rows rejected (listed on stderr), 2 unusable input."


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="rtcc",
        description="RTCC Desk headless tools: camera registry, CAD calls and camera correlation.",
        epilog=EPILOG,
    )
    parser.add_argument("--version", action="version", version=f"rtcc {__version__}")
    parser.add_argument("--config", type=Path, help="settings file (TOML); default $RTCC_CONFIG or the user config folder")
    parser.add_argument("--database", metavar="URL", help="SQLAlchemy URL of the store (overrides the settings)")
    parser.add_argument("--jurisdiction", metavar="BOUNDARY", help="GeoJSON file or 'south,west,north,east' (overrides the settings)")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    import_commands.register(commands, EPILOG)
    correlate_command.register(commands, EPILOG)
    demo_commands.register(commands, EPILOG)
    package_commands.register(commands, EPILOG)
    pole_commands.register(commands, EPILOG)
    check = commands.add_parser("check-config", help="validate the settings and print them")
    check.set_defaults(handler=_check_config)
    return parser


def _check_config(args, settings) -> int:
    for name, value in settings.model_dump().items():
        print(f"{name} = {value!r}")
    print("settings OK", file=sys.stderr)
    return EXIT_OK


def main(argv: list[str] | None = None) -> int:
    from rtcc_desk.adapters.settings import SettingsError, load_settings

    args = build_parser().parse_args(argv)
    overrides = {
        key: value
        for key, value in (("database_url", args.database), ("jurisdiction", args.jurisdiction))
        if value is not None
    }
    try:
        settings = load_settings(args.config, **overrides)
    except SettingsError as exc:
        return fail(str(exc))
    try:
        return args.handler(args, settings)
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # e.g. `rtcc correlate | head`
        return EXIT_OK
    except Exception as exc:  # noqa: BLE001 — the last line of defence: say what, exit 2
        # A crash must never exit 1, which would read as "some rows rejected".
        return fail(f"{args.command} failed: {type(exc).__name__}: {exc}")


if __name__ == "__main__":
    sys.exit(main())

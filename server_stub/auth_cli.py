"""`rtcc-server create-user` and `unlock-user`: account set-up from the server's console."""

from __future__ import annotations

import argparse
import getpass
import sys

from server_stub import auth
from server_stub.settings import ServerSettings


def add_create_user_command(subparsers) -> None:
    parser = subparsers.add_parser(
        "create-user", help="create an analyst-side account; prints its authenticator link once",
    )
    parser.add_argument("username")
    parser.add_argument("--role", dest="roles", action="append", choices=auth.ROLES, required=True,
                        help="repeat for several roles")
    parser.add_argument("--no-totp", action="store_true",
                        help="no second factor (refused unless the server is in demo mode)")
    parser.add_argument("--password-stdin", action="store_true",
                        help="read the password from standard input instead of prompting")
    parser.set_defaults(handler=run_create_user)


def add_unlock_user_command(subparsers) -> None:
    parser = subparsers.add_parser(
        "unlock-user", help="release an account locked by failed logins (e.g. the last admin)",
    )
    parser.add_argument("username")
    parser.set_defaults(handler=run_unlock_user)


def _console_actor() -> str:
    try:
        return f"console:{getpass.getuser()}"
    except (KeyError, OSError):  # no login name in some containers
        return "console"


def _read_password(args: argparse.Namespace) -> str | None:
    if args.password_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    first = getpass.getpass("Password: ")
    if first != getpass.getpass("Password again: "):
        print("rtcc-server: the passwords differ", file=sys.stderr)
        return None
    return first


def run_create_user(args: argparse.Namespace, settings: ServerSettings) -> int:
    from server_stub.services import build_services

    if args.no_totp and not settings.demo_mode:
        print("rtcc-server: every account needs a second factor outside demo mode", file=sys.stderr)
        return 2
    password = _read_password(args)
    if password is None:
        return 2
    services = build_services(settings)
    with services.sessions() as session:
        try:
            user, secret = auth.create_user(session, username=args.username, password=password,
                                            roles=args.roles, totp=not args.no_totp)
        except auth.AccountError as exc:
            print(f"rtcc-server: {exc}", file=sys.stderr)
            return 2
        services.audit(session, actor=_console_actor(), action="user.create",
                       object=f"user:{user.username}", source="console",
                       justification=f"roles: {user.roles}; "
                                     f"second factor: {'yes' if secret else 'no'}")
        session.commit()
    print(f"created {user.username} ({', '.join(user.role_list)})")
    if secret:
        # Shown once and never again: the server keeps only what it needs to check codes.
        print("Add this link to the user's authenticator app now (it is not shown again):")
        print(auth.provisioning_uri(user, secret, settings.rtcc_name))
    return 0


def run_unlock_user(args: argparse.Namespace, settings: ServerSettings) -> int:
    from server_stub.services import build_services

    services = build_services(settings)
    with services.sessions() as session:
        user = auth.find_user(session, args.username)
        if user is None:
            print(f"rtcc-server: no user named {args.username!r}", file=sys.stderr)
            return 1
        auth.unlock(session, user)
        services.audit(session, actor=_console_actor(), action="auth.unlock",
                       object=f"user:{user.username}", source="console")
        session.commit()
    print(f"unlocked {user.username}")
    return 0

"""Signing in to the registry server from the command line (export-package, import-poles)."""

from __future__ import annotations

import getpass
import os
import sys

from rtcc_desk.adapters.server_link import LoginFailed, ServerClient, ServerLinkError

#: Where the credentials come from when the options leave them out (then a prompt). Not
#: RTCC_*: the settings refuse any RTCC_ name that is not a setting.
ENV_USERNAME, ENV_PASSWORD, ENV_CODE = "RTCC_USERNAME", "RTCC_PASSWORD", "RTCC_TOTP_CODE"


class SignInFailed(Exception):
    """The server refused the sign-in or could not be reached (the message says which)."""


def add_sign_in_options(parser) -> None:
    add = parser.add_argument
    add("--server", metavar="URL", help="registry server (default: the settings' server_url)")
    add("--username", help=f"default ${ENV_USERNAME}, else asked")
    add("--password", help=f"default ${ENV_PASSWORD}, else asked (not echoed)")
    add("--code", metavar="TOTP", help=f"6-digit code; default ${ENV_CODE}, else asked")


def signed_in_client(args, settings) -> ServerClient:
    """A client signed in with the options, the environment or answers at the terminal."""
    username = _ask(args.username, ENV_USERNAME, "Username: ")
    password = _ask(args.password, ENV_PASSWORD, "Password: ", secret=True)
    code = _ask(args.code, ENV_CODE, "Code (empty if none): ") or None
    client = ServerClient(args.server or settings.server_url)
    try:
        client.login(username, password, code)
    except LoginFailed as exc:
        client.close()
        raise SignInFailed(f"sign-in refused: {exc.detail}") from None
    except ServerLinkError as exc:
        client.close()
        raise SignInFailed(str(exc)) from None
    return client


def _ask(value: str | None, env: str, prompt: str, *, secret: bool = False) -> str:
    if value is not None:
        return value
    if os.environ.get(env) is not None:
        return os.environ[env]
    if secret:
        return getpass.getpass(prompt, stream=sys.stderr)
    print(prompt, end="", file=sys.stderr, flush=True)
    return sys.stdin.readline().strip()

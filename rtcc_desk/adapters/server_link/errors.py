"""What can go wrong talking to the registry server, as the desk needs to tell it apart."""

from __future__ import annotations


class ServerLinkError(Exception):
    """Anything the server link cannot do; the message is fit to show an analyst."""


class ServerUnreachable(ServerLinkError):
    """No answer: connection refused or reset, timeout, name not resolved, or a proxy saying
    the server behind it is down (502/503/504). Work from the local copies and try later."""


class LoginFailed(ServerLinkError):
    """The server refused the sign-in. ``reason`` is one of REASONS, ``detail`` its own words."""

    REASONS = ("wrong_credentials", "locked", "no_second_factor", "too_many_attempts",
               "invalid_input")

    def __init__(self, reason: str, detail: str, status: int) -> None:
        super().__init__(detail)
        self.reason, self.detail, self.status = reason, detail, status


class SessionExpired(ServerLinkError):
    """Not signed in, or the sign-in can no longer be refreshed (ended, revoked, or expired
    while the server was unreachable): the analyst must sign in again."""


class ServerError(ServerLinkError):
    """The server answered, but not with success. ``problems`` lists a 422's fields."""

    def __init__(self, status: int, detail: str, problems: tuple[tuple[str, str], ...] = ()) -> None:
        text = detail + "".join(f"; {field}: {problem}" for field, problem in problems)
        super().__init__(f"server said {status}: {text}")
        self.status, self.detail, self.problems = status, detail, problems


class NotAllowed(ServerError):
    """403: this account's roles do not allow the action."""


class LinkStoreError(ServerLinkError):
    """The desk's registry cache / audit outbox database cannot be opened or migrated."""

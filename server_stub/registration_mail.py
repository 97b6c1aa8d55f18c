"""The emails camera owners receive: confirm the address, registered, yearly reconfirmation,
change of email address."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

from server_stub.models.registry import Owner
from server_stub.settings import ServerSettings


def _letter(settings: ServerSettings, owner: Owner, text: str) -> str:
    """The greeting, ``text``, and the RTCC's signature."""
    return (f"Hello {owner.name},\n\n{text}"
            f"Questions? Call {settings.rtcc_phone} or write to {settings.rtcc_email}.\n"
            f"{settings.rtcc_name}\n")


def _keep_this_link(url: str) -> str:
    return ("Keep this email: with the link below you can move a camera, change what it records\n"
            "or your contact details, or withdraw one or all of them at any time:\n\n"
            f"{url}\n\n"
            "Anyone with this link can change your registration, so please do not share it.\n\n")


def verify(settings: ServerSettings, owner: Owner, camera_count: int, url: str,
           hours: float) -> tuple[str, str]:
    cameras = "1 camera" if camera_count == 1 else f"{camera_count} cameras"
    body = _letter(settings, owner, (
        f"Thank you for registering {cameras} with the {settings.rtcc_name}.\n"
        f"Please confirm your email address within {hours:g} hours by opening this link\n"
        f"and pressing the confirm button:\n\n{url}\n\n"
        "Until you confirm, your cameras are not shown to anyone. If you did not register,\n"
        "ignore this email and nothing will be kept on the map.\n\n"
        "Registering never gives the city access to your cameras: we only learn where they\n"
        "are, so that we can ask you for footage after a crime nearby.\n\n"
    ))
    return "Please confirm your camera registration", body


def registered(settings: ServerSettings, owner: Owner, url: str) -> tuple[str, str]:
    body = _letter(settings, owner, (
        f"Your cameras are registered with the {settings.rtcc_name}.\n"
        + _keep_this_link(url)
    ))
    return "Your cameras are registered", body


def reconfirm(settings: ServerSettings, owner: Owner, url: str,
              grace: timedelta) -> tuple[str, str]:
    due = owner.reconfirm_due.astimezone(ZoneInfo(settings.timezone))
    body = _letter(settings, owner, (
        "Once a year we ask camera owners whether their registration with the\n"
        f"{settings.rtcc_name} is still right. Please open this link before {due:%B %d, %Y},\n"
        "check your cameras and press \"Yes, keep my cameras registered\" (or withdraw\n"
        "those that are gone):\n\n"
        f"{url}\n\n"
        f"If we hear nothing within {grace.days} days of that date, your cameras are taken off\n"
        "the map. You can restore them with the same link.\n\n"
    ))
    return "Are your cameras still there? Please confirm your registration", body


def confirm_email(settings: ServerSettings, owner: Owner, url: str,
                  hours: float) -> tuple[str, str]:
    body = _letter(settings, owner, (
        f"You asked the {settings.rtcc_name} to write to this address about your registered\n"
        f"cameras from now on. Please confirm within {hours:g} hours by opening this link and\n"
        f"pressing the confirm button:\n\n{url}\n\n"
        "Until you confirm, we keep writing to your previous address.\n"
        "If you did not ask for this, ignore this email: nothing changes.\n\n"
    ))
    return "Please confirm your new email address", body


def email_change_notice(settings: ServerSettings, owner: Owner) -> tuple[str, str]:
    body = _letter(settings, owner, (
        "Someone with the link to your camera registration asked us to write to\n"
        f"{owner.pending_email} instead of this address. The change happens only when it\n"
        "is confirmed from that mailbox; until then we keep writing here.\n\n"
        f"If this was not you, call {settings.rtcc_phone}: anyone with your link can change\n"
        "your registration.\n\n"
    ))
    return "Your camera registration: change of email address asked", body


def email_changed(settings: ServerSettings, owner: Owner, url: str) -> tuple[str, str]:
    body = _letter(settings, owner, (
        f"Your new email address is confirmed: the {settings.rtcc_name}\n"
        "writes to it from now on.\n"
        + _keep_this_link(url)
    ))
    return "Your new email address is confirmed", body

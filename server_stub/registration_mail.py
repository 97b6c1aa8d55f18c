"""The emails camera owners receive: confirm the address, registered, yearly reconfirmation."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

from server_stub.models.registry import Owner
from server_stub.settings import ServerSettings


def _signature(settings: ServerSettings) -> str:
    return (f"Questions? Call {settings.rtcc_phone} or write to {settings.rtcc_email}.\n"
            f"{settings.rtcc_name}\n")


def verify(settings: ServerSettings, owner: Owner, camera_count: int, url: str,
           hours: float) -> tuple[str, str]:
    cameras = "1 camera" if camera_count == 1 else f"{camera_count} cameras"
    body = (
        f"Hello {owner.name},\n\n"
        f"Thank you for registering {cameras} with the {settings.rtcc_name}.\n"
        f"Please confirm your email address within {hours:g} hours by opening this link\n"
        f"and pressing the confirm button:\n\n{url}\n\n"
        "Until you confirm, your cameras are not shown to anyone. If you did not register,\n"
        "ignore this email and nothing will be kept on the map.\n\n"
        "Registering never gives the city access to your cameras: we only learn where they\n"
        "are, so that we can ask you for footage after a crime nearby.\n\n"
        + _signature(settings)
    )
    return "Please confirm your camera registration", body


def registered(settings: ServerSettings, owner: Owner, url: str) -> tuple[str, str]:
    body = (
        f"Hello {owner.name},\n\n"
        f"Your cameras are registered with the {settings.rtcc_name}.\n"
        "Keep this email: with the link below you can move a camera, change what it records\n"
        "or withdraw one or all of them at any time:\n\n"
        f"{url}\n\n"
        "Anyone with this link can change your registration, so please do not share it.\n\n"
        + _signature(settings)
    )
    return "Your cameras are registered", body


def reconfirm(settings: ServerSettings, owner: Owner, url: str,
              grace: timedelta) -> tuple[str, str]:
    due = owner.reconfirm_due.astimezone(ZoneInfo(settings.timezone))
    body = (
        f"Hello {owner.name},\n\n"
        "Once a year we ask camera owners whether their registration with the\n"
        f"{settings.rtcc_name} is still right. Please open this link before {due:%B %d, %Y},\n"
        "check your cameras and press \"Yes, keep my cameras registered\" (or withdraw\n"
        "those that are gone):\n\n"
        f"{url}\n\n"
        f"If we hear nothing within {grace.days} days of that date, your cameras are taken off\n"
        "the map. You can restore them with the same link.\n\n"
        + _signature(settings)
    )
    return "Are your cameras still there? Please confirm your registration", body

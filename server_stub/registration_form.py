"""Reading the registration form: limits on every field, one message per field in plain words."""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass

from rtcc_desk.core.cameras import RecorderType

MAX_CAMERAS = 4
CAMERA_FIELDS = ("label", "lat", "lon", "bearing", "sees", "recorder_type", "retention_days")

RECORDER_CHOICES = (
    (RecorderType.DOORBELL_CLOUD.value, "Doorbell or cloud camera (Ring, Nest, Arlo, …)"),
    (RecorderType.DVR_NVR.value, "Recorder box in the building (DVR / NVR)"),
    (RecorderType.EDGE_DEVICE.value, "RTCC edge device"),
    (RecorderType.OTHER.value, "Something else"),
)
BEARING_CHOICES = (
    ("unknown", "I don't know"), ("0", "North"), ("45", "North-east"), ("90", "East"),
    ("135", "South-east"), ("180", "South"), ("225", "South-west"), ("270", "West"),
    ("315", "North-west"),
)
CHANNEL_CHOICES = (("email", "Email"), ("sms", "Text message (SMS)"))

# A sane shape check, not RFC 5322: the verification email is the real test of an address.
_EMAIL = re.compile(r"^[^@\s\"<>(),;:\\\[\]]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,63}$")
_PHONE = re.compile(r"^\+?[0-9 ().\-]{7,40}$")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_LINE_BREAK = re.compile(r"[\r\n\t]")


class FormErrors(Exception):
    """The form cannot be accepted; ``errors`` maps each field name to what is wrong with it."""

    def __init__(self, errors: dict[str, str]):
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors


@dataclass(frozen=True)
class OwnerInput:
    name: str
    email: str
    phone: str
    preferred_channel: str
    address: str
    is_business: bool


@dataclass(frozen=True)
class CameraInput:
    label: str
    lat: float
    lon: float
    bearing: float | None
    sees: str
    recorder_type: str
    retention_days: float | None


def _text(form: Mapping[str, str], name: str, errors: dict, *, limit: int, required: bool = False,
          what: str = "this", multiline: bool = False) -> str:
    value = str(form.get(name, "")).strip()
    if _CONTROL.search(value) or (not multiline and _LINE_BREAK.search(value)):
        errors[name] = "Please remove the special characters from this field."
    elif len(value) > limit:
        errors[name] = f"Please keep {what} to {limit} characters (now {len(value)})."
    elif required and not value:
        errors[name] = f"Please fill in {what}."
    return value


def parse_owner(form: Mapping[str, str]) -> tuple[OwnerInput, dict[str, str]]:
    errors: dict[str, str] = {}
    name = _text(form, "name", errors, limit=120, required=True, what="your name")
    email = _text(form, "email", errors, limit=254, required=True, what="your email address")
    if "email" not in errors and not _EMAIL.match(email):
        errors["email"] = "This does not look like an email address (name@example.com)."
    phone = _text(form, "phone", errors, limit=40, what="the phone number")
    if phone and "phone" not in errors and not _PHONE.match(phone):
        errors["phone"] = "Use digits, spaces, + ( ) - only, e.g. (318) 555-0123."
    channel = str(form.get("preferred_channel", "email"))
    if channel not in dict(CHANNEL_CHOICES):
        errors["preferred_channel"] = "Choose email or text message."
    elif channel == "sms" and not phone and "phone" not in errors:
        errors["phone"] = "Text messages need a mobile number."
    address = _text(form, "address", errors, limit=300, required=True, what="the address")
    owner = OwnerInput(name=name, email=email, phone=phone, preferred_channel=channel,
                       address=address, is_business=form.get("is_business") == "yes")
    return owner, errors


def _number(form, name: str, errors: dict, low: float, high: float, message: str) -> float | None:
    raw = str(form.get(name, "")).strip()
    try:
        value = float(raw) if len(raw) <= 32 else math.nan
    except ValueError:
        value = math.nan
    if not (math.isfinite(value) and low <= value <= high):
        errors[name] = message
        return None
    return value


def camera_is_blank(form: Mapping[str, str], prefix: str) -> bool:
    """An untouched extra camera block (direction keeps its default and does not count)."""
    return not any(str(form.get(prefix + f, "")).strip() for f in CAMERA_FIELDS if f != "bearing")


def parse_camera(form: Mapping[str, str], prefix: str) -> tuple[CameraInput | None, dict[str, str]]:
    errors: dict[str, str] = {}
    label = _text(form, prefix + "label", errors, limit=120, what="the name")
    sees = _text(form, prefix + "sees", errors, limit=500, what="the description", multiline=True)
    pin = "Drop the pin on the map, or type the position as a decimal number"
    lat = _number(form, prefix + "lat", errors, -90, 90, f"{pin} (latitude, e.g. 32.5252).")
    lon = _number(form, prefix + "lon", errors, -180, 180, f"{pin} (longitude, e.g. -93.7502).")
    bearing_raw = str(form.get(prefix + "bearing", "unknown")).strip() or "unknown"
    bearing = None
    if bearing_raw != "unknown":
        # Whole degrees 0-359: the select offers eight, an edit may keep a finer value.
        if re.fullmatch(r"[0-9]{1,3}", bearing_raw) and int(bearing_raw) < 360:
            bearing = float(bearing_raw)
        else:
            errors[prefix + "bearing"] = "Choose a direction, or “I don't know”."
    recorder = str(form.get(prefix + "recorder_type", ""))
    if recorder not in dict(RECORDER_CHOICES):
        errors[prefix + "recorder_type"] = "Choose what records this camera."
    retention_raw = str(form.get(prefix + "retention_days", "")).strip()
    retention = None
    if retention_raw:  # empty means "I don't know", which the desk shows as unknown
        if re.fullmatch(r"[0-9]{1,3}", retention_raw) and 1 <= int(retention_raw) <= 365:
            retention = float(retention_raw)
        else:
            errors[prefix + "retention_days"] = ("Enter whole days from 1 to 365, "
                                                 "or leave empty if unsure.")
    if errors:
        return None, errors
    return CameraInput(label=label, lat=lat, lon=lon, bearing=bearing, sees=sees,
                       recorder_type=recorder, retention_days=retention), errors


def parse_registration(form: Mapping[str, str]) -> tuple[OwnerInput, list[CameraInput]]:
    """The owner and 1-4 cameras from the form, or ``FormErrors`` naming every bad field."""
    owner, errors = parse_owner(form)
    cameras = []
    for index in range(MAX_CAMERAS):
        prefix = f"cam{index}_"
        if index > 0 and camera_is_blank(form, prefix):
            continue
        camera, camera_errors = parse_camera(form, prefix)
        errors.update(camera_errors)
        if camera is not None:
            cameras.append(camera)
    if form.get("consent") != "yes":
        errors["consent"] = "Please read the terms and tick the box to agree."
    if errors:
        raise FormErrors(errors)
    return owner, cameras


def owner_form_values(owner) -> dict[str, str]:
    """A stored owner as the contact form shows it (an address waiting for confirmation in
    place of the current one, so saving other details keeps asking for it)."""
    return {
        "name": owner.name, "email": owner.pending_email or owner.email, "phone": owner.phone,
        "preferred_channel": owner.preferred_channel, "address": owner.address,
        "is_business": "yes" if owner.is_business else "",
    }


def camera_form_values(camera, prefix: str) -> dict[str, str]:
    """A stored camera as the form shows it (floats that are whole print without ".0")."""
    def whole(value: float | None) -> str:
        return "" if value is None else str(int(value)) if value == int(value) else str(value)

    return {
        prefix + "label": camera.label,
        prefix + "lat": str(camera.lat), prefix + "lon": str(camera.lon),
        prefix + "bearing": "unknown" if camera.bearing is None else whole(camera.bearing),
        prefix + "sees": camera.sees, prefix + "recorder_type": camera.recorder_type,
        prefix + "retention_days": whole(camera.retention_days),
    }

"""The box's configuration: a TOML file and RTCC_EDGE_* variables, validated with readable errors."""

from __future__ import annotations

import ipaddress
import os
import tomllib
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

from rtcc_edge.redact import redact_url

ENV_PREFIX = "RTCC_EDGE_"
DEFAULT_CONFIG = Path("/etc/rtcc-edge/rtcc-edge.toml")
MAX_CAMERAS = 4
CAMERA_SCHEMES = ("rtsp", "rtsps", "http", "https")


class EdgeSettingsError(Exception):
    """The configuration cannot be used; the message names the file and the key."""


class Camera(BaseModel):
    """One camera of the box: where its stream is and what it sees (sent to the RTCC's map)."""

    model_config = ConfigDict(extra="forbid")

    channel: int = Field(ge=1, le=MAX_CAMERAS, title="Channel (1-4)")
    name: str = Field(min_length=1, max_length=80, title="Camera name shown to the owner and the RTCC")
    # repr=False: a traceback or a debug print of the settings must not carry the password.
    url: str = Field(repr=False, title="Stream URL (rtsp:// or http://), credentials allowed")
    rtsp_transport: Literal["auto", "tcp", "udp"] = Field(
        "auto", title="RTSP transport",
        description="auto tries TCP and falls back to UDP when the camera refuses TCP.",
    )
    audio: bool = Field(
        False, title="Record sound",
        description="Off by default: recording conversations needs consent in many states.",
    )
    lat: float = Field(ge=-90, le=90, title="Latitude (WGS84)")
    lon: float = Field(ge=-180, le=180, title="Longitude (WGS84)")
    bearing: float | None = Field(None, ge=0, lt=360, title="Direction faced (degrees from north); empty if unknown")
    fov: float = Field(90, gt=0, le=360, title="Field of view (degrees)")
    range_m: float = Field(30, gt=0, le=500, title="How far it sees (m)")

    @field_validator("url")
    @classmethod
    def _stream_url(cls, value: str) -> str:
        parts = urlsplit(value)
        if parts.scheme.lower() not in CAMERA_SCHEMES:
            raise ValueError(f"must start with {', '.join(s + '://' for s in CAMERA_SCHEMES)} "
                             f"(got {redact_url(value)!r})")
        if not parts.hostname:
            raise ValueError(f"has no camera address (got {redact_url(value)!r})")
        return value

    def describe(self) -> dict:
        """The camera as the server's registry knows it: no URL, no credentials."""
        return {"channel": self.channel, "name": self.name, "lat": self.lat, "lon": self.lon,
                "bearing": self.bearing, "fov": self.fov, "range_m": self.range_m}


class Retention(BaseModel):
    """How long recordings stay, and how much disk is always left free."""

    model_config = ConfigDict(extra="forbid")

    days: int = Field(30, ge=1, le=365, title="Days of recordings kept",
                      description="The owner can change this on the owner page; that choice wins.")
    min_free_percent: float = Field(5, ge=0, le=90, title="Disk kept free (% of the recordings disk)")
    min_free_bytes: int = Field(2 * 1024**3, ge=0, title="Disk kept free (bytes)",
                                description="The oldest recordings go first when less is free.")
    check_seconds: float = Field(60, ge=1, le=3600, title="How often pruning runs (s)")


class OwnerPage(BaseModel):
    """The owner's local web page."""

    model_config = ConfigDict(extra="forbid")

    host: str = Field("127.0.0.1", title="Address to listen on (loopback or a LAN address)")
    port: int = Field(8080, ge=1, le=65535, title="Port")
    session_hours: float = Field(12, gt=0, le=168, title="Sign-in lasts (hours)")

    @field_validator("host")
    @classmethod
    def _loopback_or_lan(cls, value: str) -> str:
        if value == "localhost":
            return value
        try:
            address = ipaddress.ip_address(value)
        except ValueError:
            raise ValueError(f"{value!r} is not an IP address; use 127.0.0.1 or the box's LAN address") from None
        if address.is_unspecified:
            raise ValueError("0.0.0.0 would listen on every network, the internet side too; "
                             "name the box's LAN address (or 127.0.0.1)")
        if not (address.is_loopback or address.is_private or address.is_link_local):
            raise ValueError(f"{value} is a public address; the owner page listens on loopback or the LAN only")
        return value


class Link(BaseModel):
    """The outbound connection to the RTCC server (its URL and credential come from enrolling)."""

    model_config = ConfigDict(extra="forbid")

    heartbeat_seconds: float = Field(60, ge=1, le=3600, title="Health report interval (s)")
    poll_wait_seconds: int = Field(25, ge=1, le=120, title="Long-poll wait (s)")
    retry_max_seconds: float = Field(60, ge=1, le=3600, title="Longest wait between reconnects (s)")
    max_clip_minutes: float = Field(240, gt=0, le=24 * 60, title="Longest window the box cuts (minutes)")
    max_live_seconds: int = Field(900, ge=10, le=4 * 3600, title="Longest live session (s)")
    verify_tls: bool = Field(True, title="Check the server's HTTPS certificate")


class EdgeSettings(BaseSettings):
    """Everything an edge box installation can configure."""

    model_config = SettingsConfigDict(env_prefix=ENV_PREFIX, env_nested_delimiter="__", extra="forbid")

    box_name: str = Field(min_length=1, max_length=120, title="Box name",
                          description="The business and address, as the RTCC should see it.")
    state_dir: Path = Field(Path("/var/lib/rtcc-edge"), title="State folder",
                            description="Credential, owner password hash, access log (SQLite).")
    recordings_dir: Path = Field(Path("/var/lib/rtcc-edge/recordings"), title="Recordings folder")
    segment_seconds: int = Field(60, ge=1, le=600, title="Segment length (s)")
    segment_container: Literal["ts", "mkv"] = Field(
        "ts", title="Segment container",
        description="ts (MPEG-TS) for H.264/H.265 cameras; mkv for MJPEG cameras.",
    )
    timezone: str = Field("America/Chicago", title="Zone the owner page shows times in")
    ffmpeg: str = Field("ffmpeg", title="ffmpeg program")
    ffprobe: str = Field("ffprobe", title="ffprobe program")
    restart_max_seconds: float = Field(60, ge=1, le=3600, title="Longest wait before restarting a failed camera (s)")
    stall_seconds: float = Field(0, ge=0, title="No new video for this long restarts a camera (s)",
                                 description="0: three segments' time, at least 20 s.")
    cameras: list[Camera] = Field(default_factory=list, title="Cameras (at most 4)")
    retention: Retention = Field(default_factory=Retention)
    owner_page: OwnerPage = Field(default_factory=OwnerPage)
    link: Link = Field(default_factory=Link)

    @field_validator("cameras", mode="before")
    @classmethod
    def _at_most_four(cls, value):
        if isinstance(value, list) and len(value) > MAX_CAMERAS:
            raise ValueError(
                f"this box records at most {MAX_CAMERAS} cameras and the configuration lists "
                f"{len(value)}; remove {len(value) - MAX_CAMERAS} (channels are 1-{MAX_CAMERAS})")
        return value

    @field_validator("cameras")
    @classmethod
    def _one_camera_per_channel(cls, value: list[Camera]) -> list[Camera]:
        seen: set[int] = set()
        for camera in value:
            if camera.channel in seen:
                raise ValueError(f"channel {camera.channel} is used by two cameras; each channel 1-4 once")
            seen.add(camera.channel)
        return sorted(value, key=lambda c: c.channel)

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {value!r} (use an IANA name like America/Chicago)") from None
        return value

    @model_validator(mode="after")
    def _folders_apart(self) -> EdgeSettings:
        if self.recordings_dir.resolve() == self.state_dir.resolve():
            raise ValueError("recordings_dir and state_dir must differ: pruning empties the recordings folder")
        return self

    @classmethod
    def settings_customise_sources(
        cls, settings_cls, init_settings, env_settings, dotenv_settings, file_secret_settings
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return (init_settings, env_settings, TomlConfigSettingsSource(settings_cls))

    @property
    def stall_after(self) -> float:
        return self.stall_seconds or max(3 * self.segment_seconds, 20)

    def camera(self, channel: int) -> Camera | None:
        return next((c for c in self.cameras if c.channel == channel), None)

    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


def config_path(explicit: Path | None = None) -> Path:
    """The file named, else $RTCC_EDGE_CONFIG, else /etc/rtcc-edge/rtcc-edge.toml."""
    if explicit:
        return explicit
    if named := os.environ.get("RTCC_EDGE_CONFIG"):
        return Path(named)
    return DEFAULT_CONFIG


def load_settings(path: Path | None = None, **overrides) -> EdgeSettings:
    """Read and check the configuration; EdgeSettingsError names the file and every bad key."""
    source = config_path(path)
    if not source.is_file():
        raise EdgeSettingsError(f"{source}: configuration file not found "
                                "(start from installers/edge/rtcc-edge.toml.example)")
    try:
        document = tomllib.loads(source.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise EdgeSettingsError(f"{source}: not a readable TOML file: {exc}") from None
    config = {**EdgeSettings.model_config, "toml_file": source}
    settings_cls = type("EdgeSettings", (EdgeSettings,), {"model_config": config})
    try:
        return settings_cls(**overrides)
    except ValidationError as exc:
        raise EdgeSettingsError(describe_errors(exc, source, document)) from None


def describe_errors(exc: ValidationError, source: Path, document: dict) -> str:
    """One line per problem: the file, the key as written there, and what is wrong."""
    lines = []
    for error in exc.errors(include_input=False, include_url=False):
        key = _key_name(error["loc"], document)
        message = error["msg"].removeprefix("Value error, ")
        if error["type"] == "extra_forbidden":
            lines.append(f"{source}: {key}: unknown key (check the spelling against rtcc-edge.toml.example)")
        elif error["type"] == "missing":
            lines.append(f"{source}: {key}: required but missing")
        else:
            lines.append(f"{source}: {key}: {message}")
    return "invalid configuration:\n  " + "\n  ".join(lines)


def _key_name(loc: tuple, document: dict) -> str:
    # ('cameras', 2, 'url') reads "camera #3 (channel 2).url" — the owner counts from one.
    parts: list[str] = []
    for index, part in enumerate(loc):
        if isinstance(part, int) and index > 0 and loc[index - 1] == "cameras":
            cameras = document.get("cameras") if isinstance(document.get("cameras"), list) else []
            channel = cameras[part].get("channel") if part < len(cameras) and isinstance(cameras[part], dict) else None
            label = f"[[cameras]] #{part + 1}" + (f" (channel {channel})" if channel is not None else "")
            parts[-1] = label
        else:
            parts.append(str(part))
    return ".".join(parts) or "(configuration)"

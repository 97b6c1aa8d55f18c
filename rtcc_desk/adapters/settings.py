"""Desk settings from a TOML file and RTCC_* environment variables, with readable errors."""

from __future__ import annotations

import os
import tomllib
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import platformdirs
from pydantic import Field, ValidationError, field_validator
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

from rtcc_desk.core.correlation import DEFAULT_RADII_BY_CALL_TYPE, DEFAULT_RADIUS_M
from rtcc_desk.core.jurisdiction import Jurisdiction, JurisdictionError

APP_NAME = "rtcc-desk"
ENV_PREFIX = "RTCC_"
#: Names the environment may carry that are not settings keys.
ENV_NOT_SETTINGS = {"RTCC_CONFIG", "RTCC_DATA_DIR", "RTCC_USERNAME", "RTCC_PASSWORD", "RTCC_TOTP_CODE"}


class SettingsError(Exception):
    """The configuration cannot be used; the message names the file or variable and the key."""


def data_dir() -> Path:
    """Where the desk keeps its data: RTCC_DATA_DIR, else the platform's user data folder."""
    if named := os.environ.get("RTCC_DATA_DIR"):
        return Path(named)
    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


def config_path(explicit: Path | None = None) -> Path:
    """The settings file: the one named, else $RTCC_CONFIG, else rtcc.toml in the config folder."""
    named = explicit or os.environ.get("RTCC_CONFIG")
    if named:
        return Path(named)
    return Path(platformdirs.user_config_dir(APP_NAME, appauthor=False)) / "rtcc.toml"


class DeskSettings(BaseSettings):
    """Everything an RTCC desk installation can configure."""

    model_config = SettingsConfigDict(env_prefix=ENV_PREFIX, extra="forbid")

    database_url: str = Field(
        default_factory=lambda: f"sqlite:///{data_dir() / 'desk.sqlite3'}",
        title="Database URL",
        description="SQLAlchemy URL of the desk's local store; SQLite in the user data folder by default.",
    )
    jurisdiction: str = Field(
        "32.36,-93.93,32.59,-93.66",
        title="Jurisdiction boundary",
        description="A GeoJSON file with the city boundary, or a bounding box 'south,west,north,east'.",
    )
    timezone: str = Field(
        "America/Chicago",
        title="Local time zone",
        description="IANA zone of the CAD system's local times and of what analysts are shown.",
    )
    default_search_radius_m: float = Field(
        DEFAULT_RADIUS_M,
        gt=0,
        le=5000,
        title="Default search radius (m)",
        description="Radius around a call when its call type has no radius of its own.",
    )
    search_radii_m: dict[str, float] = Field(
        default_factory=lambda: dict(DEFAULT_RADII_BY_CALL_TYPE),
        title="Search radius by APCO call type (m)",
        description="Per APCO common call type, e.g. SHOOT = 300; entries adjust the defaults.",
    )

    server_url: str = Field(
        "http://127.0.0.1:8000",
        title="Registry server",
        description="Base URL of the RTCC registry/upload server (https:// in production).",
    )
    idle_lock_minutes: float = Field(
        30, ge=1, le=720,
        title="Idle lock (minutes)",
        description="The desk locks after this long without keyboard or mouse input.",
    )
    registry_sync_seconds: float = Field(
        60, ge=5, le=3600,
        title="Registry sync interval (s)",
        description="How often the desk pulls camera registry changes from the server.",
    )
    high_priority: int = Field(
        8, ge=0, le=10,
        title="High-priority threshold",
        description="Calls at this common priority (0-10, 10 most urgent) or above flash and chime.",
    )
    escalate_hours: float = Field(
        24, gt=0, le=720,
        title="Escalate unanswered requests (hours before the deadline)",
        description="A footage request with no answer from the owner this close to the recorder's overwrite deadline is flagged for escalation (send an officer to canvass). The server's reminder points are its own setting, reminder_hours.",
    )
    map_tile_url: str = Field(
        "",
        title="Map tiles URL template",
        description="e.g. https://tiles.example.org/{z}/{x}/{y}.png; empty: a plain background.",
    )
    map_tile_attribution: str = Field("", title="Map tiles attribution")
    map_mbtiles: str = Field(
        "",
        title="Local map tile package",
        description="Path of an MBTiles file served by the desk itself (for air-gapped rooms).",
    )
    eido_listener_port: int = Field(
        0, ge=0, le=65535,
        title="EIDO listener port",
        description="Local HTTP port receiving NENA EIDO JSON documents; 0: no listener.",
    )
    watch_folder: str = Field(
        "",
        title="Watched CAD folder",
        description="A folder where EIDO JSON or CAD CSV files are dropped; empty: none.",
    )

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {value!r} (use an IANA name like America/Chicago)")
        return value

    @field_validator("jurisdiction")
    @classmethod
    def _usable_boundary(cls, value: str) -> str:
        try:
            Jurisdiction.from_text(value)
        except JurisdictionError as exc:
            raise ValueError(str(exc)) from None
        return value

    @field_validator("search_radii_m")
    @classmethod
    def _radii_over_defaults(cls, value: dict[str, float]) -> dict[str, float]:
        bad = {code: r for code, r in value.items() if not 0 < r <= 5000}
        if bad:
            raise ValueError(f"radii must be in (0, 5000] m: {bad}")
        # Codes are APCO codes in capitals; a table in the file adjusts the defaults, it does
        # not silently drop the ones it does not mention.
        return {**DEFAULT_RADII_BY_CALL_TYPE, **{code.upper(): r for code, r in value.items()}}

    @classmethod
    def settings_customise_sources(
        cls, settings_cls, init_settings, env_settings, dotenv_settings, file_secret_settings
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        # Precedence: explicit arguments, then environment, then the TOML file.
        return (init_settings, env_settings, TomlConfigSettingsSource(settings_cls))

    def boundary(self) -> Jurisdiction:
        return Jurisdiction.from_text(self.jurisdiction)


def load_settings(path: Path | None = None, **overrides) -> DeskSettings:
    """Read settings, raising SettingsError that names the file or variable and the key."""
    source = config_path(path)
    _check_file(source, named=path is not None or "RTCC_CONFIG" in os.environ)
    _check_environment()
    # A subclass per file keeps the file choice out of global state.
    config = {**DeskSettings.model_config, "toml_file": source if source.exists() else None}
    settings_cls = type("DeskSettings", (DeskSettings,), {"model_config": config})
    try:
        return settings_cls(**overrides)
    except ValidationError as exc:
        raise SettingsError(_describe(exc, source, set(overrides))) from None


def _check_file(path: Path, *, named: bool) -> None:
    if not path.exists():
        if named:
            raise SettingsError(f"{path}: settings file not found")
        return
    try:
        tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise SettingsError(f"{path}: not a readable TOML file: {exc}") from None


def _check_environment() -> None:
    known = {ENV_PREFIX + name.upper() for name in DeskSettings.model_fields}
    unknown = sorted(
        k for k in os.environ if k.startswith(ENV_PREFIX) and k not in known | ENV_NOT_SETTINGS
    )
    if unknown:
        raise SettingsError(
            f"unknown setting(s) in the environment: {', '.join(unknown)}; "
            f"known: {', '.join(sorted(known))}"
        )


def _describe(exc: ValidationError, source: Path, given: set[str]) -> str:
    lines = []
    for error in exc.errors():
        key = ".".join(str(part) for part in error["loc"]) or "(settings)"
        where = f"{ENV_PREFIX}{key.upper()} or {source}" if source.exists() else f"{ENV_PREFIX}{key.upper()}"
        if error["loc"] and error["loc"][0] in given:
            where = "the command line"
        if error["type"] == "extra_forbidden":
            lines.append(f"{source}: unknown key {key!r}")
        else:
            lines.append(f"{where}: {key}: {error['msg']}")
    return "invalid settings:\n  " + "\n  ".join(lines)

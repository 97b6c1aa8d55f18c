"""Server settings from a TOML file and RTCC_SERVER_* environment variables."""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs
from pydantic import Field, ValidationError, field_validator
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

APP_NAME = "rtcc-server"
ENV_PREFIX = "RTCC_SERVER_"


class ServerSettingsError(Exception):
    """The server's configuration cannot be used; the message names the key."""


def _data_dir() -> Path:
    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


class ServerSettings(BaseSettings):
    """Everything a registry/upload server installation can configure."""

    model_config = SettingsConfigDict(env_prefix=ENV_PREFIX, extra="forbid")

    data_dir: Path = Field(
        default_factory=_data_dir, title="Data folder",
        description="Evidence files, audit checkpoints and the SQLite database live here.",
    )
    database_url: str = Field(
        "", title="Database URL",
        description="SQLAlchemy URL; empty means SQLite 'server.sqlite3' in the data folder.",
    )
    public_base_url: str = Field(
        "http://127.0.0.1:8750", title="Public base URL",
        description="Where owners and officers reach the server; every emailed link starts with it.",
    )
    demo_mode: bool = Field(
        False, title="Demo mode",
        description="Relaxes second-factor login for demo users and shows a banner on every page.",
    )
    rtcc_name: str = Field("Shreveport Real-Time Crime Center", title="RTCC name")
    rtcc_phone: str = Field("(318) 555-0100", title="RTCC phone shown to owners")
    rtcc_email: str = Field("rtcc@example.org", title="RTCC email shown to owners")
    timezone: str = Field("America/Chicago", title="Zone used when showing times to people")
    smtp_host: str = Field("127.0.0.1", title="SMTP server")
    smtp_port: int = Field(25, ge=1, le=65535, title="SMTP port")
    smtp_security: str = Field(
        "none", title="SMTP transport security", description="none, starttls or tls",
    )
    smtp_username: str = Field("", title="SMTP user (empty: no login)")
    smtp_password: str = Field("", title="SMTP password")
    mail_from: str = Field("rtcc-noreply@example.org", title="Sender address of emails")
    mail_outbox: Path | None = Field(
        None, title="Email outbox folder",
        description="When set, emails are written here as .eml files instead of sent by SMTP "
                    "(the demo; a room with no mail server yet).",
    )
    sms_outbox: Path | None = Field(
        None, title="SMS outbox folder",
        description="Text messages are written here as files for a gateway to send (default: data folder/sms-outbox).",
    )
    verify_link_hours: float = Field(72, gt=0, title="Email verification link lifetime (h)")
    owner_link_days: float = Field(10, gt=0, le=90, title="Footage request link lifetime (days)")
    overwrite_grace_hours: float = Field(
        24, ge=0, title="Grace after the overwrite deadline",
        description="A request link never outlives the camera's overwrite deadline by more than this.",
    )
    map_tile_url: str = Field(
        "", title="Map tile URL template",
        description="Leaflet {z}/{x}/{y} tile URL for the owners' pin map; empty shows a plain background.",
    )
    map_tile_attribution: str = Field(
        "", title="Map tile attribution", description="Credit line the tile provider requires.",
    )
    map_center: tuple[float, float] = Field(
        (32.5252, -93.7502), title="Owner map starting point (lat, lon)",
    )
    max_upload_bytes: int = Field(
        20 * 1024**3, gt=0, title="Largest file per upload (bytes)",
        description="Larger files are refused with 413 before any byte is sent.",
    )
    housekeeping_minutes: float = Field(
        15, ge=0, title="Housekeeping interval (minutes)",
        description="How often `serve` sends due reminders and expires links; 0 leaves it to a timer running `rtcc-server housekeeping`.",
    )
    reminder_hours: tuple[float, ...] = Field(
        (72, 24), title="Owner reminders (hours before the overwrite deadline)",
        description="An owner who has not answered is reminded once at each of these points before their recorder overwrites the requested window (a fresh link each time). Empty: no reminders.",
    )
    unverified_purge_days: float = Field(
        7, gt=0, title="Unconfirmed registrations kept (days)",
        description="Registrations whose email address is never confirmed are deleted by housekeeping after this many days (once no confirmation link is still open).",
    )
    event_retention_days: float = Field(
        7, gt=0, title="Desk event log kept (days)",
        description="Housekeeping deletes older events; a desk resuming from a deleted event id is told to resynchronise.",
    )
    totp_key_file: Path | None = Field(
        None, title="Key file for second-factor secrets",
        description="Fernet key that encrypts the TOTP secrets in the database (default: data folder/totp-secrets.key, created 0600 on first start). Keep it out of database backups, and back it up separately: without it no account can sign in.",
    )
    audit_checkpoint_every: int = Field(
        50, ge=1, title="Audit checkpoint interval",
        description="Write the chain's head to the checkpoint file after this many records.",
    )
    edge_code_hours: float = Field(
        72, gt=0, le=24 * 30, title="Edge enrollment code lifetime (h)",
        description="A one-time code for enrolling a business's edge recorder stops working after this.",
    )
    edge_clip_wait_hours: float = Field(
        24, gt=0, le=24 * 30, title="Edge clip requests wait for an offline box (h)",
        description="A clip asked of an edge box that does not come online within this expires.",
    )
    edge_live_max_seconds: int = Field(
        600, ge=10, le=4 * 3600, title="Longest live view of an edge channel (s)",
        description="The server ends every live session from an edge box after this; an analyst may ask for less.",
    )

    @field_validator("smtp_security")
    @classmethod
    def _known_security(cls, value: str) -> str:
        if value not in ("none", "starttls", "tls"):
            raise ValueError("must be none, starttls or tls")
        return value

    @field_validator("public_base_url")
    @classmethod
    def _absolute_url(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError("must start with http:// or https://")
        return value.rstrip("/")

    @classmethod
    def settings_customise_sources(
        cls, settings_cls, init_settings, env_settings, dotenv_settings, file_secret_settings
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return (init_settings, env_settings, TomlConfigSettingsSource(settings_cls))

    @property
    def effective_database_url(self) -> str:
        return self.database_url or f"sqlite:///{self.data_dir / 'server.sqlite3'}"

    @property
    def evidence_dir(self) -> Path:
        """Originals, write-once, outside any served folder."""
        return self.data_dir / "evidence"

    @property
    def audit_checkpoint_file(self) -> Path:
        return self.data_dir / "audit-checkpoints.log"

    @property
    def totp_key_path(self) -> Path:
        return self.totp_key_file or self.data_dir / "totp-secrets.key"

    @property
    def sms_outbox_dir(self) -> Path:
        return self.sms_outbox or self.data_dir / "sms-outbox"


def load_server_settings(path: Path | None = None, **overrides) -> ServerSettings:
    """Settings from ``path`` (or $RTCC_SERVER_CONFIG), the environment and ``overrides``."""
    source = path or (Path(os.environ["RTCC_SERVER_CONFIG"]) if "RTCC_SERVER_CONFIG" in os.environ else None)
    if source is not None and not source.exists():
        raise ServerSettingsError(f"{source}: settings file not found")
    config = {**ServerSettings.model_config, "toml_file": source}
    settings_cls = type("ServerSettings", (ServerSettings,), {"model_config": config})
    try:
        return settings_cls(**overrides)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors()
        )
        raise ServerSettingsError(f"invalid server settings ({source or 'environment'}): {problems}") from None

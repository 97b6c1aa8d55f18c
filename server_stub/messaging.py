"""Sending messages to owners and officers: email over SMTP (or into a folder), SMS through an outbox folder."""

from __future__ import annotations

import json
import smtplib
import ssl
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from email.message import EmailMessage
from pathlib import Path
from typing import Protocol

from server_stub.settings import ServerSettings


class MessageError(Exception):
    """A message could not be handed to its carrier."""


class Mailer(Protocol):
    def send(self, *, to: str, subject: str, body: str) -> None: ...


class SmsGateway(Protocol):
    def send(self, *, to: str, body: str) -> None: ...


@dataclass
class SmtpMailer:
    """Plain SMTP, STARTTLS or implicit TLS, with optional login (from the settings)."""

    settings: ServerSettings
    timeout_s: float = 20.0

    def send(self, *, to: str, subject: str, body: str) -> None:
        s = self.settings
        message = EmailMessage()
        message["From"], message["To"], message["Subject"] = s.mail_from, to, subject
        message.set_content(body)
        try:
            if s.smtp_security == "tls":
                client = smtplib.SMTP_SSL(s.smtp_host, s.smtp_port, timeout=self.timeout_s,
                                          context=ssl.create_default_context())
            else:
                client = smtplib.SMTP(s.smtp_host, s.smtp_port, timeout=self.timeout_s)
            with client:
                if s.smtp_security == "starttls":
                    client.starttls(context=ssl.create_default_context())
                if s.smtp_username:
                    client.login(s.smtp_username, s.smtp_password)
                client.send_message(message)
        except (OSError, smtplib.SMTPException) as exc:
            raise MessageError(f"email to {to} via {s.smtp_host}:{s.smtp_port} failed: {exc}") from exc


@dataclass
class OutboxMail:
    """Writes each email as an .eml file into a folder instead of sending it (the demo, and
    rooms with no mail server yet): open them with any mail program."""

    settings: ServerSettings
    folder: Path

    def send(self, *, to: str, subject: str, body: str) -> None:
        message = EmailMessage()
        message["From"], message["To"], message["Subject"] = self.settings.mail_from, to, subject
        message.set_content(body)
        _write_atomically(self.folder, "eml", bytes(message))


def _write_atomically(folder: Path, suffix: str, data: bytes) -> Path:
    """One file per message under a temporary name, then renamed: a reader never sees half."""
    folder.mkdir(parents=True, exist_ok=True)
    name = f"{datetime.now(UTC):%Y%m%dT%H%M%S%fZ}-{uuid.uuid4().hex[:8]}.{suffix}"
    temporary = folder / f".{name}.tmp"
    temporary.write_bytes(data)
    temporary.rename(folder / name)
    return folder / name


@dataclass
class OutboxSms:
    """Writes each text message as a JSON file into a folder that an SMS gateway drains.

    One file per message, written under a temporary name and renamed, so a gateway never
    reads half a message: ``{"to": "+13185550123", "body": "...", "created_at": "..."}``.
    """

    folder: Path

    def send(self, *, to: str, body: str) -> None:
        _write_atomically(self.folder, "json", json.dumps(
            {"to": to, "body": body, "created_at": datetime.now(UTC).isoformat()}
        ).encode("utf-8"))

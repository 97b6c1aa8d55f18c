"""Sending messages to owners and officers: email over SMTP, SMS through an outbox folder."""

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
class OutboxSms:
    """Writes each text message as a JSON file into a folder that an SMS gateway drains.

    One file per message, written under a temporary name and renamed, so a gateway never
    reads half a message: ``{"to": "+13185550123", "body": "...", "created_at": "..."}``.
    """

    folder: Path

    def send(self, *, to: str, body: str) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        name = f"{datetime.now(UTC):%Y%m%dT%H%M%S%fZ}-{uuid.uuid4().hex[:8]}.json"
        temporary = self.folder / f".{name}.tmp"
        temporary.write_text(json.dumps(
            {"to": to, "body": body, "created_at": datetime.now(UTC).isoformat()}
        ), encoding="utf-8")
        temporary.rename(self.folder / name)

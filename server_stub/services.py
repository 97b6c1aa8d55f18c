"""What the routes share: settings, database sessions, message carriers, the audit checkpointer."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from server_stub import audit, totp_secrets
from server_stub.db import open_database
from server_stub.messaging import Mailer, OutboxMail, OutboxSms, SmsGateway, SmtpMailer
from server_stub.settings import ServerSettings


@dataclass
class Services:
    settings: ServerSettings
    sessions: sessionmaker[Session]
    mailer: Mailer
    sms: SmsGateway
    checkpointer: audit.Checkpointer
    extra: dict[str, Any] = field(default_factory=dict)

    def audit(self, session: Session, **fields) -> None:
        """Append an audit record in the session's transaction (see ``audit.record``)."""
        audit.record(session, checkpointer=self.checkpointer, **fields)


def build_services(
    settings: ServerSettings, *, mailer: Mailer | None = None, sms: SmsGateway | None = None
) -> Services:
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    sessions = open_database(settings.effective_database_url)
    totp_secrets.open_box(settings, sessions)  # every session can seal and open TOTP secrets
    return Services(
        settings=settings,
        sessions=sessions,
        mailer=mailer or (OutboxMail(settings, settings.mail_outbox) if settings.mail_outbox
                          else SmtpMailer(settings)),
        sms=sms or OutboxSms(settings.sms_outbox_dir),
        checkpointer=audit.Checkpointer(settings.audit_checkpoint_file, settings.audit_checkpoint_every),
    )

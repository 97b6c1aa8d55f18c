"""With no mail server, owners' emails can go to a folder as .eml files (the demo does this)."""

from __future__ import annotations

from email import message_from_bytes

from server_stub.services import build_services
from server_stub.settings import ServerSettings


def test_emails_land_in_the_outbox_folder_as_readable_messages(tmp_path):
    settings = ServerSettings(data_dir=tmp_path, mail_outbox=tmp_path / "mail-outbox",
                              mail_from="rtcc@city.example")
    services = build_services(settings)
    services.mailer.send(to="owner@example.org", subject="Footage request", body="Please look at 14:05")
    (eml,) = (tmp_path / "mail-outbox").glob("*.eml")
    message = message_from_bytes(eml.read_bytes())
    assert message["To"] == "owner@example.org" and message["Subject"] == "Footage request"
    assert "14:05" in message.get_payload()
    assert not list((tmp_path / "mail-outbox").glob(".*.tmp"))

"""The officer's share link sent by the server: email or text message by the contact's shape."""

from __future__ import annotations

from dataclasses import dataclass
from zoneinfo import ZoneInfo

from server_stub.messaging import MessageError
from server_stub.models.shares import Share
from server_stub.registration_form import _EMAIL, _PHONE  # the shape checks owners' contacts get
from server_stub.services import Services
from server_stub.settings import ServerSettings

CONTACT_HINT = "give the officer's mobile number (e.g. +1 318 555 0142) or email address"


def contact_channel(contact: str) -> str | None:
    """How a contact is reached: "email", "sms" (a phone number), or None (neither shape)."""
    contact = contact.strip()
    if _EMAIL.match(contact):
        return "email"
    if _PHONE.match(contact) and sum(c.isdigit() for c in contact) >= 7:
        return "sms"
    return None


@dataclass(frozen=True)
class ShareText:
    subject: str
    body: str
    sms: str


def access_words(share: Share) -> str:
    return "view and download" if share.allow_download else "view only (no download)"


def share_message(settings: ServerSettings, share: Share, link: str, shared_by: str) -> ShareText:
    """The words the officer reads: who shared what for which case, how, until when, the link."""
    until = share.expires_at.astimezone(ZoneInfo(settings.timezone))
    until_text = f"{until:%d %B %Y, %I:%M %p %Z}"
    subject = f"Footage shared with you for case {share.case_ref}"
    body = (
        f"Hello {share.officer_name},\n\n"
        f"{shared_by} at the {settings.rtcc_name} shared camera footage with you for case "
        f"{share.case_ref}.\n\n"
        f"Access: {access_words(share)}\nThe link works until {until_text}:\n\n{link}\n\n"
        "This link is for you only: every opening is logged. Do not forward it.\n"
        f"Questions: {settings.rtcc_phone} or {settings.rtcc_email}\n"
    )
    sms = (f"{settings.rtcc_name}: footage for case {share.case_ref} shared by {shared_by}, "
           f"{access_words(share)}, until {until_text}. For you only: {link}")
    return ShareText(subject, body, sms)


def send_share_link(services: Services, share: Share, link: str, shared_by: str
                    ) -> tuple[str, str]:
    """Send the link to the officer's contact; (channel, "") when handed to the carrier, or
    (channel, why not) when it could not be. Never raises for a carrier's failure: the share
    stands and the analyst can hand the link over by QR code."""
    channel = contact_channel(share.officer_contact) or "email"
    text = share_message(services.settings, share, link, shared_by)
    try:
        if channel == "sms":
            services.sms.send(to=share.officer_contact, body=text.sms)
        else:
            services.mailer.send(to=share.officer_contact, subject=text.subject, body=text.body)
    except (MessageError, OSError) as exc:  # OSError: the SMS outbox folder cannot be written
        return channel, str(exc) or exc.__class__.__name__
    return channel, ""

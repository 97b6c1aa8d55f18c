"""The "Share to an officer" dialog against a real `rtcc-server` process: a share made in the
background, the server texting the link (or failing to email it: a real refused SMTP
connection), its link and a QR code of exactly that link shown; a refusal shown in words."""

from __future__ import annotations

import json

import httpx
import pytest
import segno
from PySide6.QtGui import QColor, QGuiApplication

from rtcc_desk.adapters.local_server import free_port
from rtcc_desk.adapters.server_link.shares_api import ShareCreated, UploadForShare, list_shares
from rtcc_desk.ui.share_dialog import QR_SCALE, ShareDialog
from tests.adapters.test_evidence_package import analyst, built  # noqa: F401
from tests.adapters.test_server_link import RegistryServer
from tests.ui.test_calls_pane import dark_theme  # noqa: F401

BORDER = 4  # segno's quiet zone, in modules


@pytest.fixture(scope="module")
def case_server(tmp_path_factory):
    """The evidence tests' server, with its SMTP port one nobody listens on: emails fail for
    real (connection refused), texts go to its SMS outbox."""
    server = RegistryServer(tmp_path_factory.mktemp("share-dialog") / "server")
    server.smtp_port = free_port()
    with server as running:
        yield running


def dialog_for(qtbot, client, upload: UploadForShare) -> ShareDialog:
    dialog = ShareDialog(client, upload, parent=None)
    qtbot.addWidget(dialog)
    dialog.show()
    return dialog


def fill(dialog: ShareDialog, name="Ofc. Jamie Ruiz", contact="+13185550142") -> None:
    dialog.officer_name.setText(name)
    dialog.officer_contact.setText(contact)


def qr_modules(image, size: int) -> list[list[bool]]:
    """Dark modules read back from the pixmap, sampled at each module's centre."""
    def dark(x: int, y: int) -> bool:
        return QColor(image.pixel(x, y)).lightness() < 128
    return [[dark((BORDER + c) * QR_SCALE + QR_SCALE // 2, (BORDER + r) * QR_SCALE + QR_SCALE // 2)
             for c in range(size)] for r in range(size)]


def test_share_made_in_background_shows_link_qr_and_contact(qtbot, analyst, built,  # noqa: F811
                                                             case_server):
    upload = UploadForShare(built.clip_id, "porch 2026-11-25.mp4", "REG-000031", built.case_ref)
    dialog = dialog_for(qtbot, analyst, upload)
    assert dialog.case_ref.text() == built.case_ref and dialog.expiry.value() == 72
    assert dialog.view_only.isChecked() and not dialog.create_button.isEnabled()
    assert dialog.send_link.isChecked()
    texts = case_server.data_dir / "sms-outbox"
    known = set(texts.glob("*.json"))
    assert "porch 2026-11-25.mp4" in dialog.about.text() and "REG-000031" in dialog.about.text()
    fill(dialog)
    assert dialog.create_button.isEnabled()
    with qtbot.waitSignal(dialog.shared, timeout=20000) as made:
        dialog.create_button.click()
    share = made.args[0]
    assert isinstance(share, ShareCreated) and not share.allow_download
    assert dialog.link.text() == share.url and dialog.result_box.isVisible()
    note = dialog.contact_note.text()
    assert "Ofc. Jamie Ruiz" in note and "+13185550142" in note
    assert dialog.sent_note.text() == "Link sent by text message to +13185550142."
    assert dialog.sent_note.isVisible() and not dialog.send_link.isEnabled()
    (text,) = set(texts.glob("*.json")) - known  # the officer's text holds exactly this link
    assert share.url in json.loads(text.read_text())["body"].split()
    assert not dialog.create_button.isEnabled() and not dialog.error.isVisible()

    pixmap = dialog.qr.pixmap()
    assert pixmap is not None and not pixmap.isNull()
    symbol = segno.make(share.url, error="m")
    size = symbol.symbol_size(border=0)[0]
    image = pixmap.toImage()
    assert image.width() == (size + 2 * BORDER) * QR_SCALE
    assert qr_modules(image, size) == [[bool(m) for m in row] for row in symbol.matrix]

    dialog.copy_link()
    assert QGuiApplication.clipboard().text() == share.url
    listed = next(s for s in list_shares(analyst, built.clip_id) if s.id == share.id)
    assert listed.officer_name == "Ofc. Jamie Ruiz" and listed.case_ref == built.case_ref
    assert httpx.get(share.url).status_code == 200


def test_download_and_expiry_choices_reach_the_server(qtbot, analyst, built):  # noqa: F811
    dialog = dialog_for(qtbot, analyst, UploadForShare(built.clip_id, case_ref=built.case_ref))
    fill(dialog, contact="j.ruiz@police.example")
    dialog.view_download.setChecked(True)
    dialog.expiry.setValue(6)
    dialog.send_link.setChecked(False)  # the officer is at the desk: the QR code will do
    with qtbot.waitSignal(dialog.shared, timeout=20000) as made:
        dialog.submit()
    record = next(s for s in list_shares(analyst) if s.id == made.args[0].id)
    assert record.allow_download and record.officer_contact == "j.ruiz@police.example"
    assert (record.expires_at - record.created_at).total_seconds() == 6 * 3600
    assert "view and download" in dialog.contact_note.text()
    assert dialog.sent_note.text().startswith("Not sent: let the officer scan the code")


def test_an_email_that_cannot_be_sent_is_said_next_to_the_link(
        qtbot, dark_theme, analyst, built, screenshot_dir):  # noqa: F811
    dialog = dialog_for(qtbot, analyst, UploadForShare(built.clip_id, case_ref=built.case_ref))
    fill(dialog, contact="j.ruiz@police.example")
    with qtbot.waitSignal(dialog.shared, timeout=30000) as made:
        dialog.submit()
    share = made.args[0]
    assert share.sent_via == "" and "email to j.ruiz@police.example" in share.send_error
    sent = dialog.sent_note.text()
    assert sent.startswith("The link could NOT be sent to j.ruiz@police.example: email to")
    assert sent.endswith("Let the officer scan the code, or copy the link to them.")
    assert dialog.sent_note.isVisible() and not dialog.error.isVisible()
    assert dialog.link.text() == share.url and not dialog.qr.pixmap().isNull()
    assert httpx.get(share.url).status_code == 200  # the share stands: hand it over by QR
    dialog.grab().save(str(screenshot_dir / "share-dialog-send-failed.png"))


def test_refusal_is_shown_beside_the_form(qtbot, analyst, built):  # noqa: F811
    dialog = dialog_for(qtbot, analyst, UploadForShare(built.native_id, "CH01_recorder.dav",
                                                       case_ref=built.case_ref))
    fill(dialog)
    dialog.submit()
    qtbot.waitUntil(dialog.error.isVisible, timeout=20000)
    assert "cannot be shared" in dialog.error.text() and "valuable" in dialog.error.text()
    assert not dialog.result_box.isVisible() and dialog.create_button.isEnabled()  # can retry
    assert dialog.qr.pixmap().isNull()


def test_screenshot_after_a_share(qtbot, dark_theme, analyst, built, screenshot_dir):  # noqa: F811
    upload = UploadForShare(built.clip_id, "porch 2026-11-25.mp4", "REG-000031", built.case_ref)
    dialog = dialog_for(qtbot, analyst, upload)
    fill(dialog)
    with qtbot.waitSignal(dialog.shared, timeout=20000):
        dialog.submit()
    qtbot.wait(50)
    image = dialog.grab().toImage()
    image.save(str(screenshot_dir / "share-dialog.png"))
    assert image.width() >= 520 and image.height() >= 400
    colours = {image.pixel(x, y) for x in range(0, image.width(), 7)
               for y in range(0, image.height(), 7)}
    assert len(colours) > 8, "the screenshot looks blank"

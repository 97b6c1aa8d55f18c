"""For the registration tests: an HTML form reader, a valid form, register-and-verify."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from urllib.parse import urlsplit

from sqlalchemy import select

from server_stub.models.audit import AuditRecord
from server_stub.models.registry import CameraRegistration

HTML = {"accept": "text/html"}
EMAIL = "dana.reyes@example.net"
PUBLIC = "https://rtcc.example.test"


class Page(HTMLParser):
    """Form controls, their values, the error shown inside each field, and every asset URL."""

    def __init__(self, html: str):
        super().__init__()
        self.values: dict[str, str] = {}
        self.checked: set[str] = set()
        self.field_errors: dict[str, str] = {}
        self.assets: list[str] = []
        self.inline_scripts = 0
        self.style_attributes = 0
        self._field_names: list[str] | None = None
        self._text_target: str | None = None
        self._select: str | None = None
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        self.style_attributes += "style" in a
        if tag == "div" and "field" in (a.get("class") or "").split():
            self._field_names = []
        if tag in ("input", "textarea", "select") and self._field_names is not None:
            self._field_names.append(a.get("name", ""))
        if tag == "input" and a.get("type") == "checkbox":
            if "checked" in a:
                self.checked.add(a["name"])
        elif tag == "input" and a.get("name"):
            self.values[a["name"]] = a.get("value", "")
        elif tag == "textarea":
            self._text_target = a["name"]
            self.values[a["name"]] = ""
        elif tag == "select":
            self._select = a["name"]
        elif tag == "option" and self._select and "selected" in a:
            self.values[self._select] = a.get("value", "")
        elif tag == "p" and a.get("class") == "error" and self._field_names:
            self._text_target = "error:" + self._field_names[-1]
            self.field_errors[self._field_names[-1]] = ""
        elif tag == "script":
            self.assets.append(a.get("src", "")) if a.get("src") else None
            self.inline_scripts += not a.get("src")
        elif tag in ("link", "img"):
            self.assets.append(a.get("href") or a.get("src") or "")

    def handle_endtag(self, tag):
        if tag in ("textarea", "p"):
            self._text_target = None
        if tag == "select":
            self._select = None

    def handle_data(self, data):
        if self._text_target and self._text_target.startswith("error:"):
            self.field_errors[self._text_target[6:]] += data
        elif self._text_target:
            self.values[self._text_target] += data


def csrf(page_html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', page_html).group(1)


def good_form(**changes) -> dict[str, str]:
    form = {
        "name": "Dana Reyes", "email": EMAIL, "phone": "(318) 555-0123", "preferred_channel": "sms",
        "address": "1200 Texas St, Shreveport, LA", "consent": "yes",
        "cam0_label": "Front door", "cam0_lat": "32.5101", "cam0_lon": "-93.7466",
        "cam0_bearing": "90", "cam0_sees": "Porch and both lanes of Texas St",
        "cam0_recorder_type": "doorbell_cloud", "cam0_retention_days": "30",
        "cam1_label": "Driveway", "cam1_lat": "32.5103", "cam1_lon": "-93.7468",
        "cam1_bearing": "unknown", "cam1_sees": "Driveway", "cam1_recorder_type": "dvr_nvr",
        "cam1_retention_days": "",
        "cam2_bearing": "unknown", "cam3_bearing": "unknown",  # blank extra blocks are ignored
    }
    return {**form, **changes}


def submit(web, form, **kwargs):
    page = web.get("/register")
    return web.post("/register", data={**form, "csrf_token": csrf(page.text)},
                    follow_redirects=False, **kwargs)


def link_in(inbox, kind: str, to: str = "") -> str:
    """The ``kind`` link in the newest email (to ``to``, when given)."""
    body = inbox.body(inbox.last_to(to) if to else inbox.messages[-1])
    return re.search(rf"(https?://\S+/{kind}/\S+)", body).group(1)


def cameras(services) -> list[CameraRegistration]:
    with services.sessions() as session:
        query = select(CameraRegistration).order_by(CameraRegistration.sync_version)
        return session.scalars(query).all()


def audit_actions(services) -> list[str]:
    with services.sessions() as session:
        return session.scalars(select(AuditRecord.action).order_by(AuditRecord.seq)).all()


def register_and_verify(web, inbox) -> str:
    """Register the good form and confirm it; the manage page's path."""
    assert submit(web, good_form()).status_code == 303
    inbox.wait_for(1)
    verify_path = urlsplit(link_in(inbox, "register/verify")).path
    confirm = web.get(verify_path)
    done = web.post(verify_path, data={"csrf_token": csrf(confirm.text)}, follow_redirects=False)
    assert done.status_code == 303
    return urlsplit(done.headers["location"]).path



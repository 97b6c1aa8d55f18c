"""The server's shell: health, security headers, error pages without stack traces, OpenAPI,
settings from the environment."""

from __future__ import annotations

import pytest

from server_stub.settings import ServerSettingsError, load_server_settings


def test_health_and_security_headers(client):
    response = client.get("/health")
    assert response.status_code == 200 and response.json() == {"status": "ok"}
    assert response.headers["referrer-policy"] == "no-referrer"
    assert response.headers["x-frame-options"] == "DENY"
    assert "default-src 'self'" in response.headers["content-security-policy"]
    assert response.headers["strict-transport-security"].startswith("max-age=")


def test_openapi_is_published(client):
    assert client.get("/docs").status_code == 200
    assert client.get("/openapi.json").json()["info"]["title"].startswith("RTCC")


def test_unknown_page_is_a_readable_html_page_for_browsers(client):
    response = client.get("/no/such/page", headers={"accept": "text/html"})
    assert response.status_code == 404
    assert "<h1>Not found</h1>" in response.text
    assert client.get("/no/such/page").json() == {"detail": "Not Found"}


def test_leaflet_is_served_locally(client):
    response = client.get("/static/leaflet/leaflet.js")
    assert response.status_code == 200 and "Leaflet" in response.text[:2000]


def test_housekeeping_windows_come_from_the_environment_and_are_checked(monkeypatch, tmp_path):
    defaults = load_server_settings(data_dir=tmp_path)
    assert (defaults.unverified_purge_days, defaults.event_retention_days) == (7, 7)
    assert defaults.totp_key_path == tmp_path / "totp-secrets.key"
    monkeypatch.setenv("RTCC_SERVER_UNVERIFIED_PURGE_DAYS", "3.5")
    monkeypatch.setenv("RTCC_SERVER_EVENT_RETENTION_DAYS", "30")
    monkeypatch.setenv("RTCC_SERVER_TOTP_KEY_FILE", str(tmp_path / "keys" / "totp.key"))
    settings = load_server_settings(data_dir=tmp_path)
    assert (settings.unverified_purge_days, settings.event_retention_days) == (3.5, 30)
    assert settings.totp_key_path == tmp_path / "keys" / "totp.key"
    monkeypatch.setenv("RTCC_SERVER_EVENT_RETENTION_DAYS", "0")
    with pytest.raises(ServerSettingsError, match="event_retention_days"):
        load_server_settings(data_dir=tmp_path)

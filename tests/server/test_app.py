"""The server's shell: health, security headers, error pages without stack traces, OpenAPI."""

from __future__ import annotations


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

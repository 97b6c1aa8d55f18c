"""API docs served from local files (no CDN), allowed by a page policy that names its one script."""

from __future__ import annotations

import base64
import hashlib
import re

from fastapi import FastAPI
from fastapi.testclient import TestClient

from server_stub.routes import docs


def docs_client() -> TestClient:
    app = FastAPI(title="RTCC test", docs_url=None, redoc_url=None)
    docs.install(app)
    return TestClient(app)


def test_docs_page_loads_everything_from_this_server():
    client = docs_client()
    page = client.get("/docs")
    assert page.status_code == 200
    assert "cdn" not in page.text.lower() and "https://" not in page.text
    for url in re.findall(r'(?:src|href)="([^"]+)"', page.text):
        assert url.startswith("/static/docs/")
        assert client.get(url).status_code == 200, url
    assert "SwaggerUIBundle" in client.get("/static/docs/swagger-ui-bundle.js").text[:200_000]


def test_page_policy_allows_only_its_own_inline_script():
    page = docs_client().get("/docs")
    [script] = re.findall(r"<script>(.*?)</script>", page.text, flags=re.S)
    digest = base64.b64encode(hashlib.sha256(script.encode()).digest()).decode()
    policy = page.headers["content-security-policy"]
    assert f"script-src 'self' 'sha256-{digest}';" in policy
    assert "unsafe-inline" not in policy and "frame-ancestors 'none'" in policy

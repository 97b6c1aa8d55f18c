"""Rendering server pages with what every page needs (RTCC name, demo banner)."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import HTMLResponse


def render(request: Request, template: str, context: dict | None = None, status_code: int = 200) -> HTMLResponse:
    settings = request.app.state.services.settings
    base = {"demo_mode": settings.demo_mode, "rtcc_name": settings.rtcc_name}
    return request.app.state.templates.TemplateResponse(
        request, template, {**base, **(context or {})}, status_code=status_code
    )

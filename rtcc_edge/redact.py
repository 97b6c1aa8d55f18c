"""Keeping camera credentials out of logs, health reports and the owner page."""

from __future__ import annotations

import logging

from rtcc_media.urls import redact_text, redact_url

__all__ = ["RedactingFilter", "Redactor", "redact_url"]


class Redactor:
    """Takes every known camera's credentials out of any text (ffmpeg lines, errors, log records)."""

    def __init__(self, urls: list[str] | None = None) -> None:
        self._urls: list[str] = list(urls or [])

    def add_url(self, url: str) -> None:
        self._urls.append(url)

    def __call__(self, text: str) -> str:
        for url in self._urls:
            text = redact_text(text, url)
        return text


class RedactingFilter(logging.Filter):
    """A logging filter that passes every message through a Redactor (installed on handlers)."""

    def __init__(self, redactor: Redactor) -> None:
        super().__init__()
        self.redactor = redactor

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = self.redactor(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return True

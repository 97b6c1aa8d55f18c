"""Qt tests run offscreen with the real QtWebEngine; screenshots go to one folder to look at."""

from __future__ import annotations

import os
from pathlib import Path

# Before any Qt import: no display, and Chromium's sandbox cannot run as root in a container.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("QTWEBENGINE_CHROMIUM_FLAGS", "--no-sandbox")
os.environ.setdefault("QTWEBENGINE_DISABLE_SANDBOX", "1")

import pytest  # noqa: E402

import rtcc_desk.ui.map  # noqa: E402, F401  (its URL scheme must be registered before QApplication)

SCREENSHOTS = Path(os.environ.get("RTCC_SCREENSHOTS", Path(__file__).resolve().parents[2] / "screenshots"))


@pytest.fixture
def screenshot_dir() -> Path:
    """Where pane screenshots are written (``screenshots/`` at the repo root, git-ignored)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS

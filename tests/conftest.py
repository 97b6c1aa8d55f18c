"""Shared fixtures: where the real public data lives, and a fresh store per test."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
REAL_DATA = REPO.parent / "shared" / "data" / "real"


@pytest.fixture
def real_data() -> Path:
    """../shared/data/real beside the checkout; tests that need it skip, saying why, without it."""
    if not REAL_DATA.is_dir():
        pytest.skip(f"real public data not found at {REAL_DATA} (the shared/ folder beside the checkout)")
    return REAL_DATA


@pytest.fixture
def database_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'desk.sqlite3'}"


@pytest.fixture(autouse=True)
def isolated_settings(monkeypatch, tmp_path: Path):
    """No test reads the developer's own rtcc.toml, RTCC_* variables or data folder."""
    import os

    for key in list(os.environ):
        if key.startswith("RTCC_"):
            monkeypatch.delenv(key)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))

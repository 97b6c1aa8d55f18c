"""Settings: defaults, file and environment, and errors that name the key."""

from __future__ import annotations

from pathlib import Path

import pytest

from rtcc_desk.adapters.settings import SettingsError, load_settings
from rtcc_desk.core.geo import LatLon


def test_defaults_are_shreveport_sqlite_in_the_user_data_folder(tmp_path):
    settings = load_settings()
    assert settings.database_url.startswith("sqlite:///")
    assert str(tmp_path / "data") in settings.database_url
    assert settings.boundary().contains(LatLon(32.5252, -93.7502))  # Shreveport city hall
    assert not settings.boundary().contains(LatLon(32.4487, -93.3580))  # Minden, 35 km east
    assert settings.search_radii_m["SHOOT"] == 300


def test_file_then_environment_then_arguments(tmp_path, monkeypatch):
    config = tmp_path / "rtcc.toml"
    config.write_text('timezone = "America/New_York"\ndefault_search_radius_m = 120\n')
    assert load_settings(config).timezone == "America/New_York"
    monkeypatch.setenv("RTCC_TIMEZONE", "America/Denver")
    assert load_settings(config).timezone == "America/Denver"
    assert load_settings(config).default_search_radius_m == 120
    assert load_settings(config, timezone="UTC").timezone == "UTC"


def test_the_default_file_in_the_config_folder_is_read(tmp_path):
    folder = tmp_path / "config" / "rtcc-desk"
    folder.mkdir(parents=True)
    (folder / "rtcc.toml").write_text("default_search_radius_m = 99\n")
    assert load_settings().default_search_radius_m == 99


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('databse_url = "sqlite://"\n', "unknown key 'databse_url'"),
        ('timezone = "Mars/Olympus"\n', "unknown time zone 'Mars/Olympus'"),
        ("default_search_radius_m = -5\n", "default_search_radius_m"),
        ('jurisdiction = "32.6,-93.9,32.3,-93.6"\n', "south<north"),
        ("[search_radii_m]\nSHOOT = 0\n", "radii must be in"),
        ("timezone = \n", "not a readable TOML file"),
    ],
)
def test_bad_file_names_the_file_and_key(tmp_path, content, message):
    config = tmp_path / "rtcc.toml"
    config.write_text(content)
    with pytest.raises(SettingsError) as error:
        load_settings(config)
    assert message in str(error.value)
    assert str(config) in str(error.value)


def test_unknown_environment_variable_is_named(monkeypatch):
    monkeypatch.setenv("RTCC_DATABASE", "sqlite://")
    with pytest.raises(SettingsError, match="RTCC_DATABASE"):
        load_settings()


def test_missing_named_file_is_an_error(tmp_path):
    with pytest.raises(SettingsError, match="not found"):
        load_settings(Path(tmp_path / "nope.toml"))


def test_a_radius_table_adjusts_the_defaults_and_codes_are_capitalised(tmp_path):
    config = tmp_path / "rtcc.toml"
    config.write_text("[search_radii_m]\nshoot = 350\nFIGHT = 200\n")
    radii = load_settings(config).search_radii_m
    assert radii["SHOOT"] == 350 and radii["FIGHT"] == 200
    assert radii["PURSUIT"] == 400  # a default the file did not mention is kept

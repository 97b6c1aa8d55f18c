"""The box's configuration: readable errors naming the key, at most four cameras, no credentials shown."""

from __future__ import annotations

from pathlib import Path

import pytest

from rtcc_edge import cli
from rtcc_edge.settings import EdgeSettingsError, load_settings
from tests.edge.helpers import camera, write_config

REPO = Path(__file__).resolve().parents[2]


def test_the_example_configuration_is_valid(capsys):
    assert cli.main(["--config", str(REPO / "installers/edge/rtcc-edge.toml.example"), "--check-config"]) == 0
    out = capsys.readouterr()
    assert "camera 1: 'Front door' rtsp://viewer:***@192.168.1.20:554/" in out.out
    assert "CHANGE-ME" not in out.out + out.err
    assert "configuration OK" in out.err


def test_a_fifth_camera_is_refused_with_a_clear_message(tmp_path, capsys):
    cameras = [camera(n, f"rtsp://10.0.0.{n}/live") for n in (1, 2, 3, 4)] + [camera(4, "rtsp://10.0.0.5/live")]
    config = write_config(tmp_path, cameras)
    assert cli.main(["--config", str(config), "--check-config"]) == 2
    err = capsys.readouterr().err
    assert f"{config}: cameras: this box records at most 4 cameras and the configuration lists 5; remove 1" in err


def test_errors_name_the_file_the_key_and_the_problem(tmp_path):
    config = write_config(tmp_path, [
        camera(1, "ftp://admin:hunter22@10.0.0.1/live"),
        {"channel": 2, "name": "Lot", "url": "rtsp://10.0.0.2/live", "lat": 95.0},
        camera(3, "rtsp://10.0.0.3/live", rtsp_transport="quic"),
    ], retension_days=14, owner_page={"host": "0.0.0.0"})
    with pytest.raises(EdgeSettingsError) as caught:
        load_settings(config)
    message = str(caught.value)
    assert f"{config}: [[cameras]] #1 (channel 1).url: must start with rtsp://" in message
    assert "hunter22" not in message and "admin:***@" in message  # the bad URL is shown redacted
    assert f"{config}: [[cameras]] #2 (channel 2).lat: Input should be less than or equal to 90" in message
    assert f"{config}: [[cameras]] #2 (channel 2).lon: required but missing" in message
    assert "[[cameras]] #3 (channel 3).rtsp_transport: Input should be 'auto', 'tcp' or 'udp'" in message
    assert f"{config}: retension_days: unknown key" in message
    assert "owner_page.host: 0.0.0.0 would listen on every network" in message


@pytest.mark.parametrize("host, accepted", [
    ("127.0.0.1", True), ("192.168.1.50", True), ("10.1.2.3", True), ("8.8.8.8", False), ("0.0.0.0", False),
])
def test_the_owner_page_listens_on_loopback_or_the_lan_only(tmp_path, host, accepted):
    config = write_config(tmp_path, [camera(1, "rtsp://10.0.0.1/live")], owner_page={"host": host})
    if accepted:
        assert load_settings(config).owner_page.host == host
    else:
        with pytest.raises(EdgeSettingsError, match="owner_page.host"):
            load_settings(config)


def test_two_cameras_on_one_channel_are_refused(tmp_path):
    config = write_config(tmp_path, [camera(2, "rtsp://10.0.0.1/a"), camera(2, "rtsp://10.0.0.2/b")])
    with pytest.raises(EdgeSettingsError, match="channel 2 is used by two cameras"):
        load_settings(config)


def test_a_missing_or_broken_file_is_named(tmp_path):
    with pytest.raises(EdgeSettingsError, match="configuration file not found"):
        load_settings(tmp_path / "nope.toml")
    broken = tmp_path / "broken.toml"
    broken.write_text("box_name = \n")
    with pytest.raises(EdgeSettingsError, match=f"{broken}: not a readable TOML file"):
        load_settings(broken)


def test_settings_never_print_the_camera_password(tmp_path):
    settings = load_settings(write_config(tmp_path, [camera(1, "rtsp://admin:hunter22@10.0.0.1/live")]))
    assert "hunter22" not in repr(settings) and "hunter22" not in str(settings.cameras)
    assert "url" not in settings.cameras[0].describe()  # what the server is told at enrollment

"""`rtcc import-poles` against a real `rtcc-server`: a pole file with bad rows sends its good
cameras to the inventory (pending privacy review, passwords never printed), names each bad row,
and a re-aimed camera goes back to review on the next import."""

from __future__ import annotations

import json
from pathlib import Path

import pyotp
import pytest

from rtcc_desk.adapters.server_link import ServerClient
from rtcc_desk.adapters.server_link.city_cameras_api import sync_city_cameras
from rtcc_desk.cli.main import main
from tests.adapters.test_server_link import PASSWORD, RegistryServer

POLES = Path(__file__).resolve().parents[1] / "adapters" / "data" / "poles" / "city_poles.csv"


@pytest.fixture
def server(tmp_path):
    with RegistryServer(tmp_path / "server") as running:
        yield running


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def import_as(capsys, server, admin: str, path: Path) -> tuple[int, str, str]:
    secret = server.add_user(admin, "admin")  # a new admin each time: a code is good once
    return run(capsys, "import-poles", str(path), "--server", server.base_url, "--username", admin,
               "--password", PASSWORD, "--code", pyotp.TOTP(secret).now())


def test_good_rows_reach_the_inventory_pending_review_and_bad_rows_are_named(capsys, server, tmp_path):
    code, out, err = import_as(capsys, server, "ada", POLES)
    assert code == 1  # some rows refused
    assert "city_poles.csv:7 [POLE_ID]: pole CP-0101 is listed twice" in err
    assert "city_poles.csv:8 [CAM1_MAIN_URL]" in err
    sent = json.loads(out)
    assert sent["created"] > 0 and set(sent["sent_to_review"]) == set()  # new: pending anyway

    reviewer = server.add_user("rita", "privacy_reviewer")
    with ServerClient(server.base_url) as client:
        client.login("rita", PASSWORD, pyotp.TOTP(reviewer).now())
        cameras = sync_city_cameras(client).cameras
    assert len(cameras) == sent["created"]
    assert all(c.camera.privacy_review.value == "pending" for c in cameras)
    assert "Gr33n!Pole" in POLES.read_text() and "Gr33n!Pole" not in out + err  # never printed

    # Next month's export: one camera re-aimed. It goes back to review and the import says why.
    rows = POLES.read_text().splitlines()
    header = rows[0].split(",")
    bearing = header.index("CAM1_AZIMUTH")
    first = rows[1].split(",")
    first[bearing] = str((float(first[bearing]) + 40) % 360)
    moved = tmp_path / "city_poles_next_month.csv"
    moved.write_text("\n".join([rows[0], ",".join(first), *rows[2:]]) + "\n")
    code, out, err = import_as(capsys, server, "ben", moved)
    again = json.loads(out)
    assert again["created"] == 0 and len(again["sent_to_review"]) == 1
    assert "bearing" in err and "pending privacy review" in err


def test_dry_run_checks_the_file_and_sends_nothing(capsys, server):
    code, out, err = run(capsys, "import-poles", "--dry-run", str(POLES))
    assert code == 1 and out == "" and "read 6 pole cameras, refused 8" in err

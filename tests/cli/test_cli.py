"""The `rtcc` command line as a user runs it: exit codes, rejections on stderr, JSON lines."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from rtcc_desk.adapters.store import load_calls, load_cameras, open_store
from rtcc_desk.cli.main import main


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_console_script_is_installed_and_documents_its_commands():
    result = subprocess.run(
        [Path(sys.executable).parent / "rtcc", "--help"], capture_output=True, text=True, check=True
    )
    for command in ("import-cameras", "import-calls", "correlate", "demo-data", "demo"):
        assert command in result.stdout
    assert "Exit codes" in result.stdout


@pytest.mark.parametrize("command", ["import-cameras", "import-calls", "correlate", "demo-data", "demo"])
def test_every_command_has_help(capsys, command):
    with pytest.raises(SystemExit) as exit_:
        main([command, "--help"])
    assert exit_.value.code == 0
    assert "usage: rtcc" in capsys.readouterr().out


def test_import_real_detroit_cameras_stores_all(capsys, database_url, real_data):
    code, _, err = run(
        capsys, "--database", database_url, "import-cameras",
        str(real_data / "cameras" / "detroit_project_green_light_locations.csv"),
        "--kind", "business", "--dry-run",
    )
    assert code == 0
    assert "766 accepted, 0 rejected" in err
    assert "dry run" in err


def test_bad_rows_are_listed_good_rows_stored_exit_1(capsys, tmp_path, database_url):
    csv_file = tmp_path / "cams.csv"
    csv_file.write_text(
        "id,lat,lon,bearing,retention_days\n"
        "A,32.51,-93.75,90,14\n"
        "B,thirty-two,-93.75,90,14\n"
        "C,32.52,-93.74,,30\n"
        "D,95,-93.74,,30\n"
    )
    code, _, err = run(capsys, "--database", database_url, "import-cameras", str(csv_file), "--kind", "residential")
    assert code == 1
    assert f"{csv_file}:3 [lat" in err and "not a number" in err
    assert f"{csv_file}:5 [" in err and "latitude 95" in err
    assert "2 accepted, 2 rejected" in err
    with open_store(database_url)() as session:
        assert sorted(c.camera_id for c in load_cameras(session)) == ["cams:A", "cams:C"]


def test_unusable_input_exits_2(capsys, tmp_path, database_url):
    code, _, err = run(capsys, "--database", database_url, "import-cameras", str(tmp_path / "missing.csv"), "--kind", "business")
    assert code == 2 and "missing.csv" in err
    no_coords = tmp_path / "nocoords.csv"
    no_coords.write_text("id,name\n1,Corner store\n")
    code, _, err = run(capsys, "--database", database_url, "import-cameras", str(no_coords), "--kind", "business")
    assert code == 2 and "nocoords.csv" in err
    code, _, err = run(capsys, "import-cameras", str(no_coords), "--kind", "spaceship")
    assert code == 2 and "spaceship" in err


def test_import_real_calls_reports_the_malformed_eido(capsys, database_url, real_data):
    code, _, err = run(
        capsys, "--database", database_url, "import-calls",
        *sorted(str(p) for p in (real_data / "cad").glob("*.csv")),
        str(real_data / "eido" / "nena_sample_call_transfer_eido.json"),
        str(real_data / "eido" / "nena_sample_eido_2020_superseded.json"),
    )
    assert code == 1
    assert "nena_sample_eido_2020_superseded.json:1 [" in err
    assert "0 accepted, 1 rejected" in err
    with open_store(database_url)() as session:
        assert len(load_calls(session)) == 706 + 222 + 1


def test_correlate_a_map_point(capsys, tmp_path, database_url):
    csv_file = tmp_path / "cams.csv"
    csv_file.write_text(
        "id,kind,lat,lon,bearing,fov,range,retention_days,pole_id,position,privacy_review\n"
        "P1-1,city_pole,32.5120,-93.7510,90,60,150,30,P1,1,approved\n"
        "P1-2,city_pole,32.5120,-93.7510,90,60,150,30,P1,2,pending\n"
        "H1,residential,32.5121,-93.7499,,,40,7,,,\n"
        "H2,residential,32.5200,-93.7000,,,40,7,,,\n"
    )
    assert run(capsys, "--database", database_url, "import-cameras", str(csv_file), "--kind-column", "kind", "--id-prefix", "")[0] == 0
    code, out, _ = run(
        capsys, "--database", database_url, "correlate", "--at", "32.5120,-93.7500",
        "--time", "2026-11-01T02:00:00-05:00", "--now", "2026-11-10T00:00:00Z",
    )
    assert code == 0
    (line,) = out.splitlines()
    result = json.loads(line)
    assert result["status"] == "ok"
    assert [c["camera_id"] for c in result["candidates"]] == ["P1-1", "H1"]
    pole, home = result["candidates"]
    assert pole["sees_location"] and pole["access"] == "open_now"
    assert pole["distance_m"] == pytest.approx(94, abs=1)
    assert home["direction_unknown"] and home["access"] == "request"
    assert home["deadline_passed"] is True and pole["deadline_passed"] is False
    assert pole["overwrite_deadline"] == "2026-12-01T02:00:00-05:00"


def test_correlate_rejects_a_time_without_offset(capsys, database_url):
    code, _, err = run(capsys, "--database", database_url, "correlate", "--at", "32.51,-93.75", "--time", "2026-11-01T02:00")
    assert code == 2 and "UTC offset" in err


def test_demo_data_is_deterministic_and_correlates(capsys, tmp_path, database_url):
    args = ["demo-data", "--seed", "4", "--registered", "500", "--calls", "120"]
    assert run(capsys, "--database", database_url, *args, "--out", str(tmp_path / "a"), "--load")[0] == 0
    assert run(capsys, *args, "--out", str(tmp_path / "b"))[0] == 0
    for name in ("shreveport_cameras.csv", "shreveport_calls.csv"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()
    # the written files import cleanly through the public importers
    code, _, err = run(capsys, "import-calls", "--dry-run", str(tmp_path / "a" / "shreveport_calls.csv"))
    assert code == 0, err
    code, out, _ = run(capsys, "--database", database_url, "correlate", "--now", "2026-11-25T12:00:00Z")
    results = [json.loads(line) for line in out.splitlines()]
    with open_store(database_url)() as session:
        assert len(results) == len(load_calls(session))
    statuses = {r["status"] for r in results}
    assert statuses <= {"ok", "no_usable_location"}
    assert any(r["candidates"] for r in results)


def test_headless_demo_prints_calls_with_candidates(capsys, tmp_path):
    code, out, _ = run(capsys, "--database", f"sqlite:///{tmp_path / 'demo.db'}", "demo", "--calls", "25", "--interval", "0", "--registered", "3000")
    assert code == 0
    assert "Shreveport" in out and "25 calls shown" in out and "25 incidents stored" in out
    calls = [line for line in out.splitlines() if " SPT-20" in line]
    assert len(calls) == 25
    # each call is followed by its candidates or by why there are none
    candidate_lines = [line for line in out.splitlines() if " m  sees it " in line or " m  direction unknown " in line]
    explained = [line for line in out.splitlines() if "no cameras within" in line or "no usable location" in line]
    assert candidate_lines and len(candidate_lines) + len(explained) >= 25


def test_check_config_reports_a_bad_variable(capsys, monkeypatch):
    monkeypatch.setenv("RTCC_TIMEZONE", "Nowhere/Town")
    code, _, err = run(capsys, "check-config")
    assert code == 2 and "Nowhere/Town" in err


def test_an_unusable_file_does_not_cost_the_good_ones(capsys, tmp_path, database_url):
    good = tmp_path / "good.csv"
    good.write_text("id,lat,lon\n1,32.51,-93.75\n")
    broken = tmp_path / "broken.csv"
    broken.write_text("id,name\n1,no coordinates here\n")
    code, _, err = run(capsys, "--database", database_url, "import-cameras", str(broken), str(good), "--kind", "business")
    assert code == 2
    assert f"unusable file: {broken}" in err
    with open_store(database_url)() as session:
        assert [c.camera_id for c in load_cameras(session)] == ["good:1"]


def test_the_same_camera_id_from_two_files_is_refused_not_overwritten(capsys, tmp_path, database_url):
    for folder, lat in (("a", "32.51"), ("b", "32.55")):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "cams.csv").write_text(f"id,lat,lon\n1,{lat},-93.75\n")
    code, _, err = run(
        capsys, "--database", database_url, "import-cameras",
        str(tmp_path / "a" / "cams.csv"), str(tmp_path / "b" / "cams.csv"), "--kind", "business",
    )
    assert code == 1
    assert "'cams:1' is also in" in err and "--id-prefix" in err
    with open_store(database_url)() as session:
        (camera,) = load_cameras(session)
    assert camera.location.lat == 32.51


@pytest.mark.parametrize("radius", ["nan", "inf", "-3", "0"])
def test_correlate_refuses_a_meaningless_radius(capsys, database_url, radius):
    code, out, err = run(capsys, "--database", database_url, "correlate", "--at", "32.51,-93.75", "--radius", radius)
    assert code == 2 and "--radius" in err and out == ""


def test_imports_merge_into_calls_stored_earlier(capsys, tmp_path, database_url):
    first = tmp_path / "calls1.csv"
    first.write_text("call_id,received_at,call_type,address,latitude,longitude,status\n"
                     "C1,2026-11-25T03:10:00-06:00,SHOTS FIRED,700 TEXAS ST,32.512,-93.749,PENDING\n")
    second = tmp_path / "calls2.csv"
    second.write_text("call_id,received_at,updated_at,status\n"
                      "C1,2026-11-25T03:10:00-06:00,2026-11-25T03:25:00-06:00,ON SCENE\n")
    assert run(capsys, "--database", database_url, "import-calls", str(first))[0] == 0
    assert run(capsys, "--database", database_url, "import-calls", str(second))[0] == 0
    with open_store(database_url)() as session:
        (call,) = load_calls(session)
    assert (call.status, call.address, call.call_type.common_code) == ("ON SCENE", "700 TEXAS ST", "SHOOT")
    assert call.location is not None


def test_an_unexpected_failure_exits_2_with_a_message(capsys, monkeypatch, database_url):
    from rtcc_desk.cli import correlate_command

    def broken(*args, **kwargs):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(correlate_command, "load_cameras", broken)
    code, _, err = run(capsys, "--database", database_url, "correlate", "--at", "32.51,-93.75")
    assert code == 2 and "disk on fire" in err

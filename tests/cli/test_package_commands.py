"""`rtcc export-package` / `rtcc verify-package` as an analyst runs them, against a real server:
exit 0 when intact, 1 naming what differs, 2 for unusable input."""

from __future__ import annotations

import io
import itertools
import json
import sys

import pyotp
import pytest

from rtcc_desk.cli import package_commands, server_sign_in
from rtcc_desk.cli.main import main
from tests.adapters.test_evidence_package import (  # noqa: F401  (module fixtures: one server, one case)
    CASE,
    analyst,
    built,
    case_server,
)
from tests.adapters.test_server_link import PASSWORD

_names = itertools.count(1)


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def account(server) -> tuple[str, str]:
    """A fresh analyst and a code: a code signs in only once, so each export gets its own."""
    name = f"cli{next(_names)}"
    secret = server.add_user(name, "analyst")
    return name, pyotp.TOTP(secret).now()


def export(capsys, server, out, *extra: str) -> tuple[int, str, str]:
    name, code = account(server)
    return run(capsys, "export-package", "--server", server.base_url, "--case", CASE,
               "--out", str(out), "--username", name, "--password", PASSWORD, "--code", code, *extra)


@pytest.mark.parametrize("command", ["export-package", "verify-package"])
def test_help_names_the_exit_codes(capsys, command):
    with pytest.raises(SystemExit) as exit_:
        main([command, "--help"])
    assert exit_.value.code == 0
    assert "Exit codes" in capsys.readouterr().out


def test_export_folder_then_verify_passes_and_one_changed_byte_fails(capsys, case_server, built,
                                                                     tmp_path):  # noqa: F811
    out = tmp_path / "case"
    code, stdout, err = export(capsys, case_server, out)
    assert code == 0, err
    report = json.loads(stdout)
    assert report["case_ref"] == CASE and report["zip"] is False and len(report["files"]) == 2
    assert f"exported case {CASE}" in err

    code, stdout, err = run(capsys, "verify-package", str(out))
    assert code == 0, err
    assert json.loads(stdout)["ok"] is True and "package intact" in err

    clip = next(f["path"] for f in report["files"] if f["path"].endswith(".mp4"))
    data = bytearray((out / clip).read_bytes())
    data[-1] ^= 0x80
    (out / clip).write_bytes(bytes(data))
    code, stdout, err = run(capsys, "verify-package", str(out))
    assert code == 1
    assert f"differs {clip}: SHA-256" in err
    assert [p["subject"] for p in json.loads(stdout)["problems"]] == [clip]


def test_zip_from_environment_credentials_missing_file_and_altered_record(
        capsys, case_server, built, tmp_path, monkeypatch):  # noqa: F811
    name, code_now = account(case_server)
    monkeypatch.setenv(package_commands.ENV_USERNAME, name)
    monkeypatch.setenv(package_commands.ENV_PASSWORD, PASSWORD)
    monkeypatch.setenv(package_commands.ENV_CODE, code_now)
    out = tmp_path / "case-package"  # no .zip suffix: --zip decides
    code, stdout, err = run(capsys, "export-package", "--server", case_server.base_url,
                            "--case", CASE, "--out", str(out), "--zip")
    assert code == 0, err
    assert json.loads(stdout)["zip"] is True
    assert run(capsys, "verify-package", str(out))[0] == 0

    folder = tmp_path / "folder"
    name, code_now = account(case_server)
    monkeypatch.setenv(package_commands.ENV_USERNAME, name)
    monkeypatch.setenv(package_commands.ENV_CODE, code_now)
    assert run(capsys, "export-package", "--server", case_server.base_url, "--case", CASE,
               "--out", str(folder))[0] == 0
    (folder / "requests.json").unlink()
    audit = json.loads((folder / "audit.json").read_text())
    audit["records"][0]["justification"] = "nothing to see"
    (folder / "audit.json").write_text(json.dumps(audit))
    code, _, err = run(capsys, "verify-package", str(folder))
    assert code == 1
    assert "missing requests.json: listed in the manifest but missing" in err
    assert "differs audit.json" in err
    assert f"audit audit record {audit['records'][0]['seq']}: its contents do not match" in err


def test_prompts_for_what_the_options_leave_out(capsys, case_server, built, tmp_path,
                                                monkeypatch):  # noqa: F811
    name, code_now = account(case_server)
    for variable in (package_commands.ENV_USERNAME, package_commands.ENV_PASSWORD,
                     package_commands.ENV_CODE):
        monkeypatch.delenv(variable, raising=False)
    monkeypatch.setattr(sys, "stdin", io.StringIO(f"{name}\n{code_now}\n"))
    asked = []
    monkeypatch.setattr(server_sign_in.getpass, "getpass",
                        lambda prompt, stream=None: asked.append(prompt) or PASSWORD)
    code, _, err = run(capsys, "export-package", "--server", case_server.base_url, "--case", CASE,
                       "--out", str(tmp_path / "p.zip"))
    assert code == 0, err
    assert asked == ["Password: "] and "Username: " in err and "Code" in err
    assert (tmp_path / "p.zip").is_file()


def test_unusable_input_exits_2(capsys, case_server, built, tmp_path):  # noqa: F811
    name, _ = account(case_server)
    code, _, err = run(capsys, "export-package", "--server", case_server.base_url, "--case", CASE,
                       "--out", str(tmp_path / "x"), "--username", name, "--password", "wrong password!",
                       "--code", "000000")
    assert code == 2 and "sign-in refused" in err
    code, _, err = export(capsys, case_server, tmp_path / "y", "--case", "SPD-00-0000")
    assert code == 2 and "no footage request" in err
    assert not (tmp_path / "y").exists()
    code, _, err = run(capsys, "export-package", "--server", "http://127.0.0.1:9", "--case", CASE,
                       "--out", str(tmp_path / "z"), "--username", "a", "--password", "b",
                       "--code", "123456")
    assert code == 2 and "unreachable" in err
    assert run(capsys, "verify-package", str(tmp_path / "nothing"))[0] == 2
    (tmp_path / "notes.txt").write_text("hello")
    code, _, err = run(capsys, "verify-package", str(tmp_path / "notes.txt"))
    assert code == 2 and "neither a folder nor a readable .zip" in err

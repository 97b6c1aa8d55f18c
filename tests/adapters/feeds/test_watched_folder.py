"""The watched folder: real EIDO and Seattle files in, done/ and rejected/, partial files."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import pytest

from rtcc_desk.adapters.feeds import FeedError, FeedState, WatchedFolderFeed, is_temporary
from tests.adapters.feeds.conftest import TickClock

pytestmark = pytest.mark.usefixtures("no_thread_left")

SHOOTING = Path(__file__).resolve().parents[1] / "data" / "calls" / "eido_shooting.json"
OFFICIAL_ID = "urn:emergency:uid:incidentid:a56e556d871:bcf.state.pa.us"


def names(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.is_file())


def started(folder: Path, sink) -> tuple[WatchedFolderFeed, TickClock]:
    clock = TickClock()
    feed = WatchedFolderFeed(folder, poll_s=1.0, clock=clock)
    feed.start(sink)
    clock.wait_polls(1)
    return feed, clock


def test_files_are_imported_and_filed_to_done_or_rejected(tmp_path, sink, real_data):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    shutil.copy(real_data / "eido" / "nena_sample_call_transfer_eido.json", inbox / "nena.json")
    shutil.copy(real_data / "cad" / "seattle_spd_call_data_sample.csv", inbox / "seattle.csv")
    shutil.copy(real_data / "eido" / "nena_sample_eido_2020_superseded.json", inbox / "old.json")
    (inbox / "broken.json").write_text('{"$id": ', encoding="utf-8")
    (inbox / "notes.txt").write_text("not a feed file", encoding="utf-8")

    feed, clock = started(inbox, sink)
    assert names(inbox) == ["broken.json", "nena.json", "notes.txt", "old.json", "seattle.csv"]
    clock.step()  # the second look finds every file unchanged: each is taken

    assert names(inbox) == ["notes.txt"]
    assert names(inbox / "done") == ["nena.json", "seattle.csv"]
    assert names(inbox / "rejected") == ["broken.json", "broken.json.reason.txt",
                                         "old.json", "old.json.reason.txt"]
    reason = (inbox / "rejected" / "old.json.reason.txt").read_text(encoding="utf-8")
    assert "PIDF-LO is not well-formed XML" in reason and "old.json:1" in reason
    assert "is not JSON" in (inbox / "rejected" / "broken.json.reason.txt").read_text()

    calls = sink.call_list()
    ids = {c.call_id for c in calls}
    assert OFFICIAL_ID in ids and len(ids) == 1 + 222  # one EIDO incident, 222 Seattle calls
    problems = {p.where: p for p in sink.problem_list()}
    assert set(problems) == {"broken.json", "old.json:1", "notes.txt"}
    assert problems["old.json:1"].field == "locationInformationComponent[0].locationByValue"
    assert problems["broken.json"].raw == '{"$id": '
    assert (feed.files_done, feed.files_rejected) == (2, 2)

    clock.step()  # nothing new: nothing more happens, and notes.txt is reported only once
    assert len(sink.call_list()) == len(calls) and len(sink.problem_list()) == 3
    feed.stop()
    assert feed.health().state is FeedState.STOPPED


def test_a_file_still_being_written_waits_and_temporary_names_are_ignored(tmp_path, sink):
    document = SHOOTING.read_bytes()
    feed, clock = started(tmp_path, sink)
    growing = tmp_path / "growing.json"
    growing.write_bytes(document[:100])
    (tmp_path / "upload.json.part").write_bytes(document[:50])
    (tmp_path / ".hidden.json").write_bytes(document)
    clock.step()  # first sight of growing.json
    with open(growing, "ab") as handle:
        handle.write(document[100:400])
    clock.step()  # it grew: still waiting, not imported half-written
    assert names(tmp_path) == [".hidden.json", "growing.json", "upload.json.part"]
    with open(growing, "ab") as handle:
        handle.write(document[400:])
    clock.step()  # it grew again
    assert sink.call_list() == [] and sink.problem_list() == []
    clock.step()  # unchanged since the last look: taken
    assert names(tmp_path / "done") == ["growing.json"]
    assert len(sink.call_list()) == 1

    # write-then-rename: the finished file appears under its real name in one step
    (tmp_path / "upload.json.part").write_bytes(document)
    (tmp_path / "upload.json.part").rename(tmp_path / "upload.json")
    clock.step()
    clock.step()
    assert names(tmp_path / "done") == ["growing.json", "upload.json"]
    assert names(tmp_path) == [".hidden.json"]
    assert sink.problem_list() == []
    feed.stop()


def test_a_restart_does_not_import_done_files_again(tmp_path, sink):
    shutil.copy(SHOOTING, tmp_path / "a.json")
    feed, clock = started(tmp_path, sink)
    clock.step()
    feed.stop()
    assert names(tmp_path / "done") == ["a.json"] and len(sink.call_list()) == 1

    shutil.copy(SHOOTING, tmp_path / "a.json")  # the same name again: filed beside the first
    again, clock = started(tmp_path, sink)
    clock.step()
    again.stop()
    assert names(tmp_path / "done") == ["a.1.json", "a.json"]
    assert len(sink.call_list()) == 2


def test_a_file_delivered_just_before_a_crash_is_filed_without_a_second_import(tmp_path, sink):
    (tmp_path / "done").mkdir()
    shutil.copy(SHOOTING, tmp_path / "b.json")
    digest = hashlib.sha256((tmp_path / "b.json").read_bytes()).hexdigest()
    (tmp_path / "done" / ".in-flight.json").write_text(
        json.dumps({"name": "b.json", "sha256": digest}), encoding="utf-8")
    feed, clock = started(tmp_path, sink)
    clock.step()
    feed.stop()
    assert names(tmp_path / "done") == ["b.json"]
    assert sink.call_list() == []


def test_a_file_with_no_usable_call_is_rejected_with_its_rows(tmp_path, sink):
    (tmp_path / "bad.csv").write_text(
        "call_id,received,type\n,2024-04-01T10:00:00Z,THEFT\nX,soon,THEFT\n", encoding="utf-8")
    (tmp_path / "empty.json").write_text("[]", encoding="utf-8")
    feed, clock = started(tmp_path, sink)
    clock.step()
    feed.stop()
    assert names(tmp_path / "rejected") == ["bad.csv", "bad.csv.reason.txt",
                                            "empty.json", "empty.json.reason.txt"]
    reason = (tmp_path / "rejected" / "bad.csv.reason.txt").read_text(encoding="utf-8")
    assert "bad.csv:2 [call_id]: call id is empty" in reason
    assert "bad.csv:3 [received]" in reason
    assert [p.where for p in sink.problem_list()] == ["bad.csv:2", "bad.csv:3", "empty.json"]


def test_temporary_names_and_bad_poll():
    assert all(map(is_temporary, [".x.json", "x.json.tmp", "x.csv.part", "x.json~", "~$x.csv"]))
    assert not any(map(is_temporary, ["x.json", "calls 2024.csv"]))
    with pytest.raises(FeedError, match="poll_s"):
        WatchedFolderFeed("/tmp", poll_s=0)

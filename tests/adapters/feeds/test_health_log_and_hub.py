"""The feed-health log (bounded, thread-safe, kept on disk) and the hub running every source."""

from __future__ import annotations

import json
import shutil
import threading
from datetime import UTC, datetime

import pytest

from rtcc_desk.adapters.demo import CadSimulator
from rtcc_desk.adapters.feeds import (
    RAW_LIMIT,
    CallbackSink,
    CsvReplayFeed,
    EidoHttpListener,
    FeedError,
    FeedHealthLog,
    FeedHub,
    FeedProblem,
    FeedState,
    SimulatorFeed,
    WatchedFolderFeed,
)
from tests.adapters.feeds.conftest import post, wait_for

pytestmark = pytest.mark.usefixtures("no_thread_left")

AT = datetime(2026, 3, 6, 18, 0, tzinfo=UTC)


def problem(n: int, source: str = "csv:x.csv", raw: str = "") -> FeedProblem:
    return FeedProblem(source=source, where=f"x.csv:{n}", reason=f"bad row {n}", raw=raw, at=AT,
                       field="received")


def test_the_log_keeps_the_last_problems_and_counts_every_one(tmp_path):
    log = FeedHealthLog(tmp_path, capacity=5)
    for n in range(12):
        log.record(problem(n, source="a" if n % 2 else "b"))
    assert [p.where for p in log.problems()] == [f"x.csv:{n}" for n in range(7, 12)]
    assert [p.where for p in log.problems("a")] == ["x.csv:7", "x.csv:9", "x.csv:11"]
    assert (log.counters()["a"].rejected, log.counters()["b"].rejected) == (6, 6)
    lines = (tmp_path / "feed-problems.jsonl").read_text(encoding="utf-8").splitlines()
    assert len(lines) == 12
    assert json.loads(lines[0]) == {"source": "b", "where": "x.csv:0", "field": "received",
                                    "reason": "bad row 0", "raw": "", "at": AT.isoformat()}


def test_the_log_reopens_with_earlier_problems_and_skips_a_torn_line(tmp_path):
    first = FeedHealthLog(tmp_path)
    first.record(problem(1))
    first.record(problem(2))
    with open(tmp_path / "feed-problems.jsonl", "a", encoding="utf-8") as handle:
        handle.write('{"source": "csv:x.csv", "whe')  # the process died mid-write
    reopened = FeedHealthLog(tmp_path)
    assert reopened.problems() == first.problems()
    assert reopened.counters()["csv:x.csv"].rejected == 2


def test_the_file_rotates_and_stays_bounded(tmp_path):
    log = FeedHealthLog(tmp_path, max_file_bytes=2_000, backups=2)
    for n in range(300):
        log.record(problem(n, raw="x" * 50))
    files = sorted(p.name for p in tmp_path.iterdir())
    assert files == ["feed-problems.jsonl", "feed-problems.jsonl.1", "feed-problems.jsonl.2"]
    assert all((tmp_path / name).stat().st_size <= 2_000 for name in files)
    kept = FeedHealthLog(tmp_path).problems()
    assert kept[-1].where == "x.csv:299"  # the newest survive a restart, in order
    assert [int(p.where.split(":")[1]) for p in kept] == sorted(
        int(p.where.split(":")[1]) for p in kept)


def test_recording_from_many_threads_loses_nothing(tmp_path):
    log = FeedHealthLog(tmp_path, capacity=100_000)

    def work(name: str) -> None:
        for n in range(500):
            log.record(problem(n, source=name))
            log.count_call(name)

    threads = [threading.Thread(target=work, args=(f"s{i}",)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(log) == 4000
    assert all((c.accepted, c.rejected) == (500, 500) for c in log.counters().values())
    lines = (tmp_path / "feed-problems.jsonl").read_text(encoding="utf-8").splitlines()
    assert len(lines) == 4000 and all(json.loads(line) for line in lines)


def test_raw_text_is_cut_to_the_limit():
    cut = problem(1, raw="y" * (RAW_LIMIT + 500))
    assert cut.raw.startswith("y" * RAW_LIMIT) and cut.raw.endswith("[500 more characters]")


def test_the_hub_runs_every_kind_of_source_into_one_sink_and_stops_them_all(
        tmp_path, sink, real_data):
    shutil.copy(real_data / "eido" / "nena_sample_call_transfer_eido.json", tmp_path / "n.json")
    log = FeedHealthLog(tmp_path / "logs")
    hub = FeedHub(sink, log)
    simulator = hub.add(SimulatorFeed(CadSimulator(seed=4), rate_per_s=50))
    replay = hub.add(CsvReplayFeed(real_data / "cad" / "seattle_spd_call_data_sample.csv", 0))
    listener = hub.add(EidoHttpListener(port=0))
    folder = hub.add(WatchedFolderFeed(tmp_path, poll_s=0.05))
    with pytest.raises(FeedError, match="already in the hub"):
        hub.add(SimulatorFeed(CadSimulator(seed=4)))
    hub.start()
    assert hub.running

    status, _ = post(listener, b"not json")
    assert status == 400
    wait_for(lambda: replay.health().state is FeedState.FINISHED)
    wait_for(lambda: folder.files_done == 1)
    wait_for(lambda: simulator.health().accepted >= 10)
    hub.stop()
    hub.stop()

    states = {h.name: h.state for h in hub.health()}
    assert states == {"simulator": FeedState.STOPPED, "eido-http": FeedState.STOPPED,
                      "csv:seattle_spd_call_data_sample.csv": FeedState.FINISHED,
                      f"folder:{tmp_path.name}": FeedState.STOPPED}
    by_source: dict[str, int] = {}
    for _, name in sink.calls:
        by_source[name] = by_source.get(name, 0) + 1
    counters = log.counters()
    assert by_source == {name: c.accepted for name, c in counters.items() if c.accepted}
    assert by_source[f"folder:{tmp_path.name}"] == 1
    assert by_source["simulator"] == simulator.generated
    assert [p.source for p in log.problems()] == ["eido-http"]
    assert (tmp_path / "logs" / "feed-problems.jsonl").exists()


def test_a_source_added_to_a_running_hub_starts_and_can_be_removed(sink):
    hub = FeedHub(CallbackSink(sink.on_call, sink.on_problem))
    hub.start()
    feed = hub.add(SimulatorFeed(CadSimulator(seed=9), rate_per_s=0, limit=25))
    wait_for(lambda: feed.health().state is FeedState.FINISHED)
    assert hub.remove("simulator") is feed and hub.sources == []
    hub.stop()
    assert len(sink.call_list()) == 25

"""The EIDO HTTP listener: real NENA samples over loopback, refusals with reasons, stop."""

from __future__ import annotations

import http.client
import json
import socket
from pathlib import Path

import pytest

from rtcc_desk.adapters.feeds import (
    CallbackSink,
    EidoHttpListener,
    FeedHealthLog,
    FeedHub,
    FeedState,
)
from tests.adapters.feeds.conftest import post, wait_for

pytestmark = pytest.mark.usefixtures("no_thread_left")

SHOOTING = Path(__file__).resolve().parents[1] / "data" / "calls" / "eido_shooting.json"
OFFICIAL_ID = "urn:emergency:uid:incidentid:a56e556d871:bcf.state.pa.us"


@pytest.fixture
def listening(sink):
    """A listener on a free loopback port, run through a hub with a health log."""
    log = FeedHealthLog()
    hub = FeedHub(sink, log)
    listener = hub.add(EidoHttpListener(port=0))
    hub.start()
    yield listener, log
    hub.stop()
    assert listener.health().state is FeedState.STOPPED


def test_port_zero_picks_a_free_loopback_port(listening):
    listener, _ = listening
    assert listener.port > 0 and listener.host == "127.0.0.1"
    assert listener.url == f"http://127.0.0.1:{listener.port}/eido"
    assert listener.health().detail == f"listening on {listener.url}"


def test_real_nena_sample_is_accepted_and_delivered(listening, sink, real_data):
    listener, _ = listening
    body = (real_data / "eido" / "nena_sample_call_transfer_eido.json").read_bytes()
    status, answer = post(listener, body)
    assert status == 202
    assert answer["accepted"] == [OFFICIAL_ID] and answer["request_id"].startswith("req-")
    # 202 means the call has reached the sink already
    ((call, source),) = sink.calls
    assert call.call_id == OFFICIAL_ID and source == "eido-http"
    assert call.address == "42 W Cellular Street, Wilmington, DE"
    assert call.source == f"http:{answer['request_id']}"


def test_malformed_document_gets_a_reason_is_logged_and_the_next_one_still_goes(
        listening, sink, real_data):
    listener, log = listening
    bad = (real_data / "eido" / "nena_sample_eido_2020_superseded.json").read_bytes()
    status, answer = post(listener, bad)
    assert status == 422
    assert "PIDF-LO is not well-formed XML" in answer["error"]
    assert answer["field"] == "locationInformationComponent[0].locationByValue"

    status, answer_2 = post(listener, b'{"$id": "x", "lastUpdateTimeStamp": ')
    assert status == 400 and "is not JSON" in answer_2["error"]

    status, answer_3 = post(listener, SHOOTING.read_bytes())
    assert status == 202
    assert [c.call_id for c in sink.call_list()] == answer_3["accepted"]

    problems = log.problems("eido-http")
    assert [p.where for p in problems] == [f"HTTP {answer['request_id']}",
                                           f"HTTP {answer_2['request_id']}"]
    assert problems[0].reason.startswith("422 Unprocessable Entity: PIDF-LO")
    assert problems[0].field == "locationInformationComponent[0].locationByValue"
    assert "eidoVersion" in problems[0].raw or "$id" in problems[0].raw
    assert sink.problem_list() == problems
    health = listener.health()
    assert (health.accepted, health.rejected, health.state) == (1, 2, FeedState.RUNNING)
    assert log.counters()["eido-http"].accepted == 1


def test_a_list_of_documents_is_taken_whole_or_not_at_all(listening, sink):
    listener, _ = listening
    shooting = json.loads(SHOOTING.read_text(encoding="utf-8"))
    update = dict(shooting, lastUpdateTimeStamp="2024-04-01T14:20:00-05:00")
    status, answer = post(listener, json.dumps([shooting, update]).encode())
    assert status == 202 and len(answer["accepted"]) == 2
    assert len(sink.call_list()) == 2

    broken = dict(shooting, lastUpdateTimeStamp="2024-04-01 14:20")
    status, answer = post(listener, json.dumps([shooting, broken]).encode())
    assert status == 422 and answer["error"].startswith("document 2: ")
    assert "no UTC offset" in answer["error"]
    assert len(sink.call_list()) == 2  # nothing of the refused list was delivered

    status, answer = post(listener, b"[]")
    assert status == 422 and "empty list" in answer["error"]
    status, answer = post(listener, b'"just text"')
    assert status == 422 and "must be a JSON object" in answer["error"]


def test_over_the_size_limit_is_413_and_the_listener_goes_on(sink):
    listener = EidoHttpListener(port=0, max_bytes=2000)
    listener.start(sink)
    try:
        status, answer = post(listener, b"{" + b" " * 5000 + b"}")
        assert status == 413 and "limit is 2000" in answer["error"]
        (problem,) = sink.problem_list()
        assert problem.reason.startswith("413") and problem.raw.startswith("{")
        status, _ = post(listener, b"{}")
        assert status == 422
    finally:
        listener.stop()


def test_wrong_path_missing_length_and_health_endpoint(listening, sink):
    listener, _ = listening
    status, answer = post(listener, b"{}", path="/other")
    assert status == 404 and "/eido" in answer["error"]

    connection = http.client.HTTPConnection("127.0.0.1", listener.port, timeout=30)
    connection.putrequest("POST", "/eido")
    connection.endheaders()
    response = connection.getresponse()
    assert response.status == 411
    connection.close()

    connection = http.client.HTTPConnection("127.0.0.1", listener.port, timeout=30)
    connection.request("GET", "/health")
    response = connection.getresponse()
    health = json.loads(response.read())
    connection.close()
    assert response.status == 200
    assert (health["state"], health["rejected"]) == ("running", 2)


def test_a_sink_that_raises_gets_the_sender_a_500_and_the_listener_goes_on(real_data):
    def refuse(call, source_name):
        raise RuntimeError("model locked")

    problems = []
    listener = EidoHttpListener(port=0)
    listener.start(CallbackSink(refuse, problems.append))
    try:
        body = (real_data / "eido" / "nena_sample_call_transfer_eido.json").read_bytes()
        status, answer = post(listener, body)
        assert status == 500 and OFFICIAL_ID in answer["error"]
        assert "model locked" in problems[0].reason
        assert listener.health().state is FeedState.RUNNING
    finally:
        listener.stop()


def test_stop_does_not_wait_for_a_sender_that_went_quiet(sink):
    listener = EidoHttpListener(port=0, request_timeout_s=600)
    listener.start(sink)
    quiet = socket.create_connection(("127.0.0.1", listener.port))
    quiet.sendall(b"POST /eido HTTP/1.0\r\nContent-Length: 100\r\n\r\n{")  # and then nothing
    wait_for(lambda: listener._server._open, what="the request to be open")
    listener.stop()  # returns although the request would wait 10 minutes for its body
    quiet.close()
    assert listener.health().state is FeedState.STOPPED


def test_a_port_already_taken_fails_the_source_without_raising(sink):
    first = EidoHttpListener(port=0)
    first.start(sink)
    try:
        second = EidoHttpListener(port=first.port, name="eido-second")
        second.start(sink)  # does not raise: the hub's other sources must still start
        health = second.health()
        assert health.state is FeedState.FAILED
        assert f"cannot listen on 127.0.0.1:{first.port}" in health.reason
        assert sink.problem_list()[-1].source == "eido-second"
        second.stop()
    finally:
        first.stop()

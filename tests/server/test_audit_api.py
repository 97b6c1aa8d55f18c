"""GET /api/audit: records that concern given evidence, filtered, refused to outsiders, audited."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from rtcc_desk.core.audit_chain import AuditEntry
from server_stub.models.audit import AuditRecord
from tests.server.helpers import login_as
from tests.server.test_evidence_api import clip, upload_file  # noqa: F401  (clip: session fixture)
from tests.server.test_tus import make_request


def entry(record: dict) -> AuditEntry:
    fields = {k: v for k, v in record.items() if k not in ("time", "hash")}
    return AuditEntry(at=datetime.fromisoformat(record["time"]), **fields)


def note(services, *, object: str, case_ref: str = "", action: str = "test.note") -> None:
    with services.sessions() as session:
        services.audit(session, actor="system", action=action, object=object, case_ref=case_ref)
        session.commit()


def test_filters_by_case_and_object_prefix_and_records_verify(client, services, clip):  # noqa: F811
    upload_id, request_id = upload_file(client, clip)  # case SPD-26-1001
    note(services, object="request:zzz", case_ref="SPD-26-9999")
    note(services, object=f"upload:{upload_id} request:{request_id}")  # no case on the record
    note(services, object="upload:100%_odd")  # LIKE's wildcards are taken literally
    headers = login_as(client, services, "analyst")

    by_case = client.get("/api/audit", params={"case_ref": "SPD-26-1001"}, headers=headers)
    assert by_case.status_code == 200, by_case.text
    page = by_case.json()
    assert page["records"] and {r["case_ref"] for r in page["records"]} == {"SPD-26-1001"}
    assert page["more"] is False and page["head"]["seq"] >= page["records"][-1]["seq"]
    for record in page["records"]:
        assert set(record) == {"seq", "time", "actor", "action", "object", "outcome", "source",
                               "case_ref", "justification", "prev_hash", "hash"}
        assert entry(record).digest() == record["hash"]  # recomputable offline

    by_object = client.get("/api/audit", params={"object": f"upload:{upload_id}"},
                           headers=headers).json()["records"]
    assert by_object and all(r["object"].startswith(f"upload:{upload_id}") for r in by_object)
    assert any(r["case_ref"] == "" for r in by_object)

    both = client.get("/api/audit", params=[("case_ref", "SPD-26-9999"),
                                            ("object", f"upload:{upload_id}")],
                      headers=headers).json()["records"]
    assert {r["seq"] for r in both} >= {r["seq"] for r in by_object}
    assert "request:zzz" in [r["object"] for r in both]
    seqs = [r["seq"] for r in both]
    assert seqs == sorted(seqs)

    wildcard = client.get("/api/audit", params={"object": "upload:100%"}, headers=headers)
    assert [r["object"] for r in wildcard.json()["records"]] == ["upload:100%_odd"]
    assert client.get("/api/audit", params={"object": "upload:1_0"},
                      headers=headers).json()["records"] == []


def test_pages_with_after_and_limit(client, services):
    for n in range(5):
        note(services, object=f"request:r{n}", case_ref="SPD-26-2000")
    headers = login_as(client, services, "supervisor")
    first = client.get("/api/audit", params={"case_ref": "SPD-26-2000", "limit": 3},
                       headers=headers).json()
    assert len(first["records"]) == 3 and first["more"] is True
    rest = client.get("/api/audit", params={"case_ref": "SPD-26-2000", "limit": 3,
                                            "after": first["records"][-1]["seq"]},
                      headers=headers).json()
    chain = first["records"] + rest["records"]
    # The first read was audited under the case, so the second page ends with it.
    assert [r["object"] for r in chain] == \
        [f"request:r{n}" for n in range(5)] + ["audit case=SPD-26-2000 objects=* after=0"]
    assert rest["more"] is False
    # Consecutive records link: each one's prev_hash is the hash before it.
    for before, after in zip(chain, chain[1:], strict=False):
        if after["seq"] == before["seq"] + 1:
            assert after["prev_hash"] == before["hash"]


def test_outsiders_are_refused_and_every_read_is_audited(client, services):
    token, _ = make_request(services)
    note(services, object="request:r1", case_ref="SPD-26-3000")
    assert client.get("/api/audit", params={"case_ref": "SPD-26-3000"}).status_code == 401
    owner = {"Authorization": f"Bearer {token}"}  # an owner's link is no account
    assert client.get("/api/audit", params={"case_ref": "SPD-26-3000"},
                      headers=owner).status_code == 401
    for role in ("privacy_reviewer", "admin"):
        other = login_as(client, services, role)
        assert client.get("/api/audit", params={"case_ref": "SPD-26-3000"},
                          headers=other).status_code == 403

    analyst = login_as(client, services, "analyst")
    assert client.get("/api/audit", headers=analyst).status_code == 422
    too_many = [("object", f"upload:{n}") for n in range(201)]
    assert client.get("/api/audit", params=too_many, headers=analyst).status_code == 422
    read = client.get("/api/audit", params={"case_ref": "SPD-26-3000"}, headers=analyst)
    assert read.status_code == 200
    with services.sessions() as session:
        reads = list(session.scalars(select(AuditRecord).where(AuditRecord.action == "audit.read")))
    assert len(reads) == 1
    assert reads[0].actor.startswith("analyst:analyst") and reads[0].case_ref == "SPD-26-3000"
    assert "case=SPD-26-3000" in reads[0].object
    # The read is in the trail for the next reader of this case.
    again = client.get("/api/audit", params={"case_ref": "SPD-26-3000"}, headers=analyst).json()
    assert "audit.read" in [r["action"] for r in again["records"]]

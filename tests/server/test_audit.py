"""The audit trail: an append-only hash chain that names the first altered or missing record."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import delete, text, update

from rtcc_desk.core.audit_chain import GENESIS_HASH, AuditEntry, verify_chain
from server_stub import audit
from server_stub.cli import main as server_main
from server_stub.models.audit import AuditRecord


def append(services, count: int, **fields):
    with services.sessions() as session:
        for i in range(count):
            services.audit(
                session, actor=f"analyst:{i % 3}", action="registry.view", object=f"camera:{i}",
                source="127.0.0.1", **fields,
            )
        session.commit()


def test_records_chain_and_verify(services):
    append(services, 12, case_ref="SPD-26-1001", justification="shooting at Texas St")
    with services.sessions() as session:
        rows = session.query(AuditRecord).order_by(AuditRecord.seq).all()
        assert [r.seq for r in rows] == list(range(1, 13))
        assert rows[0].prev_hash == GENESIS_HASH
        assert all(b.prev_hash == a.hash for a, b in zip(rows, rows[1:]))
        assert rows[3].at.microsecond % 1000 == 0  # stored to the millisecond, as hashed
        assert audit.verify(session, services.checkpointer) is None
    assert [seq for seq, _ in services.checkpointer.read()] == [5, 10]


def test_an_altered_record_is_named(services):
    append(services, 8)
    with services.sessions() as session:
        session.execute(update(AuditRecord).where(AuditRecord.seq == 6).values(actor="someone-else"))
        session.commit()
        broken = audit.verify(session, services.checkpointer)
    assert broken is not None and broken.seq == 6 and "altered" in broken.reason


def test_a_deleted_record_in_the_middle_is_named(services):
    append(services, 8)
    with services.sessions() as session:
        session.execute(delete(AuditRecord).where(AuditRecord.seq == 4))
        session.commit()
        broken = audit.verify(session)
    assert broken is not None and broken.seq == 4 and "missing" in broken.reason


def test_truncation_is_caught_by_the_checkpoint_file(services):
    append(services, 12)
    with services.sessions() as session:
        # cut the tail, and make the head row agree, as an intruder tidying up would
        session.execute(delete(AuditRecord).where(AuditRecord.seq > 7))
        session.execute(text("UPDATE audit_head SET seq = 7"))
        session.commit()
        assert audit.verify(session) is None  # the chain alone looks whole ...
        broken = audit.verify(session, services.checkpointer)
    assert broken is not None and broken.seq == 10 and "truncated" in broken.reason


def test_verify_audit_command(services, server_settings, capsys):
    append(services, 3)
    args = ["--data-dir", str(server_settings.data_dir), "--database", server_settings.database_url,
            "verify-audit"]
    assert server_main(args) == 0
    assert "3 records" in capsys.readouterr().out
    with services.sessions() as session:
        session.execute(update(AuditRecord).where(AuditRecord.seq == 2).values(outcome="failure"))
        session.commit()
    assert server_main(args) == 1
    assert "record 2" in capsys.readouterr().err


def test_chain_verification_is_pure_and_exact():
    at = datetime(2026, 11, 25, 12, 0, 0, 123000, tzinfo=UTC)
    first = AuditEntry(1, at, "analyst:kim", "request.create", "request:1", "success")
    second = AuditEntry(2, at, "owner:link", "request.open", "request:1", "success",
                        prev_hash=first.digest())
    assert verify_chain([(first, first.digest()), (second, second.digest())]) is None
    forged = AuditEntry(2, at, "owner:link", "request.open", "request:1", "failure",
                        prev_hash=first.digest())
    assert verify_chain([(first, first.digest()), (forged, second.digest())]).seq == 2

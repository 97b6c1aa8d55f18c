"""Evidence storage: generated names, write-once read-only originals, derived files with lineage."""

from __future__ import annotations

import hashlib
import stat

import pytest

from server_stub import evidence
from server_stub.models.types import new_id


def test_an_original_is_moved_read_only_and_never_overwritten(server_settings):
    upload_id = new_id()
    evidence.create_partial(server_settings, upload_id).write_bytes(b"first")
    original = evidence.store_original(server_settings, upload_id)
    assert original == server_settings.evidence_dir / upload_id[:2] / f"{upload_id}.bin"
    assert stat.S_IMODE(original.stat().st_mode) == 0o440
    assert not evidence.partial_path(server_settings, upload_id).exists()
    evidence.partial_path(server_settings, upload_id).write_bytes(b"second")
    with pytest.raises(evidence.EvidenceError):
        evidence.store_original(server_settings, upload_id)
    assert original.read_bytes() == b"first"


def test_a_move_cut_short_after_the_link_is_finished_not_refused(server_settings):
    upload_id = new_id()
    partial = evidence.create_partial(server_settings, upload_id)
    partial.write_bytes(b"clip")
    target = evidence.original_path(server_settings, upload_id)
    target.parent.mkdir(parents=True)
    target.hardlink_to(partial)  # the crash came between link and unlink
    assert evidence.store_original(server_settings, upload_id) == target
    assert not partial.exists() and target.read_bytes() == b"clip"


def test_only_generated_names_reach_the_filesystem(server_settings):
    for name in ("../../etc/passwd", "A" * 32, "clip.mp4", ""):
        with pytest.raises(evidence.EvidenceError):
            evidence.original_path(server_settings, name)
        with pytest.raises(evidence.EvidenceError):
            evidence.partial_path(server_settings, name)


def test_derived_files_record_their_parent_hash(server_settings):
    derived = evidence.new_derived(server_settings, ".mp4")
    derived.path.write_bytes(b"remuxed")
    record = derived.seal(parent_id="a" * 32, parent_sha256="b" * 64, how="remux")
    assert record["parent_upload"] == "a" * 32 and record["parent_sha256"] == "b" * 64
    assert record["sha256"] == hashlib.sha256(b"remuxed").hexdigest()
    assert derived.sidecar.exists() and stat.S_IMODE(derived.path.stat().st_mode) == 0o440
    assert derived.path.is_relative_to(server_settings.data_dir / "derived")
    with pytest.raises(evidence.EvidenceError):
        evidence.new_derived(server_settings, "/../x")

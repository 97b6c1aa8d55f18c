"""Check an evidence package offline: every file against the manifest, the audit records'
hashes and links with the chain's own hashing (``rtcc_desk.core.audit_chain``)."""

from __future__ import annotations

import json
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, BinaryIO

from rtcc_desk.adapters.evidence_package.errors import PackageUnusable
from rtcc_desk.adapters.evidence_package.manifest import MANIFEST, parse_manifest, sha256_stream
from rtcc_desk.core.audit_chain import AuditEntry, ChainBreak

AUDIT_FILE = "audit.json"


@dataclass(frozen=True, slots=True)
class PackageProblem:
    kind: str  # differs | missing | unlisted | manifest | audit
    subject: str  # the file's relative path, or "audit record <seq>"
    detail: str

    def __str__(self) -> str:
        return f"{self.subject}: {self.detail}"


@dataclass(frozen=True, slots=True)
class PackageVerification:
    path: Path
    files_checked: int
    audit_records_checked: int
    problems: tuple[PackageProblem, ...]

    @property
    def ok(self) -> bool:
        return not self.problems


def verify_package(path: Path | str) -> PackageVerification:
    """Re-hash every file the manifest lists, list files it does not, and re-check the audit
    records. Raises PackageUnusable when ``path`` is no package at all (no manifest…)."""
    path = Path(path)
    with _open_package(path) as package:
        present = set(package.names())
        if MANIFEST not in present:
            raise PackageUnusable(f"{path}: no {MANIFEST}, so not an evidence package")
        try:
            with package.open(MANIFEST) as stream:
                entries, bad = parse_manifest(stream.read().decode("utf-8"))
        except UnicodeDecodeError:
            raise PackageUnusable(f"{path}: {MANIFEST} is not text") from None
        problems = [PackageProblem("manifest", MANIFEST, line) for line in bad]
        for name, digest in sorted(entries.items()):
            if name not in present:
                problems.append(
                    PackageProblem("missing", name, "listed in the manifest but missing"))
                continue
            try:
                with package.open(name) as stream:
                    actual = sha256_stream(stream)
            except (zipfile.BadZipFile, OSError) as exc:  # a zip checks each member's CRC
                problems.append(PackageProblem("differs", name, f"cannot be read back: {exc}"))
                continue
            if actual != digest:
                problems.append(PackageProblem(
                    "differs", name, f"SHA-256 {actual} differs from the manifest's {digest}"))
        for name in sorted(present - set(entries) - {MANIFEST}):
            problems.append(PackageProblem("unlisted", name, "present but not in the manifest"))
        checked = 0
        if AUDIT_FILE in present:
            try:
                with package.open(AUDIT_FILE) as stream:
                    audit_problems, checked = check_audit(stream.read())
            except (zipfile.BadZipFile, OSError) as exc:
                audit_problems = [
                    PackageProblem("audit", AUDIT_FILE, f"cannot be read back: {exc}")]
            problems.extend(audit_problems)
        elif AUDIT_FILE not in entries:
            problems.append(
                PackageProblem("missing", AUDIT_FILE, "the package has no audit records"))
    return PackageVerification(path=path, files_checked=len(entries),
                               audit_records_checked=checked, problems=tuple(problems))


def check_audit(raw: bytes) -> tuple[list[PackageProblem], int]:
    """Each record's hash over its own contents, each link between consecutive records, and
    the newest record against the chain head noted at export. The records are a case's share
    of the trail, not all of it: a link is checkable only where the sequence runs on."""
    try:
        audit = json.loads(raw.decode("utf-8"))
        records, head = audit["records"], audit.get("chain_head") or {}
    except (UnicodeDecodeError, ValueError, KeyError, TypeError):
        return [PackageProblem("audit", AUDIT_FILE, "unreadable (not the package's JSON)")], 0
    problems: list[PackageProblem] = []
    previous: tuple[int, str] | None = None
    for raw_record in records:
        entry, stored = _entry(raw_record)
        if entry is None:
            seq = raw_record.get("seq", "?") if isinstance(raw_record, dict) else "?"
            problems.append(PackageProblem("audit", f"audit record {seq}", "unreadable"))
            previous = None
            continue
        broken = None
        if previous is not None and entry.seq <= previous[0]:
            broken = ChainBreak(entry.seq, f"out of order (after record {previous[0]})")
        elif (previous is not None and entry.seq == previous[0] + 1
              and entry.prev_hash != previous[1]):
            broken = ChainBreak(entry.seq, "does not link to the record before it")
        elif entry.digest() != stored:
            broken = ChainBreak(entry.seq, "its contents do not match its hash (altered)")
        elif head.get("seq") == entry.seq and head.get("hash") != stored:
            broken = ChainBreak(entry.seq, "its hash differs from the chain head noted at export")
        if broken is not None:
            problems.append(PackageProblem("audit", f"audit record {broken.seq}", broken.reason))
        previous = (entry.seq, stored)
    return problems, len(records)


def _entry(raw: Any) -> tuple[AuditEntry | None, str]:
    try:
        at = datetime.fromisoformat(raw["time"])
        entry = AuditEntry(
            seq=int(raw["seq"]), at=at, actor=raw["actor"], action=raw["action"],
            object=raw["object"], outcome=raw["outcome"], source=raw["source"],
            case_ref=raw["case_ref"], justification=raw["justification"],
            prev_hash=raw["prev_hash"])
        entry.canonical()  # a time without a zone is refused here
        return entry, str(raw["hash"])
    except (KeyError, TypeError, ValueError):
        return None, ""


class _Folder:
    def __init__(self, root: Path) -> None:
        self.root = root

    def names(self) -> list[str]:
        return [p.relative_to(self.root).as_posix() for p in self.root.rglob("*") if p.is_file()]

    def open(self, name: str) -> BinaryIO:
        return open(self.root / name, "rb")


class _Zip:
    def __init__(self, archive: zipfile.ZipFile) -> None:
        self.archive = archive

    def names(self) -> list[str]:
        return [i.filename for i in self.archive.infolist() if not i.is_dir()]

    def open(self, name: str) -> BinaryIO:
        return self.archive.open(name)


@contextmanager
def _open_package(path: Path) -> Iterator[_Folder | _Zip]:
    if path.is_dir():
        yield _Folder(path)
        return
    if not path.is_file():
        raise PackageUnusable(f"{path}: no such folder or file")
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
        raise PackageUnusable(f"{path}: neither a folder nor a readable .zip ({exc})") from None
    with archive:
        yield _Zip(archive)

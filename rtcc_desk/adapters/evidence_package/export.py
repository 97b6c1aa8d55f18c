"""Export a case's evidence from the registry server into a folder or a .zip, hashes checked."""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import tempfile
import zipfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from rtcc_desk.adapters.evidence_package.errors import HashMismatch, PackageError
from rtcc_desk.adapters.evidence_package.manifest import (
    MANIFEST,
    manifest_text,
    relative_files,
    sha256_file,
)
from rtcc_desk.adapters.evidence_package.summary import summary_text
from rtcc_desk.adapters.server_link.client import ServerClient

ORIGINALS = "originals"
#: Object prefixes per audit read (the server takes up to 200).
_PREFIXES_PER_READ = 100
_AUDIT_PAGE = 1000
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


@dataclass(frozen=True, slots=True)
class PackagedFile:
    path: str  # relative to the package, POSIX
    upload_id: str
    request_id: str
    filename: str  # as the owner named it
    size: int
    sha256: str


@dataclass(frozen=True, slots=True)
class PackageExport:
    """What was exported: for the desk's audit record and for the analyst's screen."""

    path: Path
    as_zip: bool
    case_ref: str
    server_url: str
    exported_by: str
    exported_at: datetime
    request_ids: tuple[str, ...]
    upload_ids: tuple[str, ...]
    files: tuple[PackagedFile, ...]
    audit_records: int
    chain_head_seq: int
    chain_head_hash: str
    manifest_sha256: str  # one value that pins every file in the package

    @property
    def audit_object(self) -> str:
        return f"case:{self.case_ref}"

    def describe(self) -> str:
        size = sum(f.size for f in self.files)
        return (f"evidence package of case {self.case_ref}: {len(self.request_ids)} requests, "
                f"{len(self.upload_ids)} uploads, {len(self.files)} originals ({size} bytes), "
                f"{self.audit_records} audit records; manifest sha256 {self.manifest_sha256}; "
                f"written to {self.path}")


def export_case_package(client: ServerClient, case_ref: str, out: Path | str, *, now: datetime,
                        as_zip: bool | None = None) -> PackageExport:
    """Everything the server holds on ``case_ref`` into ``out`` (a .zip when ``as_zip``, by
    default when ``out`` ends in .zip). Each original's SHA-256 is checked against the
    server's before anything is written to ``out``; on any error nothing is left there."""
    out = Path(out)
    as_zip = out.suffix.lower() == ".zip" if as_zip is None else as_zip
    if not case_ref.strip():
        raise PackageError("give the case reference to export")
    if now.tzinfo is None:
        raise ValueError("now must carry a time zone")
    if client.session is None:
        raise PackageError("sign in to the server first")
    if out.exists() and (as_zip or not out.is_dir() or any(out.iterdir())):
        raise PackageError(f"{out} already exists; choose a new name")
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent))
    try:
        export = _collect(client, case_ref, staging, now=now, out=out, as_zip=as_zip)
        if as_zip:
            _zip(staging, out)
        else:
            if out.is_dir():
                out.rmdir()  # empty: checked above
            staging.replace(out)
        return export
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _collect(client: ServerClient, case_ref: str, folder: Path, *, now: datetime, out: Path,
             as_zip: bool) -> PackageExport:
    requests = sorted(client.api("GET", "/api/requests",
                                 params={"case_ref": case_ref, "limit": 5000}),
                      key=lambda r: (r["created_at"], r["id"]))
    if not requests:
        raise PackageError(f"the server has no footage request with case reference {case_ref!r}")
    uploads: list[dict[str, Any]] = []
    for request in requests:
        found = client.api("GET", "/api/uploads",
                           params={"request_id": request["id"], "limit": 5000})
        uploads.extend(sorted(found, key=lambda u: (u["created_at"], u["id"])))
    files = []
    for upload in uploads:
        upload["shares"] = client.api("GET", "/api/shares", params={"upload_id": upload["id"]})
        upload["package_file"] = None
        if upload["state"] == "complete" and upload["classification"] in ("playable", "native"):
            packaged = _download_original(client, upload, folder)
            upload["package_file"] = packaged.path
            files.append(packaged)
    # Read last, so the package carries the downloads just audited.
    audit = _read_audit(client, case_ref, requests, uploads)
    exported_by = client.session.username
    _write_json(folder / "requests.json", {"case_ref": case_ref, "requests": requests})
    _write_json(folder / "uploads.json", {"case_ref": case_ref, "uploads": uploads})
    _write_json(folder / "audit.json", {"case_ref": case_ref, **audit})
    (folder / "SUMMARY.txt").write_text(summary_text(
        case_ref=case_ref, server_url=client.base_url, exported_by=exported_by, exported_at=now,
        requests=requests, uploads=uploads, audit=audit), encoding="utf-8")
    hashes = [(name, sha256_file(folder / name)) for name in relative_files(folder)]
    text = manifest_text(hashes)
    (folder / MANIFEST).write_text(text, encoding="utf-8")
    return PackageExport(
        path=out, as_zip=as_zip, case_ref=case_ref, server_url=client.base_url,
        exported_by=exported_by, exported_at=now,
        request_ids=tuple(r["id"] for r in requests), upload_ids=tuple(u["id"] for u in uploads),
        files=tuple(files), audit_records=len(audit["records"]),
        chain_head_seq=audit["chain_head"]["seq"], chain_head_hash=audit["chain_head"]["hash"],
        manifest_sha256=hashlib.sha256(text.encode()).hexdigest(),
    )


def _download_original(client: ServerClient, upload: dict[str, Any], folder: Path) -> PackagedFile:
    name = _UNSAFE.sub("_", upload["filename"]).strip("._")[:80] or "original.bin"
    relative = f"{ORIGINALS}/{upload['id']}-{name}"
    target = folder / relative
    target.parent.mkdir(exist_ok=True)
    size = client.download(f"/api/uploads/{upload['id']}/original", target)
    actual = sha256_file(target)
    if actual != upload["sha256"]:
        raise HashMismatch(relative, upload["sha256"] or "(none)", actual)
    return PackagedFile(path=relative, upload_id=upload["id"], request_id=upload["request_id"],
                        filename=upload["filename"], size=size, sha256=actual)


def _read_audit(client: ServerClient, case_ref: str, requests: list[dict],
                uploads: list[dict]) -> dict[str, Any]:
    """The case's records and those of its requests, uploads and shares, merged by sequence."""
    prefixes = [f"request:{r['id']}" for r in requests] + [f"upload:{u['id']}" for u in uploads]
    prefixes += [f"share:{s['id']}" for u in uploads for s in u["shares"]]
    groups = [prefixes[i:i + _PREFIXES_PER_READ]
              for i in range(0, len(prefixes), _PREFIXES_PER_READ)] or [[]]
    records: dict[int, dict] = {}
    head, read_at = {"seq": 0, "hash": ""}, ""
    for group in groups:
        after = 0
        while True:
            page = client.api("GET", "/api/audit", params={
                "case_ref": case_ref, "object": group, "after": after, "limit": _AUDIT_PAGE})
            records.update((r["seq"], r) for r in page["records"])
            if page["head"]["seq"] >= head["seq"]:
                head, read_at = page["head"], page["read_at"]
            if not page["more"] or not page["records"]:
                break
            after = page["records"][-1]["seq"]
    return {"read_at": read_at, "chain_head": head,
            "records": [records[seq] for seq in sorted(records)]}


def _write_json(path: Path, data: Any) -> None:
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def _zip(folder: Path, out: Path) -> None:
    """Originals stored as they are (video does not deflate; a reader copies them straight);
    the text files deflated."""
    partial = out.with_name(out.name + ".part")
    try:
        with zipfile.ZipFile(partial, "w", allowZip64=True) as archive:
            for name in relative_files(folder):
                original = name.startswith(f"{ORIGINALS}/")
                kind = zipfile.ZIP_STORED if original else zipfile.ZIP_DEFLATED
                archive.write(folder / name, name, compress_type=kind)
        partial.replace(out)
    finally:
        partial.unlink(missing_ok=True)

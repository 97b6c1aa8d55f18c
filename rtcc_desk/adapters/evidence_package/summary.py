"""SUMMARY.txt: the package in a page a detective or a court clerk can read."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from rtcc_desk.adapters.evidence_package.manifest import MANIFEST


def _when(value: str | datetime | None) -> str:
    if not value:
        return "-"
    at = datetime.fromisoformat(value) if isinstance(value, str) else value
    return at.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


def summary_text(*, case_ref: str, server_url: str, exported_by: str, exported_at: datetime,
                 requests: list[dict], uploads: list[dict], audit: dict[str, Any]) -> str:
    lines = [
        f"RTCC evidence package - case {case_ref}",
        f"Exported by {exported_by} from {server_url} at {_when(exported_at)}",
        "",
        f"Footage requests ({len(requests)})",
    ]
    for r in requests:
        lines.append(f"  request {r['id']}  camera {r['camera_id']}  status {r['status']}")
        lines.append(f"    window {_when(r['window_start'])} to {_when(r['window_end'])}; "
                     f"asked by {r['analyst']} at {_when(r['created_at'])}"
                     + (f"; call {r['call_ref']}" if r.get("call_ref") else ""))
    kept = [u for u in uploads if u.get("package_file")]
    lines += ["", f"Original files ({len(kept)})"]
    for u in kept:
        lines.append(f"  {u['package_file']}")
        lines.append(f"    {u['length']:,} bytes  sha256 {u['sha256']}")
        lines.append(f"    upload {u['id']} of request {u['request_id']}, named "
                     f"\"{u['filename']}\" by the owner, {u['classification']}, "
                     f"received {_when(u['completed_at'])}")
        lines.extend(_review_and_shares(u))
    missing = [u for u in uploads if not u.get("package_file")]
    if missing:
        lines += ["", f"Uploads without a kept original ({len(missing)})"]
        for u in missing:
            reason = f": {u['note']}" if u.get("note") else ""
            lines.append(f"  upload {u['id']} \"{u['filename']}\" {u['state']}, "
                         f"{u['classification'] or 'unclassified'}{reason}; "
                         f"sha256 {u['sha256'] or '-'}")
    records, head = audit["records"], audit["chain_head"]
    span = f" (seq {records[0]['seq']} to {records[-1]['seq']})" if records else ""
    lines += [
        "",
        f"Audit: {len(records)} records about this evidence{span}, in audit.json",
        f"  server's chain head when read: seq {head['seq']}, hash {head['hash']}",
        "",
        f"Check: rtcc verify-package <this folder or zip>  (or: sha256sum -c {MANIFEST})",
    ]
    return "\n".join(lines) + "\n"


def _review_and_shares(upload: dict) -> list[str]:
    review = upload.get("review")
    lines = [f"    review: {review['verdict']} by {review['reviewer']} at {_when(review['at'])}"
             + (f": {review['notes']}" if review.get("notes") else "")
             if review else "    review: not reviewed"]
    for share in upload.get("shares") or []:
        mode = "view and download" if share["allow_download"] else "view only"
        lines.append(f"    shared with {share['officer_name']} ({share['officer_contact']}), "
                     f"{mode}, by {share['created_by']} at {_when(share['created_at'])}; "
                     f"{share['status']}, "
                     f"expires {_when(share['expires_at'])}, viewed {share['views']} times")
    return lines

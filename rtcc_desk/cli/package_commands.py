"""`rtcc export-package` (a case's evidence from the server) and `rtcc verify-package` (offline)."""

from __future__ import annotations

import json
import sys
from datetime import UTC, datetime
from pathlib import Path

from rtcc_desk.adapters.evidence_package import (
    HashMismatch,
    PackageError,
    PackageUnusable,
    export_case_package,
    verify_package,
)
from rtcc_desk.adapters.server_link import ServerLinkError
from rtcc_desk.cli.output import EXIT_OK, EXIT_SOME_REJECTED, fail
from rtcc_desk.cli.server_sign_in import (  # noqa: F401 (ENV_*: the names tests and docs use)
    ENV_CODE,
    ENV_PASSWORD,
    ENV_USERNAME,
    SignInFailed,
    add_sign_in_options,
    signed_in_client,
)

EPILOG = ("Exit codes: 0 package written / intact, 1 a file or audit record differs (each named "
          "on stderr), 2 unusable input (no such package or case, sign-in refused, server "
          "unreachable, output already there).")


def register(commands, epilog: str) -> None:  # noqa: ARG001 — these exit codes read differently
    export = commands.add_parser(
        "export-package",
        help="export a case's evidence from the registry server into a folder or .zip",
        description="Every footage request with the case reference, their uploads' metadata, "
        "the original files byte for byte (each checked against the server's SHA-256), the "
        "audit records of that evidence, a SHA-256 manifest and a SUMMARY.txt.",
        epilog=EPILOG,
    )
    add = export.add_argument
    add("--case", required=True, metavar="CASE", help="case reference, e.g. SPD-26-2044")
    add("--out", required=True, type=Path, metavar="PATH", help="new folder, or .zip file")
    add("--zip", action="store_true", help="write a .zip (also when PATH ends in .zip)")
    add_sign_in_options(export)
    export.set_defaults(handler=export_package)

    verify = commands.add_parser(
        "verify-package",
        help="re-check an evidence package offline: files against its manifest, audit records",
        description="Re-hashes every file listed in manifest-sha256.txt, names each file that "
        "differs, is missing or is not listed, and re-checks each audit record's hash and its "
        "link to the record before it.",
        epilog=EPILOG,
    )
    verify.add_argument("path", type=Path, metavar="PATH", help="the package folder or .zip")
    verify.set_defaults(handler=verify_package_command)


def export_package(args, settings) -> int:
    try:
        client = signed_in_client(args, settings)
    except SignInFailed as exc:
        return fail(str(exc))
    with client:
        try:
            export = export_case_package(client, args.case, args.out, now=datetime.now(UTC),
                                         as_zip=True if args.zip else None)
        except HashMismatch as exc:
            print(f"differs {exc}", file=sys.stderr)
            return EXIT_SOME_REJECTED
        except (PackageError, ServerLinkError, OSError) as exc:
            return fail(f"export-package: {exc}")
        finally:
            client.logout()
    print(json.dumps({
        "path": str(export.path), "zip": export.as_zip, "case_ref": export.case_ref,
        "server": export.server_url, "exported_by": export.exported_by,
        "exported_at": export.exported_at.isoformat(), "requests": list(export.request_ids),
        "uploads": list(export.upload_ids),
        "files": [{"path": f.path, "size": f.size, "sha256": f.sha256} for f in export.files],
        "audit_records": export.audit_records, "manifest_sha256": export.manifest_sha256,
    }))
    print(f"exported case {export.case_ref}: {len(export.request_ids)} requests, "
          f"{len(export.files)} original files, {export.audit_records} audit records -> "
          f"{export.path}", file=sys.stderr)
    return EXIT_OK


def verify_package_command(args, settings) -> int:
    try:
        result = verify_package(args.path)
    except PackageUnusable as exc:
        return fail(str(exc))
    for problem in result.problems:
        print(f"{problem.kind} {problem}", file=sys.stderr)
    print(json.dumps({
        "path": str(result.path), "ok": result.ok, "files_checked": result.files_checked,
        "audit_records_checked": result.audit_records_checked,
        "problems": [{"kind": p.kind, "subject": p.subject, "detail": p.detail}
                     for p in result.problems],
    }))
    if result.ok:
        print(f"package intact: {result.files_checked} files and "
              f"{result.audit_records_checked} audit records checked", file=sys.stderr)
        return EXIT_OK
    print(f"package NOT intact: {len(result.problems)} problems", file=sys.stderr)
    return EXIT_SOME_REJECTED

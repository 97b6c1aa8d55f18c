"""Evidence packages for a case: export from the registry server, verify offline.

Layout (a folder, or the same inside a .zip)::

    SUMMARY.txt            what is in it, for a person
    requests.json          the footage requests with that case reference
    uploads.json           their uploads' metadata, verdicts and officer shares
    audit.json             the audit records of that evidence, and the chain's head
    originals/<upload id>-<file name>    the original files, byte for byte
    manifest-sha256.txt    sha256sum lines for every file above
"""

from rtcc_desk.adapters.evidence_package.errors import (
    HashMismatch,
    PackageError,
    PackageUnusable,
)
from rtcc_desk.adapters.evidence_package.export import PackageExport, export_case_package
from rtcc_desk.adapters.evidence_package.verify import (
    PackageProblem,
    PackageVerification,
    verify_package,
)

__all__ = [
    "HashMismatch", "PackageError", "PackageExport", "PackageProblem", "PackageUnusable",
    "PackageVerification", "export_case_package", "verify_package",
]

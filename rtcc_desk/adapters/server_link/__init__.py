"""The desk's link to the registry server: HTTP client, local registry copy, audit outbox."""

from rtcc_desk.adapters.server_link.audit_outbox import AuditOutbox, DeliveryReport, QueuedRecord
from rtcc_desk.adapters.server_link.client import (
    AuditReceipt,
    DeskAuditRecord,
    DeskSession,
    OwnerContact,
    RegistryChange,
    RegistryPage,
    ServerClient,
    ServerHealth,
)
from rtcc_desk.adapters.server_link.demo_registry import demo_registry_document, write_demo_registry
from rtcc_desk.adapters.server_link.errors import (
    LinkStoreError,
    LoginFailed,
    NotAllowed,
    ServerError,
    ServerLinkError,
    ServerUnreachable,
    SessionExpired,
)
from rtcc_desk.adapters.server_link.registry_cache import RegistryCache, RegistryFreshness, SyncResult
from rtcc_desk.adapters.server_link.request_outbox import RequestOutbox, SubmitResult
from rtcc_desk.adapters.server_link.storage import FILE_NAME, open_link_database
from rtcc_desk.adapters.server_link.verdict_outbox import Verdict, VerdictOutbox, VerdictResult

__all__ = [
    "AuditOutbox", "AuditReceipt", "DeliveryReport", "DeskAuditRecord", "DeskSession", "FILE_NAME",
    "LinkStoreError", "LoginFailed", "NotAllowed", "OwnerContact", "QueuedRecord", "RegistryCache",
    "RegistryChange", "RegistryFreshness", "RegistryPage", "RequestOutbox", "ServerClient", "ServerError",
    "ServerHealth", "ServerLinkError", "ServerUnreachable", "SessionExpired", "SubmitResult", "SyncResult",
    "Verdict", "VerdictOutbox", "VerdictResult",
    "demo_registry_document", "open_link_database", "write_demo_registry",
]

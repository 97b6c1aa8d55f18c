"""The CAD adapters' exception family, so callers can catch any CAD problem in one place."""

from __future__ import annotations

from rtcc_desk.adapters.tabular import TabularError


class CadError(Exception):
    """Something from a CAD source could not be used."""


class CallsCsvError(CadError, TabularError):
    """A whole calls CSV is unusable (missing, no header, no call id or time column)."""


class EidoError(CadError):
    """A malformed EIDO document; ``reason`` says what and where (component and field path)."""

    def __init__(self, reason: str, *, field: str = "") -> None:
        super().__init__(f"{field}: {reason}" if field else reason)
        self.reason = reason
        self.field = field


class CallTypeRulesError(CadError):
    """The call-type rules resource or the APCO registry file cannot be read."""

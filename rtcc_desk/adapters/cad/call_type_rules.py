"""Loading our call-type rules resource and the APCO common incident-type registry from disk."""

from __future__ import annotations

from pathlib import Path

from rtcc_desk.adapters.cad.errors import CallTypeRulesError
from rtcc_desk.adapters.tabular import TabularError, read_table
from rtcc_desk.core.call_types import CallTypeNormaliser, CallTypeRule

#: Our hand-written rules, kept in the repository's resources folder (not the package).
DEFAULT_RULES_PATH = (
    Path(__file__).resolve().parents[3] / "resources" / "call_types" / "apco_rules.csv"
)


def read_rules(path: Path = DEFAULT_RULES_PATH) -> list[CallTypeRule]:
    """Rules in file order; columns ``pattern,code,priority_hint``; ``#`` lines are comments."""
    rules: list[CallTypeRule] = []
    for line, row in _rows(path, required=("pattern", "code")):
        hint_text = (row.get("priority_hint") or "").strip()
        try:
            hint = int(hint_text) if hint_text else None
            rules.append(CallTypeRule(row["pattern"], row["code"], hint))
        except ValueError as exc:
            raise CallTypeRulesError(f"{path}:{line}: {exc}") from None
    return rules


def read_registry_codes(path: Path) -> set[str]:
    """The ``value`` column of a NENA EIDO registry CSV (e.g. the common incident types)."""
    return {row["value"].strip().upper() for _, row in _rows(path, required=("value",))}


def load_normaliser(
    rules_path: Path = DEFAULT_RULES_PATH, registry_path: Path | None = None
) -> CallTypeNormaliser:
    """A normaliser from our rules; codes are checked against the registry when one is given.

    Without a registry the known codes are those the rules themselves use (the registry file
    is a shared reference that is not shipped with the desk).
    """
    rules = read_rules(Path(rules_path))
    codes = read_registry_codes(Path(registry_path)) if registry_path else {r.code for r in rules}
    try:
        return CallTypeNormaliser(rules, codes)
    except ValueError as exc:
        raise CallTypeRulesError(f"{rules_path}: {exc}") from None


def _rows(path: Path, *, required: tuple[str, ...]) -> list[tuple[int, dict[str, str]]]:
    try:
        return read_table(path, required=required)
    except TabularError as exc:
        raise CallTypeRulesError(str(exc)) from None

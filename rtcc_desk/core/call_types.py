"""Mapping local CAD call types to APCO common incident types, counting what stays unmapped."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class CallTypeRule:
    """One mapping rule: a case-insensitive regular expression and the APCO code it means.

    ``priority_hint`` is a 0–10 common priority (10 most urgent) to use when the CAD's own
    priority scale is unknown.
    """

    pattern: str
    code: str
    priority_hint: int | None = None
    compiled: re.Pattern[str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        try:
            compiled = re.compile(self.pattern, re.IGNORECASE)
        except re.error as exc:
            raise ValueError(f"pattern {self.pattern!r} is not a valid expression: {exc}") from None
        if compiled.search(""):
            # A pattern matching the empty string would swallow every call type.
            raise ValueError(f"pattern {self.pattern!r} matches everything")
        if self.priority_hint is not None and not 0 <= self.priority_hint <= 10:
            raise ValueError(f"priority hint {self.priority_hint} for {self.code} must be 0..10")
        object.__setattr__(self, "code", self.code.strip().upper())
        object.__setattr__(self, "compiled", compiled)


@dataclass(frozen=True, slots=True)
class NormaliserStats:
    """How many call-type strings the normaliser has seen, mapped and left unmapped."""

    seen: int
    mapped: int
    unmapped: int
    blank: int
    distinct_unmapped: int

    @property
    def mapped_share(self) -> float:
        """Share of non-blank strings that got a common code (0..1)."""
        named = self.mapped + self.unmapped
        return self.mapped / named if named else 0.0


class CallTypeNormaliser:
    """Ordered rules, first match wins; an exact APCO code maps to itself.

    Every string that matches nothing lands in ``unmapped`` with its count, so a supervisor
    can see which local types still need a rule instead of them silently vanishing.
    """

    def __init__(self, rules: Iterable[CallTypeRule], known_codes: Iterable[str]) -> None:
        self.rules: tuple[CallTypeRule, ...] = tuple(rules)
        self.known_codes: frozenset[str] = frozenset(c.strip().upper() for c in known_codes)
        unknown = sorted({r.code for r in self.rules} - self.known_codes)
        if unknown:
            listed = ", ".join(unknown)
            raise ValueError(f"rules use codes that are not APCO common codes: {listed}")
        self._hints: dict[str, int] = {}
        for rule in self.rules:
            if rule.priority_hint is not None:
                self._hints.setdefault(rule.code, rule.priority_hint)
        self._cache: dict[str, str | None] = {}
        self.mapped: Counter[str] = Counter()
        self.unmapped: Counter[str] = Counter()
        self.blank = 0

    def normalise(self, local_text: str | None) -> str | None:
        """The APCO common code for a local call-type string, or None (and counted) if unknown."""
        text = (local_text or "").strip()
        if not text:
            self.blank += 1
            return None
        if text not in self._cache:
            self._cache[text] = self._match(text)
        code = self._cache[text]
        if code is None:
            self.unmapped[text] += 1
        else:
            self.mapped[code] += 1
        return code

    def _match(self, text: str) -> str | None:
        if text.upper() in self.known_codes:
            return text.upper()
        # Underscores glue words together in some CADs ("126D_Robbery Personal"); \b needs spaces.
        prepared = " ".join(text.replace("_", " ").split())
        for rule in self.rules:
            if rule.compiled.search(prepared):
                return rule.code
        return None

    def priority_hint(self, code: str | None) -> int | None:
        """The rules' 0–10 priority for a common code, when the rules give one."""
        return self._hints.get(code.upper()) if code else None

    def stats(self) -> NormaliserStats:
        return NormaliserStats(
            seen=sum(self.mapped.values()) + sum(self.unmapped.values()) + self.blank,
            mapped=sum(self.mapped.values()),
            unmapped=sum(self.unmapped.values()),
            blank=self.blank,
            distinct_unmapped=len(self.unmapped),
        )

    def reset_counts(self) -> None:
        """Start counting afresh (e.g. per import) while keeping the rules."""
        self.mapped.clear()
        self.unmapped.clear()
        self.blank = 0

    def summary(self) -> str:
        """One line for an import report: mapped share and the most frequent unmapped strings."""
        stats = self.stats()
        line = (
            f"call types: {stats.mapped} mapped, {stats.unmapped} unmapped "
            f"({stats.distinct_unmapped} distinct), {stats.mapped_share:.0%} mapped"
        )
        if self.unmapped:
            top = ", ".join(f"{text!r} x{n}" for text, n in self.unmapped.most_common(5))
            line += f"; most frequent unmapped: {top}"
        return line

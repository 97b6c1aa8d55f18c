"""Call-type vocabularies for the CAD simulator: the real Vera 911 strings, or our built-in list."""

from __future__ import annotations

import itertools
import random
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from rtcc_desk.adapters.tabular import TabularError, read_table
from rtcc_desk.core.calls import CallType, Priority

#: The repository checkout (rtcc_desk/adapters/demo/vocabulary.py is three folders down).
REPO_ROOT = Path(__file__).resolve().parents[3]
BUILTIN_PATH = REPO_ROOT / "resources" / "demo" / "call_types.csv"
#: Where the shared real data sits beside a development checkout; absent on a fresh install.
VERA_PATH = (
    REPO_ROOT.parent / "shared" / "data" / "real" / "taxonomy" / "vera_911_call_types_by_city.csv"
)
#: Louisiana's own big-city CAD wording is the closest real match to Shreveport's.
DEFAULT_VERA_CITY = "New Orleans"

# Which column of each city's export holds the call type as taken at intake. Final/cleared
# types and UCR offences describe the outcome, and using two columns would count calls twice.
_INTAKE_COLUMNS = {
    "seattle": "Initial Call Type",
    "new orleans": "InitialTypeText",
    "dallas": "Call (911) Problem",
    "charleston": "Problem",
    "detroit": "Call Description",
}

# Plausible 0–10 common priority (10 most urgent) for each of Vera's harmonised categories.
# Keys are casefolded and stripped; the file's own spelling slips are kept as they are.
# fmt: off
_CATEGORY_PRIORITY = {
    "officer needs help": 10, "violent crime": 9, "domestic violence": 8, "fire": 8,
    "sex offenses": 7, "medical emergencies": 7, "medical": 7, "behavioral health": 6,
    "missing persons": 6, "property crime": 5, "alarms": 5, "suspicion": 5, "other crimes": 5,
    "drugs": 4, "accidents/traffic safety": 4, "traffic": 4, "warrants": 4, "warrant": 4,
    "complaints/environmental conditions": 3, "liquor violations": 3, "status offenses": 3,
    "assisting the public": 2, "assist the public": 2, "call related issues": 2,
    "call related isuues": 2, "callback": 2, "other (not crime)": 2, "statuses": 1,
}
# fmt: on


class VocabularyError(Exception):
    """A vocabulary file is missing, unreadable or has an unusable row."""


@dataclass(frozen=True, slots=True)
class VocabularyEntry:
    """One call type with its relative frequency; ``common_code`` is an APCO code or None."""

    local_text: str
    common_code: str | None
    local_priority: str
    common_priority: int | None
    weight: float
    category: str = ""

    def __post_init__(self) -> None:
        if not self.local_text:
            raise ValueError("call type text is empty")
        if not self.weight > 0:
            raise ValueError(f"weight {self.weight} of {self.local_text!r} must be positive")

    @property
    def call_type(self) -> CallType:
        return CallType(local_text=self.local_text, common_code=self.common_code)

    @property
    def priority(self) -> Priority:
        return Priority(local_text=self.local_priority, common=self.common_priority)


class CallVocabulary:
    """Weighted call types to draw from; ``source`` says where they came from."""

    def __init__(self, entries: Iterable[VocabularyEntry], *, source: str = "") -> None:
        self.entries = tuple(entries)
        if not self.entries:
            raise VocabularyError(f"vocabulary {source!r} has no call types")
        self.source = source
        self._cumulative = list(itertools.accumulate(e.weight for e in self.entries))
        self._by_category: dict[str, tuple[VocabularyEntry, ...]] = {}
        for entry in self.entries:
            key = entry.category.strip().casefold()
            self._by_category[key] = (*self._by_category.get(key, ()), entry)

    def draw(self, rng: random.Random) -> VocabularyEntry:
        return rng.choices(self.entries, cum_weights=self._cumulative)[0]

    def draw_related(self, rng: random.Random, entry: VocabularyEntry) -> VocabularyEntry:
        """Another type of the same category, as when a call is reclassified on scene."""
        others = [
            e for e in self._by_category.get(entry.category.strip().casefold(), ()) if e != entry
        ]
        if not entry.category.strip() or not others:
            return self.draw(rng)
        return rng.choices(others, weights=[e.weight for e in others])[0]

    def texts(self) -> frozenset[str]:
        return frozenset(e.local_text for e in self.entries)

    def __len__(self) -> int:
        return len(self.entries)

    def __iter__(self) -> Iterator[VocabularyEntry]:
        return iter(self.entries)


def priority_for_category(category: str) -> int | None:
    """The common priority we derive from a Vera category; None when uncategorised or unknown."""
    return _CATEGORY_PRIORITY.get(category.strip().casefold())


def load_vera_vocabulary(
    path: Path | str = VERA_PATH,
    city: str | None = "Seattle",
    *,
    column: str | None = None,
    normalise: Callable[[str], str | None] | None = None,
) -> CallVocabulary:
    """Real call-type strings of one city (None: every city), weighted by their counts.

    The text is kept verbatim. Common priority comes from the harmonised Category (the
    alternate category when the main one is blank); Vera has no local priority, so that stays
    empty. ``normalise`` maps a local text to an APCO code when one is supplied.
    """
    rows = _read_csv(Path(path), required=("City", "Column_name", "Field 1", "Count", "Category"))
    cities = {r["City"].strip().casefold(): r["City"].strip() for _, r in rows}
    if city is not None and city.strip().casefold() not in cities:
        raise VocabularyError(f"{path}: no city {city!r}; the file has {sorted(cities.values())}")
    wanted = [city.strip().casefold()] if city is not None else sorted(cities)
    totals: dict[str, list] = {}  # text -> [count, category, best count]
    for key in wanted:
        city_rows = [(n, r) for n, r in rows if r["City"].strip().casefold() == key]
        chosen = (column or _INTAKE_COLUMNS.get(key) or city_rows[0][1]["Column_name"]).strip()
        for line, row in city_rows:
            if row["Column_name"].strip() != chosen:
                continue
            text = (row["Field 1"] or "").strip()
            try:
                count = int(row["Count"])
            except ValueError:
                raise VocabularyError(
                    f"{path}:{line} [Count]: {row['Count']!r} is not a whole number"
                ) from None
            if not text or count <= 0:
                continue
            category = (row["Category"] or "").strip() or _known_alternate(
                row.get("Category - Alternate")
            )
            # the same string can appear twice (NOLA lists TRAFFIC INCIDENT twice): add them up
            slot = totals.setdefault(text, [0, category, -1])
            slot[0] += count
            if count > slot[2]:
                slot[1], slot[2] = category or slot[1], count
    if not totals:
        raise VocabularyError(f"{path}: no call types for city {city!r} in column {column!r}")
    entries = [
        VocabularyEntry(
            local_text=text,
            common_code=normalise(text) if normalise else None,
            local_priority="",
            common_priority=priority_for_category(category),
            weight=float(count),
            category=category,
        )
        for text, (count, category, _) in totals.items()
    ]
    return CallVocabulary(entries, source=f"Vera 911 call types, {city or 'all cities'}")


def _known_alternate(text: str | None) -> str:
    text = (text or "").strip()
    return text if priority_for_category(text) is not None else ""


def load_builtin_vocabulary(path: Path | str = BUILTIN_PATH) -> CallVocabulary:
    """Our hand-written list: local text, APCO code, local and common priority, weight, category."""
    rows = _read_csv(
        Path(path),
        required=("local_text", "common_code", "local_priority", "common_priority", "weight"),
    )
    entries = []
    for line, row in rows:
        try:
            priority = row["common_priority"].strip()
            entries.append(
                VocabularyEntry(
                    local_text=row["local_text"].strip(),
                    common_code=row["common_code"].strip() or None,
                    local_priority=row["local_priority"].strip(),
                    common_priority=int(priority) if priority else None,
                    weight=float(row["weight"]),
                    category=(row.get("category") or "").strip(),
                )
            )
        except ValueError as exc:
            raise VocabularyError(f"{path}:{line}: {exc}") from None
    return CallVocabulary(entries, source=f"built-in call types ({Path(path).name})")


def default_vocabulary(*, normalise: Callable[[str], str | None] | None = None) -> CallVocabulary:
    """Vera's New Orleans strings when ../shared/ sits beside the checkout, else the built-in list.

    A fresh install has no shared/ folder next to it, so it simulates with the built-in
    vocabulary (resources/demo/call_types.csv), which already carries APCO codes.
    """
    if VERA_PATH.is_file():
        return load_vera_vocabulary(VERA_PATH, DEFAULT_VERA_CITY, normalise=normalise)
    return load_builtin_vocabulary()


def _read_csv(path: Path, *, required: tuple[str, ...]) -> list[tuple[int, dict[str, str]]]:
    try:
        return read_table(path, required=required)
    except TabularError as exc:
        raise VocabularyError(str(exc)) from None

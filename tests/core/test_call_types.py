"""The call-type normaliser: rule order, exact codes, the counted unmapped bucket, real strings."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from rtcc_desk.adapters.cad import (
    DEFAULT_RULES_PATH,
    load_normaliser,
    read_registry_codes,
    read_rules,
)
from rtcc_desk.core.call_types import CallTypeNormaliser, CallTypeRule

REAL = Path(__file__).resolve().parents[3] / "shared" / "data" / "real"
REGISTRY = REAL / "eido" / "eido_registry_incident_type_common.csv"
VERA = REAL / "taxonomy" / "vera_911_call_types_by_city.csv"
needs_registry = pytest.mark.skipif(
    not REGISTRY.exists(),
    reason=f"APCO registry not found at {REGISTRY} (shared data not mounted)",
)
needs_vera = pytest.mark.skipif(
    not VERA.exists(),
    reason=f"Vera call-type vocabulary not found at {VERA} (shared data not mounted)",
)
CODES = {"SHOOT", "ASSAULT", "ROBBERY", "LARCENY", "SHOPLIFT", "FIGHT"}


def small() -> CallTypeNormaliser:
    return CallTypeNormaliser(
        [
            CallTypeRule(r"\bSHOTS?\b|SHOOTING", "shoot", 10),
            CallTypeRule(r"SHOPLIFT", "SHOPLIFT", 3),
            CallTypeRule(r"\bTHEFT\b", "LARCENY", 3),
            CallTypeRule(r"\bASLT\b|ASSAULT", "ASSAULT", 7),
            CallTypeRule(r"\bROBBERY\b", "ROBBERY"),
        ],
        CODES,
    )


def test_first_matching_rule_wins_case_insensitively() -> None:
    normaliser = small()
    assert normaliser.normalise("Shots fired, assault in progress") == "SHOOT"
    assert normaliser.normalise("THEFT - SHOPLIFT") == "SHOPLIFT"
    assert normaliser.normalise("theft from vehicle") == "LARCENY"
    assert normaliser.normalise("126D_Robbery Personal") == "ROBBERY"  # underscores split words


def test_exact_apco_codes_map_to_themselves() -> None:
    normaliser = small()
    assert normaliser.normalise("fight") == "FIGHT"  # no rule, but a known code
    assert normaliser.normalise(" SHOOT ") == "SHOOT"


def test_unmapped_strings_are_counted_not_hidden() -> None:
    normaliser = small()
    for text in ["PATROL REQUEST", "PATROL REQUEST", "WALK AND TALK", "THEFT", "", None]:
        normaliser.normalise(text)
    assert normaliser.unmapped == {"PATROL REQUEST": 2, "WALK AND TALK": 1}
    stats = normaliser.stats()
    assert (stats.seen, stats.mapped, stats.unmapped, stats.blank) == (6, 1, 3, 2)
    assert stats.distinct_unmapped == 2
    assert stats.mapped_share == pytest.approx(0.25)
    assert "'PATROL REQUEST' x2" in normaliser.summary()
    normaliser.reset_counts()
    assert not normaliser.unmapped and normaliser.stats().seen == 0


def test_priority_hints_come_from_the_first_rule_giving_one() -> None:
    normaliser = small()
    assert normaliser.priority_hint("SHOOT") == 10
    assert normaliser.priority_hint("ROBBERY") is None
    assert normaliser.priority_hint(None) is None


@pytest.mark.parametrize(
    ("rule", "words"),
    [
        (lambda: CallTypeRule("(unclosed", "SHOOT"), "not a valid expression"),
        (lambda: CallTypeRule("x?", "SHOOT"), "matches everything"),
        (lambda: CallTypeRule("x", "SHOOT", 11), "must be 0..10"),
    ],
)
def test_bad_rules_are_refused(rule, words: str) -> None:
    with pytest.raises(ValueError, match=words):
        rule()


def test_rules_naming_unknown_codes_are_refused() -> None:
    with pytest.raises(ValueError, match="BURG"):
        CallTypeNormaliser([CallTypeRule("BURG", "BURG")], CODES)


# --- our rules resource against the registry and real vocabularies ----------------------------


@needs_registry
def test_every_code_in_our_rules_exists_in_the_apco_registry() -> None:
    registry = read_registry_codes(REGISTRY)
    assert len(registry) > 200
    unknown = {rule.code for rule in read_rules(DEFAULT_RULES_PATH)} - registry
    assert not unknown, f"apco_rules.csv uses codes missing from the registry: {sorted(unknown)}"
    load_normaliser(registry_path=REGISTRY)  # and the loader agrees


def test_rules_alone_give_a_working_normaliser() -> None:
    normaliser = load_normaliser()
    assert normaliser.normalise("SHOTS FIRED") == "SHOOT"
    assert "SHOOT" in normaliser.known_codes


@needs_vera
@needs_registry
def test_vera_vocabulary_maps_mostly_and_counts_the_rest() -> None:
    with open(VERA, newline="", encoding="utf-8-sig") as handle:
        strings = [row["Field 1"] for row in csv.DictReader(handle)]
    assert len(strings) == 3227
    normaliser = load_normaliser(registry_path=REGISTRY)
    results = {text: normaliser.normalise(text) for text in strings}
    unmatched = {text for text, code in results.items() if code is None}
    # The unmapped bucket holds exactly the distinct strings that matched nothing.
    assert len(normaliser.unmapped) == len(unmatched) == normaliser.stats().distinct_unmapped
    assert set(normaliser.unmapped) == unmatched
    assert normaliser.stats().seen == 3227
    share = 1 - len(unmatched) / len(results)
    assert share >= 0.90, f"only {share:.1%} of {len(results)} distinct strings mapped"


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("SHOTS - IP/JO - INCLUDES HEARD/NO ASSAULT", "SHOOT"),  # Seattle
        ("135B_Weapons Shots Fired Past", "SHOOT"),  # Detroit
        ("ASLT - IP/JO - WITH OR W/O WPNS (NO SHOOTINGS)", "ASSAULT"),  # "no shootings" is not one
        ("ROBBERY - IP/JO (INCLUDES STRONG ARM)", "ROBBERY"),
        ("126D_Robbery Personal", "ROBBERY"),
        ("ALARM - BANK (HOLD-UP)", "ALMH"),  # an alarm, not a robbery in progress
        ("BURG - IP/JO - RES (INCL UNOCC STRUCTURES)", "BURGLARY"),
        ("--ALARM-RESIDENTIAL BURG", "ALMR"),
        ("THEFT OF PROP <$100 -SHOPLIFTING - (NOT BY EMP...", "SHOPLIFT"),
        ("THEFT OF PROP <$100 ENH -NOT SHOPLIFT", "LARCENY"),
        ("AUTO THEFT - VEH THEFT OR THEFT & RECOVERY", "VEHSTLN"),
        ("ACC - WITH INJURIES (INCLUDES HIT AND RUN)", "MVAINJY"),
        ("MVC - NON INJURY, BLOCKING", "MVA"),
        ("DIST - DV - NO ASLT", "DVNA"),
        ("--DV - DOMESTIC VIOL/ASLT (ARREST MANDATORY)", "DVA"),
        ("121C_Mental Disordr NonViolent", "MNTL"),
        ("--HELP THE OFFICER - HELP THE OFFICER (EMERGENCY)", "HLP1"),
        ("136E_Active Assailant Weapon", "ACTSHOOT"),
        ("Traffic Stop", "TSTOP"),
        ("911 Hang Up", "911H"),
        ("Patrol Request", None),  # no APCO equivalent: it stays in the unmapped bucket
    ],
)
def test_real_strings_map_to_the_right_apco_code(text: str, code: str | None) -> None:
    assert load_normaliser().normalise(text) == code

"""The data shipped for the reporting structure: PC4 ranges and ADVs agree with each other and with the law's
one-ADV-per-municipality (Wgadv art. 2)."""

from __future__ import annotations

from collections import Counter

import pytest

from erkenning.reports import places
from erkenning.reports.structure_schemas import AdvWrite


def test_every_municipality_of_the_pc4_ranges_has_exactly_one_adv() -> None:
    advs = places.load("advs.json")["advs"]
    covered = Counter(m for adv in advs for m in adv["municipalities"])
    assert [m for m, n in covered.items() if n > 1] == []
    ranged = {name for _, _, name in places.pc4_table().ranges}
    assert ranged - set(covered) == set()


def test_the_shipped_advs_pass_the_admins_own_input_rules() -> None:
    data = places.load("advs.json")
    assert data["source"] and data["as_of"] and data["complete"] is False
    for adv in data["advs"]:
        AdvWrite(name=adv["name"], website=adv["website"], source=data["source"][:500],
                 municipalities=adv["municipalities"])


@pytest.mark.parametrize(("postcode", "municipality"), [
    ("1011 AB", "Amsterdam"), ("1109", "Amsterdam"), ("1110", None), ("3511", "Utrecht"), ("2511 CV", "'s-Gravenhage"),
    ("6160", "Sittard-Geleen"), ("6135", "Sittard-Geleen"), ("0000", None), ("9999", None), ("abcd", None),
])
def test_a_postcode_finds_its_municipality_or_none(postcode: str, municipality: str | None) -> None:
    assert places.municipality_of_postcode(postcode) == municipality


def test_overlapping_ranges_are_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    places.pc4_table.cache_clear()
    monkeypatch.setattr(places, "load", lambda _: {"source": "s", "as_of": "d",
                                                    "ranges": [[1000, 1010, "A"], [1010, 1020, "B"]]})
    try:
        with pytest.raises(ValueError, match="overlaps"):
            places.pc4_table()
    finally:
        places.pc4_table.cache_clear()


@pytest.mark.parametrize(("typed", "kept"), [
    ("  Den   Haag ", "'s-Gravenhage"), ("gemeente Den Bosch", "'s-Hertogenbosch"), ("’s-Hertogenbosch", "'s-Hertogenbosch"),
    ("Alphen aan den Rijn", "Alphen aan den Rijn"), ("Súdwest-Fryslân", "Súdwest-Fryslân"),
])
def test_municipality_names_are_cleaned(typed: str, kept: str) -> None:
    assert places.clean_municipality(typed) == kept


@pytest.mark.parametrize("typed", ["U", "Utrecht<b>", "3511", "a" * 101, "Utrecht; DROP"])
def test_what_cannot_be_a_municipality_is_refused(typed: str) -> None:
    with pytest.raises(ValueError):
        places.clean_municipality(typed)

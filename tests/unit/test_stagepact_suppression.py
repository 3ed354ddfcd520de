"""The suppression rule on hand-made figures: primary, secondary (differencing), derived."""

from __future__ import annotations

from typing import Any

from erkenning.stagepact import catalogue as c
from erkenning.stagepact.catalogue import Key, Unit
from erkenning.stagepact.suppression import Reason, hidden_keys


def figures(**overrides: Any) -> dict[Key, Any]:
    """Every figure zero (lead times undefined), then the given ones; keys as `section__name__category`."""
    values: dict[Key, Any] = {s.key: (0 if s.unit is Unit.COUNT else None) for s in c.SPECS}
    for name, value in overrides.items():
        section, figure, *category = name.split("__")
        values[(section, figure, category[0] if category else None)] = value
    return values


def test_a_count_from_one_to_four_is_hidden_and_zero_and_five_are_not() -> None:
    hidden = hidden_keys(figures(objections__filed=3, objections__upheld=5, objections__rejected=0))
    assert hidden.get(("objections", "filed", None)) is Reason.SMALL
    assert ("objections", "upheld", None) not in hidden
    assert ("objections", "rejected", None) not in hidden


def test_one_hidden_cell_of_a_total_takes_the_next_smallest_with_it() -> None:
    hidden = hidden_keys(figures(
        reports__received=40, reports__by_ground__ethnicity=30, reports__by_ground__religion=7,
        reports__by_ground__age=3, reports__by_channel__agency=40, reports__by_sector__handel=40,
    ))
    assert hidden[("reports", "by_ground", "age")] is Reason.SMALL
    # 40 - 30 - 7 would give the 3 away: the 7 goes too, as "x".
    assert hidden[("reports", "by_ground", "religion")] is Reason.SECONDARY
    assert ("reports", "by_ground", "ethnicity") not in hidden
    assert ("reports", "received", None) not in hidden


def test_two_hidden_cells_need_no_third() -> None:
    hidden = hidden_keys(figures(
        reports__received=40, reports__by_ground__ethnicity=34, reports__by_ground__religion=4,
        reports__by_ground__age=2, reports__by_channel__agency=40, reports__by_sector__handel=40,
    ))
    assert {k for k in hidden if k[1] == "by_ground"} == {("reports", "by_ground", "religion"), ("reports", "by_ground", "age")}


def test_a_small_remainder_hides_the_part_that_would_give_it_away_and_the_share() -> None:
    # 18 of 20 decided within the norm says 2 were late.
    hidden = hidden_keys(figures(investigations__closed=20, investigations__outcome__unfounded=20,
                                 lead_times__decided_within_norm=18, lead_times__share_within_norm=90.0))
    assert hidden[c.WITHIN_NORM] is Reason.SECONDARY
    assert hidden[("lead_times", "share_within_norm", None)] is Reason.DERIVED
    assert c.CLOSED not in hidden


def test_a_share_on_a_small_count_is_withheld_and_so_is_a_median_of_few_cases() -> None:
    hidden = hidden_keys(figures(
        triage__decided=30, triage__outcome__substantiated=3, triage__outcome__not_substantiated=20,
        triage__outcome__referred=7, triage__share__substantiated=10.0, triage__share__not_substantiated=66.7,
        triage__share__referred=23.3, investigations__closed=4, investigations__outcome__withdrawal=4,
        lead_times__decision_days_median=40.0,
    ))
    assert hidden[("triage", "share", "substantiated")] is Reason.DERIVED
    assert hidden[("triage", "share", "referred")] is Reason.DERIVED  # its count went as the secondary
    assert ("triage", "share", "not_substantiated") not in hidden
    assert hidden[("lead_times", "decision_days_median", None)] is Reason.DERIVED


def test_a_part_of_a_hidden_total_stays_shown_when_two_unknowns_remain() -> None:
    # 12 checked, 9 with courses: the 3 without would follow, so the 9 goes (x). Of the 9, 6 completed
    # all: with the 9 hidden, 6 says nothing about the other 3, so it stays; the share rests on the 9.
    hidden = hidden_keys(figures(follow_up__checked=12, follow_up__with_courses=9, follow_up__courses_completed=6))
    assert hidden[c.WITH_COURSES] is Reason.SECONDARY
    assert c.COURSES_DONE not in hidden
    assert hidden[("follow_up", "share_courses_completed", None)] is Reason.DERIVED
    assert c.CHECKED not in hidden

"""Verdicts on targets: met at or past the target in its direction; a hidden or undefined figure is no data."""

from __future__ import annotations

import pytest

from erkenning.stagepact import report
from erkenning.stagepact.catalogue import BY_KEY
from erkenning.stagepact.indicators import Cell, Comparison
from erkenning.stagepact.models import Direction, Target
from erkenning.stagepact.period import Period
from erkenning.stagepact.suppression import Reason
from erkenning.stagepact.targets import CODES, Trend, Verdict, code_of, judge, target_year, trend

AT_LEAST = Target(indicator="reports.received", year=2025, value=20, direction=Direction.AT_LEAST, source="s")
AT_MOST = Target(indicator="reports.received", year=2025, value=20, direction=Direction.AT_MOST, source="s")


@pytest.mark.parametrize(("target", "value", "verdict"), [
    (AT_LEAST, 20, Verdict.MET), (AT_LEAST, 21, Verdict.MET), (AT_LEAST, 19, Verdict.NOT_MET),
    (AT_MOST, 20, Verdict.MET), (AT_MOST, 19, Verdict.MET), (AT_MOST, 21, Verdict.NOT_MET),
    (AT_LEAST, 0, Verdict.NOT_MET), (AT_MOST, 0, Verdict.MET), (AT_LEAST, 19.9, Verdict.NOT_MET),
])
def test_a_figure_meets_its_target_in_the_targets_direction(target: Target, value: float, verdict: Verdict) -> None:
    assert judge(value, False, target) is verdict


@pytest.mark.parametrize("target", [AT_LEAST, AT_MOST])
def test_a_hidden_or_undefined_figure_gets_no_verdict_whatever_it_is(target: Target) -> None:
    for value in (None, 3, 50, 0):
        assert judge(value, True, target) is Verdict.NO_DATA
    assert judge(None, False, target) is Verdict.NO_DATA


def test_the_trend_follows_the_change_and_is_not_given_when_it_is_hidden() -> None:
    assert [trend(c, False) for c in (2, -0.1, 0, None)] == [Trend.UP, Trend.DOWN, Trend.EQUAL, None]
    assert trend(5, True) is None


def test_a_suppressed_row_with_a_target_says_no_data_and_no_trend() -> None:
    key = ("reports", "by_channel", "agency")
    values = {k: 0 for k in BY_KEY}
    now, then = dict(values), dict(values)
    now[key], now[("reports", "received", None)], now[("reports", "by_channel", "adviser_intake")] = 3, 23, 20
    target = Target(indicator="reports.by_channel.agency", year=2025, value=10, direction=Direction.AT_MOST, source="s")
    comparison = Comparison(Period.year(2025), Period.year(2024), now, then, {key: target})
    exact = {r.key: r for r in comparison.rows(suppressed=False)}[key]
    shown = {r.key: r for r in comparison.rows(suppressed=True)}[key]
    assert exact.goal is not None and (exact.goal.verdict, exact.goal.trend) == (Verdict.MET, Trend.UP)
    assert shown.current == Cell.hidden(Reason.SMALL)
    assert shown.goal is not None and (shown.goal.verdict, shown.goal.trend) == (Verdict.NO_DATA, None)
    [line] = report.goal_lines([shown])
    assert (line.current, line.trend, line.verdict, line.target) == ("<5", "–", "geen gegevens", "hoogstens 10")


def test_every_indicator_has_a_code_and_a_period_takes_the_targets_of_the_year_it_ends_in() -> None:
    assert set(CODES) == {code_of(k) for k in BY_KEY}
    assert code_of(("triage", "share", "referred")) == "triage.share.referred"
    assert code_of(("reports", "received", None)) == "reports.received"
    assert target_year(Period.school_year(2025)) == 2026
    assert target_year(Period.quarter(2025, 4)) == 2025


def test_the_summary_says_plainly_how_many_targets_are_met() -> None:
    assert report.goal_summary([], 2025) == "Voor 2025 zijn geen doelen vastgelegd."
    line = report.GoalLine("x", "ten minste 1", "2", "1", "gestegen", "gehaald", "met", "s")
    missing = report.GoalLine("y", "ten minste 1", "<5", "1", "–", "geen gegevens", "no_data", "s")
    assert report.goal_summary([line], 2025) == "Het doel voor 2025 is gehaald."
    assert report.goal_summary([missing], 2025).startswith("Over het doel voor 2025 zijn geen gegevens")
    assert report.goal_summary([line, line, missing], 2026) == (
        "Van de 3 doelen voor 2026 zijn er 2 gehaald en 0 niet gehaald; over 1 zijn geen gegevens "
        "(verborgen of niet te berekenen)."
    )

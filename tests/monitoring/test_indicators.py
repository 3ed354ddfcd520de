"""Indicators on a seeded world whose true counts the test keeps itself, for several periods."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from erkenning.companies.models import Sector
from erkenning.core.runtime import Runtime
from erkenning.reports.models import ReportStatus
from erkenning.stagepact import indicators
from erkenning.stagepact.catalogue import SPECS
from erkenning.stagepact.period import Period
from erkenning.training.models import CourseFormat, InvitationKind, ParticipationStatus, Topic
from tests.monitoring.seed import LEAD_TIME_WEEKS, Seeder, amsterdam, day_of

PERIODS = [
    Period.year(2025),
    Period.year(2024),
    Period.quarter(2025, 1),
    Period.quarter(2024, 4),
    Period.school_year(2024),
    Period(date(2025, 3, 15), date(2025, 6, 20)),
    Period(date(2025, 1, 1), date(2025, 1, 1)),
]


async def compute(runtime: Runtime, period: Period) -> indicators.Comparison:
    async with runtime.session_factory() as session:
        return await indicators.compute(session, period, lead_time_weeks=LEAD_TIME_WEEKS)


@pytest.mark.parametrize("period", PERIODS, ids=lambda p: p.label)
async def test_every_indicator_matches_the_seeded_truth(runtime: Runtime, world: Seeder, period: Period) -> None:
    comparison = await compute(runtime, period)
    for values, which in ((comparison.current_values, period), (comparison.previous_values, period.previous())):
        expected = world.ledger.expected(which)
        assert set(values) == {s.key for s in SPECS}
        wrong = {k: (values[k], expected[k]) for k in expected if values[k] != pytest.approx(expected[k])}
        assert not wrong, f"{which.label}: (computed, true) {wrong}"


async def test_the_seeded_world_is_not_trivial(runtime: Runtime, world: Seeder) -> None:
    """The comparison above means something only if the figures are mostly not zero."""
    truth = world.ledger.expected(Period.year(2025))
    counts = [truth[s.key] for s in SPECS if s.unit.value == "count"]
    assert sum(1 for n in counts if n) > len(counts) * 0.6
    assert truth[("lead_times", "decision_days_median", None)] is not None
    assert 0 < truth[("lead_times", "share_within_norm", None)] < 100
    assert truth[("investigations", "open_at_end", None)] > 0


async def test_the_first_and_last_dutch_day_are_in_and_a_second_outside_is_out(runtime: Runtime, seeder: Seeder) -> None:
    # 00:00 on 1 January in Amsterdam is 23:00 on 31 December in UTC: a UTC day would count the wrong ones.
    before, first = amsterdam(2024, 12, 31, 23, 59, 59), amsterdam(2025, 1, 1, 0, 0, 0)
    last, after = amsterdam(2025, 12, 31, 23, 59, 59), amsterdam(2026, 1, 1, 0, 0, 0)
    company = seeder.company(Sector.HANDEL)
    course = seeder.course(CourseFormat.E_LEARNING, Topic.EQUAL_OPPORTUNITIES)
    for at in (before, first, last, after):
        seeder.report(at, company=company)
        seeder.objection(company, day_of(at))
        seeder.participation(course, seeder.company(Sector.HANDEL), ParticipationStatus.COMPLETED,
                             enrolled=at - timedelta(days=5), completed_on=day_of(at))
    await seeder.save()
    year = (await compute(runtime, Period.year(2025))).current_values
    assert year[("reports", "received", None)] == 2
    assert year[("objections", "filed", None)] == 2
    assert year[("training_by_format", "completed", "e_learning")] == 2
    first_day = (await compute(runtime, Period(date(2025, 1, 1), date(2025, 1, 1)))).current_values
    assert first_day[("reports", "received", None)] == 1
    assert first_day[("objections", "filed", None)] == 1
    new_year = (await compute(runtime, Period.year(2026))).current_values
    assert new_year[("reports", "received", None)] == 1


async def test_reach_counts_companies_per_topic_and_invitations_count_who_then_enrolled(
    runtime: Runtime, seeder: Seeder
) -> None:
    welcome = seeder.course(CourseFormat.E_LEARNING, Topic.DISCRIMINATION_FREE_RECRUITMENT, Topic.EQUAL_OPPORTUNITIES)
    other = seeder.course(CourseFormat.E_LEARNING, Topic.SOCIAL_SAFETY)
    invited_at = amsterdam(2025, 3, 1)
    after, before, cancelled, elsewhere, too_late, never = (seeder.company(Sector.HANDEL) for _ in range(6))
    for company in (after, before, cancelled, elsewhere, too_late, never):
        seeder.invitation(company, InvitationKind.NEW_COMPANY, invited_at, [welcome])
    seeder.participation(welcome, after, ParticipationStatus.COMPLETED, enrolled=invited_at + timedelta(days=2),
                         completed_on=date(2025, 3, 10))
    seeder.participation(welcome, before, ParticipationStatus.COMPLETED, enrolled=invited_at - timedelta(days=2),
                         completed_on=date(2025, 2, 28))
    seeder.participation(welcome, cancelled, ParticipationStatus.CANCELLED, enrolled=invited_at + timedelta(days=1))
    seeder.participation(other, elsewhere, ParticipationStatus.ENROLLED, enrolled=invited_at + timedelta(days=1))
    seeder.participation(welcome, too_late, ParticipationStatus.ENROLLED, enrolled=amsterdam(2026, 1, 2))
    # A second course on a topic by the same company is still one company reached on that topic.
    again = seeder.course(CourseFormat.E_LEARNING, Topic.DISCRIMINATION_FREE_RECRUITMENT)
    seeder.participation(again, after, ParticipationStatus.COMPLETED, enrolled=invited_at + timedelta(days=20),
                         completed_on=date(2025, 4, 1))
    await seeder.save()

    year = (await compute(runtime, Period.year(2025))).current_values
    assert year[("invitations", "invited", "new_company")] == 6
    assert year[("invitations", "enrolled", "new_company")] == 1  # only `after`
    assert year[("invitations", "share_enrolled", "new_company")] == 16.7
    assert year[("invitations", "invited", "improvement_agreement")] == 0
    assert year[("reach_by_topic", "companies", "discrimination_free_recruitment")] == 2  # after, before
    assert year[("reach_by_topic", "companies", "equal_opportunities")] == 2
    assert year[("reach_by_topic", "companies", "social_safety")] == 0  # enrolled, not (yet) taken part
    assert year == seeder.ledger.expected(Period.year(2025))
    # Suppressed, the one company that enrolled is "<5", and so its share is withheld.
    rows = {r.key: r for r in (await compute(runtime, Period.year(2025))).rows(suppressed=True)}
    assert rows[("invitations", "enrolled", "new_company")].current.text == "<5"
    assert rows[("invitations", "share_enrolled", "new_company")].current.text == "withheld"


async def test_a_report_counts_on_the_day_it_was_received_not_the_day_it_was_entered(
    runtime: Runtime, seeder: Seeder
) -> None:
    """A letter received on 30 December, entered on 5 January: received in the old year, and its lead time to
    the assessment counts from the day of receipt."""
    report = seeder.report(amsterdam(2025, 1, 5, 10, 0, 0), outcome=ReportStatus.NOT_SUBSTANTIATED,
                           triaged=amsterdam(2025, 1, 6, 10, 0, 0))
    report.incident_date, report.received_on = date(2024, 12, 20), date(2024, 12, 30)
    await seeder.save()
    old_year = (await compute(runtime, Period.year(2024))).current_values
    new_year = (await compute(runtime, Period.year(2025))).current_values
    assert old_year[("reports", "received", None)] == 1 and new_year[("reports", "received", None)] == 0
    assert new_year[("lead_times", "triage_days_median", None)] == 7

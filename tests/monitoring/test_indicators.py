"""Indicators on a seeded world whose true counts the test keeps itself, for several periods."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from erkenning.companies.models import Sector
from erkenning.core.runtime import Runtime
from erkenning.stagepact import indicators
from erkenning.stagepact.catalogue import SPECS
from erkenning.stagepact.period import Period
from erkenning.training.models import CourseFormat, ParticipationStatus, Topic
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

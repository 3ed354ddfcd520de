"""Indicators on a seeded world whose true counts the test keeps itself, for several periods."""

from __future__ import annotations

from datetime import date

import pytest

from erkenning.monitoring import indicators
from erkenning.monitoring.catalogue import SPECS
from erkenning.monitoring.period import Period
from erkenning.runtime import Runtime
from tests.monitoring.seed import LEAD_TIME_WEEKS, Seeder

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

"""The facts of a register notice: the status on the day and the next change, from dated periods."""

from datetime import date

import pytest

from erkenning.register import tasks
from tests.factories import SUSPENSION_AND_WITHDRAWAL


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2023, 6, 1), (False, None, None, None, ("active", "2024-01-01"))),  # nothing yet: the grant is next
        (date(2025, 6, 1), (True, "active", "2024-01-01", "2026-03-01", ("suspended", "2026-03-01"))),
        (date(2026, 3, 1), (False, "suspended", "2026-03-01", "2026-06-01", ("active", "2026-06-01"))),
        (date(2026, 10, 1), (True, "active", "2026-06-01", "2027-01-01", ("withdrawn", "2027-01-01"))),
        (date(2027, 1, 1), (False, "withdrawn", "2027-01-01", None, None)),
    ],
)
def test_notice_facts_say_the_status_of_the_day_and_the_next_change(day, expected) -> None:
    from erkenning.recognition.models import RecognitionPeriod

    periods = [RecognitionPeriod(status=s, during=RecognitionPeriod.range(a, b)) for s, a, b in SUSPENSION_AND_WITHDRAWAL]
    facts = tasks.timeline(periods, day)
    upcoming = (facts["next"]["status"], facts["next"]["effective_date"]) if facts["next"] else None
    assert (facts["recognised"], facts["status"], facts["since"], facts["until"], upcoming) == expected

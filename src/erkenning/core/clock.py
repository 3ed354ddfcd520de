"""The service's notion of now and today (today is a date in Europe/Amsterdam, where terms run).

Everything that depends on time asks here, so tests can move the clock with `travel()` and watch
deadlines pass, in the API and in a worker running in the same process.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
_offset = timedelta(0)


def now() -> datetime:
    """The current time, timezone-aware UTC."""
    return datetime.now(UTC) + _offset


def today() -> date:
    """Today's date in the Netherlands."""
    return now().astimezone(AMSTERDAM).date()


def local(moment: datetime) -> datetime:
    return moment.astimezone(AMSTERDAM)


@contextmanager
def travel(delta: timedelta) -> Iterator[None]:
    """Move the clock forward (or back) by `delta` inside the block. For tests and demos only."""
    global _offset
    before = _offset
    _offset = before + delta
    try:
        yield
    finally:
        _offset = before

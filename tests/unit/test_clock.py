from datetime import timedelta

from erkenning.core import clock
from erkenning.core.db import utcnow


def test_travel_moves_now_today_and_utcnow_then_returns() -> None:
    before = clock.today()
    with clock.travel(timedelta(days=15)):
        assert clock.today() - before in (timedelta(days=15), timedelta(days=16))
        assert utcnow() - clock.now() < timedelta(seconds=1)
    assert clock.today() - before in (timedelta(0), timedelta(days=1))

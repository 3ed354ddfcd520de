"""The pure period logic of an upheld objection (art. 7:11 Awb) and of the two time axes: restoring the
periods as they were before a decision, the moves that makes, the register's run around a date, and
what the register held at a moment of recorded time."""

from datetime import UTC, date, datetime, timedelta
from uuid import uuid4

from erkenning.recognition.models import RecognitionStatus as R
from erkenning.recognition.periods import Recorded, Segment, StatusOn, changes, known_at, restore, run_around

D1, D2, D3, D4, D5 = date(2025, 1, 1), date(2025, 3, 1), date(2025, 6, 1), date(2025, 9, 1), date(2025, 12, 1)
G, X, Y, Z, OBJ = uuid4(), uuid4(), uuid4(), uuid4(), uuid4()
T0 = datetime(2025, 3, 1, 9, tzinfo=UTC)


def layout(segments: list[Segment]) -> list[tuple]:
    return [(s.start, s.end, s.status, s.decision_id, s.objection_id) for s in segments]


def test_restoring_a_suspension_gives_back_the_one_active_period_it_had() -> None:
    before = [Segment(D1, None, R.ACTIVE, G)]
    suspended = [Segment(D1, D2, R.ACTIVE, G), Segment(D2, None, R.SUSPENDED, X)]
    assert layout(restore(suspended, D2, before, OBJ)) == [(D1, None, R.ACTIVE, G, OBJ)]


def test_a_later_reinstate_is_moot_once_the_suspension_is_undone_from_its_start() -> None:
    before = [Segment(D1, None, R.ACTIVE, G)]
    now = [Segment(D1, D2, R.ACTIVE, G), Segment(D2, D3, R.SUSPENDED, X), Segment(D3, None, R.ACTIVE, Y)]
    assert layout(restore(now, D2, before, OBJ)) == [(D1, None, R.ACTIVE, G, OBJ)]


def test_restoring_from_a_later_date_keeps_the_decision_until_then() -> None:
    before = [Segment(D1, None, R.ACTIVE, G)]
    suspended = [Segment(D1, D2, R.ACTIVE, G), Segment(D2, None, R.SUSPENDED, X)]
    assert layout(restore(suspended, D3, before, OBJ)) == [
        (D1, D2, R.ACTIVE, G, None),  # untouched: not written again
        (D2, D3, R.SUSPENDED, X, OBJ),  # cut short by the objection
        (D3, None, R.ACTIVE, G, OBJ),
    ]


def test_restoring_brings_back_a_scheduled_change_the_decision_had_replaced() -> None:
    # Suspended until D4 (decision Z), then withdrawn from D3 by X: undoing X brings back the end at D4.
    before = [Segment(D1, D2, R.ACTIVE, G), Segment(D2, D4, R.SUSPENDED, Z), Segment(D4, None, R.ACTIVE, Z)]
    withdrawn = [Segment(D1, D2, R.ACTIVE, G), Segment(D2, D3, R.SUSPENDED, Z), Segment(D3, None, R.WITHDRAWN, X)]
    assert layout(restore(withdrawn, D3, before, OBJ)) == [
        (D1, D2, R.ACTIVE, G, None),
        (D2, D4, R.SUSPENDED, Z, OBJ),
        (D4, None, R.ACTIVE, Z, OBJ),
    ]


def test_restoring_a_withdrawal_not_yet_in_effect_leaves_the_past_as_it_was() -> None:
    before = [Segment(D1, None, R.ACTIVE, G)]
    scheduled = [Segment(D1, D4, R.ACTIVE, G), Segment(D4, None, R.WITHDRAWN, X)]
    restored = restore(scheduled, D4, before, OBJ)
    assert layout(restored) == [(D1, None, R.ACTIVE, G, OBJ)]
    assert all(s.status is R.ACTIVE for d in (D1, D2, D3, D5) if (s := next(x for x in restored if x.covers(d))))


def test_the_moves_of_a_restoration_are_every_date_whose_status_changes() -> None:
    now = [Segment(D1, D2, R.ACTIVE, G), Segment(D2, D3, R.SUSPENDED, Z), Segment(D3, None, R.WITHDRAWN, X)]
    new = [Segment(D1, D2, R.ACTIVE, G), Segment(D2, D4, R.SUSPENDED, Z), Segment(D4, None, R.ACTIVE, Z)]
    assert [(day, was.status, then.status) for day, was, then in changes(now, new, D3)] == [
        (D3, R.WITHDRAWN, R.SUSPENDED),
        (D4, R.WITHDRAWN, R.ACTIVE),
    ]
    assert changes(new, new, D1) == []


def test_the_register_answers_with_the_run_of_one_status_around_the_date() -> None:
    periods = [
        Segment(D1, D2, R.ACTIVE, G),
        Segment(D2, D3, R.ACTIVE, Y),  # adjacent, same status: one run
        Segment(D3, D4, R.SUSPENDED, X),
        Segment(D4, None, R.ACTIVE, X),
    ]
    assert run_around(periods, D2) == StatusOn(R.ACTIVE, D1, D3, Y)
    assert run_around(periods, D3) == StatusOn(R.SUSPENDED, D3, D4, X)
    assert run_around(periods, D5) == StatusOn(R.ACTIVE, D4, None, X)
    assert run_around(periods, date(2024, 1, 1)) is None


def test_what_the_register_held_at_a_moment_of_recorded_time() -> None:
    hour = timedelta(hours=1)
    was_active = Recorded(Segment(D1, None, R.ACTIVE, G), T0 - hour, T0, superseded_by_decision_id=X)
    cut = Recorded(Segment(D1, D2, R.ACTIVE, G), T0, T0 + 10 * hour, superseded_by_objection_id=OBJ)
    suspended = Recorded(Segment(D2, None, R.SUSPENDED, X), T0, T0 + 10 * hour, superseded_by_objection_id=OBJ)
    restored = Recorded(Segment(D1, None, R.ACTIVE, G, objection_id=OBJ), T0 + 10 * hour)
    records = [was_active, cut, suspended, restored]
    assert known_at(records, T0 - 2 * hour) == []  # nothing recorded yet
    assert known_at(records, T0 - hour) == [was_active.segment]
    assert known_at(records, T0) == [cut.segment, suspended.segment]  # from its recorded time on
    assert known_at(records, T0, just_before=True) == [was_active.segment]  # what the change found
    assert known_at(records, T0 + 5 * hour) == [cut.segment, suspended.segment]
    assert known_at(records, T0 + 10 * hour) == [restored.segment]
    assert known_at(records, T0 + 10 * hour, just_before=True) == [cut.segment, suspended.segment]

"""The participation transition table, walked pair by pair, with its roles and guards."""

from __future__ import annotations

from datetime import timedelta
from itertools import product
from types import SimpleNamespace
from uuid import uuid4

import pytest

from erkenning.core import clock
from erkenning.core.caller import Caller, Role
from erkenning.core.errors import Forbidden, InvalidTransition
from erkenning.core.states import allowed, apply
from erkenning.training.models import ParticipationStatus as P
from erkenning.training.states import TRANSITIONS

ADVISER = Caller(principal_id=uuid4(), role=Role.ADVISER, name="adviser")
COMPANY = Caller(principal_id=uuid4(), role=Role.COMPANY, name="company", company_id=uuid4())
SYSTEM = Caller.system("tests")

PAST = clock.now() - timedelta(hours=1)
FUTURE = clock.now() + timedelta(days=1)

# For every move in the table: whether the participation is for a session, when that session starts,
# and who makes the move in practice.
ALLOWED = {
    (P.WAITLISTED, P.ENROLLED): (True, FUTURE, SYSTEM),
    (P.ENROLLED, P.CANCELLED): (True, FUTURE, COMPANY),
    (P.WAITLISTED, P.CANCELLED): (True, FUTURE, COMPANY),
    (P.ENROLLED, P.ATTENDED): (True, PAST, ADVISER),
    (P.ENROLLED, P.NO_SHOW): (True, PAST, ADVISER),
    (P.NO_SHOW, P.ATTENDED): (True, PAST, ADVISER),
    (P.ATTENDED, P.NO_SHOW): (True, PAST, ADVISER),
    (P.ATTENDED, P.COMPLETED): (True, PAST, ADVISER),
    (P.ENROLLED, P.COMPLETED): (False, None, SYSTEM),
}


# For every move that waits for its moment: whether the participation is for a session, when that
# session starts, and the reason the move may not be made yet.
NOT_READY = {
    (P.ENROLLED, P.CANCELLED): (True, PAST, "the session has started"),
    (P.WAITLISTED, P.CANCELLED): (True, PAST, "the session has started"),
    (P.ENROLLED, P.ATTENDED): (True, FUTURE, "once the session has started"),
    (P.ENROLLED, P.NO_SHOW): (False, None, "only a session has attendance"),
    (P.ENROLLED, P.COMPLETED): (True, PAST, "completed after attendance"),
}


def participation(status: P, *, in_session: bool = True) -> SimpleNamespace:
    return SimpleNamespace(status=status, session_id=uuid4() if in_session else None)


def test_the_table_holds_exactly_the_moves_listed_here() -> None:
    assert set(TRANSITIONS) == set(ALLOWED)


@pytest.mark.parametrize(("source", "target"), list(product(P, P)), ids=lambda s: s.value)
def test_every_pair(source: P, target: P) -> None:
    if (source, target) in ALLOWED:
        in_session, starts, caller = ALLOWED[(source, target)]
        obj = participation(source, in_session=in_session)
        given = {"session_starts_at": starts} if starts else {}
        assert target.value in [m.to for m in allowed(TRANSITIONS, obj, caller, **given)]
        assert apply(TRANSITIONS, obj, target, caller, **given) == source
        assert obj.status == target
    else:
        for caller in (ADVISER, COMPANY, SYSTEM):
            obj = participation(source)
            with pytest.raises(InvalidTransition):
                apply(TRANSITIONS, obj, target, caller, session_starts_at=PAST)
            assert obj.status == source


def test_the_moves_that_wait_for_their_moment_are_the_ones_listed_here() -> None:
    assert {pair for pair, rule in TRANSITIONS.items() if rule.ready is not None} == set(NOT_READY)


@pytest.mark.parametrize(("source", "target"), sorted(NOT_READY), ids=lambda s: s.value)
def test_a_move_not_ready_is_409_with_its_reason_and_not_offered(source: P, target: P) -> None:
    in_session, starts, reason = NOT_READY[(source, target)]
    caller = ALLOWED[(source, target)][2]
    obj = participation(source, in_session=in_session)
    given = {"session_starts_at": starts} if starts else {}
    with pytest.raises(InvalidTransition, match=reason):
        apply(TRANSITIONS, obj, target, caller, **given)
    assert obj.status == source
    assert target.value not in [m.to for m in allowed(TRANSITIONS, obj, caller, **given)]


@pytest.mark.parametrize(
    ("source", "target"),
    [
        (P.ENROLLED, P.ATTENDED),
        (P.ENROLLED, P.NO_SHOW),
        (P.ATTENDED, P.COMPLETED),
        (P.WAITLISTED, P.ENROLLED),
    ],
)
def test_a_company_cannot_record_its_own_attendance_completion_or_promotion(source: P, target: P) -> None:
    with pytest.raises(Forbidden):
        apply(TRANSITIONS, participation(source), target, COMPANY, session_starts_at=PAST)


def test_only_the_system_moves_someone_up_from_the_waiting_list() -> None:
    with pytest.raises(Forbidden):
        apply(TRANSITIONS, participation(P.WAITLISTED), P.ENROLLED, ADVISER, session_starts_at=FUTURE)


def test_attendance_waits_for_the_session_to_start() -> None:
    for target in (P.ATTENDED, P.NO_SHOW):
        with pytest.raises(InvalidTransition, match="started"):
            apply(TRANSITIONS, participation(P.ENROLLED), target, ADVISER, session_starts_at=FUTURE)


def test_an_e_learning_has_no_attendance() -> None:
    with pytest.raises(InvalidTransition):
        apply(TRANSITIONS, participation(P.ENROLLED, in_session=False), P.ATTENDED, ADVISER)


def test_cancelling_stops_when_the_session_starts() -> None:
    for source in (P.ENROLLED, P.WAITLISTED):
        with pytest.raises(InvalidTransition, match="started"):
            apply(TRANSITIONS, participation(source), P.CANCELLED, COMPANY, session_starts_at=PAST)
    e_learning = participation(P.ENROLLED, in_session=False)
    apply(TRANSITIONS, e_learning, P.CANCELLED, COMPANY)
    assert e_learning.status is P.CANCELLED


def test_a_session_participation_is_completed_after_attendance_not_directly() -> None:
    with pytest.raises(InvalidTransition):
        apply(TRANSITIONS, participation(P.ENROLLED), P.COMPLETED, SYSTEM, session_starts_at=PAST)

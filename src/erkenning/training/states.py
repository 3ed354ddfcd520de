"""The participation state machine: who may move a participation from which status to which.

A participation starts `enrolled` (a seat, or an e-learning) or `waitlisted` (the session was
full); that first status is decided at enrolment under the session's lock, not here. Ready hooks
("not now", 409) that depend on the session's start read it from the given value
`session_starts_at`, which the service passes for session participations.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from erkenning.core import clock
from erkenning.core.caller import STAFF_ROLES, Caller, Role
from erkenning.core.states import Rule
from erkenning.training.models import ParticipationStatus as P

STAFF = frozenset(STAFF_ROLES)
SYSTEM = frozenset({Role.SYSTEM})


def _is_session(obj: Any, caller: Caller, given: Mapping[str, Any]) -> str | None:
    return None if obj.session_id is not None else "only a session has attendance"


def _session_has_started(obj: Any, caller: Caller, given: Mapping[str, Any]) -> str | None:
    if obj.session_id is None:
        return "only a session has attendance"
    starts_at = given.get("session_starts_at")
    if starts_at is not None and starts_at > clock.now():
        return "attendance can be recorded once the session has started"
    return None


def _not_yet_started(obj: Any, caller: Caller, given: Mapping[str, Any]) -> str | None:
    starts_at = given.get("session_starts_at")
    if starts_at is not None and starts_at <= clock.now():
        return "the session has started; record attendance instead"
    return None


def _is_e_learning(obj: Any, caller: Caller, given: Mapping[str, Any]) -> str | None:
    return None if obj.session_id is None else "a session participation is completed after attendance"


TRANSITIONS: Mapping[tuple[P, P], Rule] = {
    (P.WAITLISTED, P.ENROLLED): Rule(
        roles=SYSTEM, description="a seat came free: the first on the waiting list moves up"
    ),
    (P.ENROLLED, P.CANCELLED): Rule(
        roles=STAFF | {Role.COMPANY},
        ready=_not_yet_started,
        description="cancel the enrolment (frees the seat for the waiting list)",
    ),
    (P.WAITLISTED, P.CANCELLED): Rule(
        roles=STAFF | {Role.COMPANY},
        ready=_not_yet_started,
        description="leave the waiting list",
    ),
    (P.ENROLLED, P.ATTENDED): Rule(
        roles=STAFF, ready=_session_has_started, description="was there"
    ),
    (P.ENROLLED, P.NO_SHOW): Rule(
        roles=STAFF, ready=_session_has_started, description="did not come"
    ),
    (P.NO_SHOW, P.ATTENDED): Rule(roles=STAFF, guard=_is_session, description="correct the attendance list"),
    (P.ATTENDED, P.NO_SHOW): Rule(roles=STAFF, guard=_is_session, description="correct the attendance list"),
    (P.ATTENDED, P.COMPLETED): Rule(roles=STAFF, description="completed the course: issue the certificate"),
    (P.ENROLLED, P.COMPLETED): Rule(
        roles=STAFF | SYSTEM,
        ready=_is_e_learning,
        description="the learning platform reports the e-learning completed",
    ),
}


def _not_completed_before(obj: Any, caller: Caller, given: Mapping[str, Any]) -> str | None:
    completed_on = given.get("completed_on")
    if completed_on is None:
        return None
    return f"this company completed this e-learning on {completed_on.isoformat()}; it is not enrolled in again"


# Enrolling in an e-learning is not a move of an existing participation but the start of a new one; its one
# "not now" rule is kept in the same dialect: an e-learning the company completed is done (409), its
# certificate stays valid, and a new enrolment would only repeat it.
E_LEARNING_ENROLMENT = Rule(
    roles=STAFF | {Role.COMPANY},
    ready=_not_completed_before,
    description="enrol in an e-learning (not once the company completed it)",
)

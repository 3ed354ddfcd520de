"""Transition tables of recognitions, decisions and objections (states as data, see `erkenning.core.states`).

Each table says who may make a move and what must hold of them (a guard: "not you", 403). Beside
the decision and objection tables, a READY table says what must hold of the moment ("not now", 409):
a response term that still runs, an objection still pending. `move()` applies both, `moves()` lists
what a caller may do now, and the tests walk every pair of every table.

Recognition moves are made only by sent decisions; the guard checks the decision's kind. A
restoring reinstate (after an upheld objection) that finds a recognition already in the status it
restores makes no move there.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from erkenning.core import clock
from erkenning.core.caller import ADVISER_ROLES, Caller, Role
from erkenning.core.errors import DomainError, InvalidTransition
from erkenning.core.states import Guard, Move, Rule, S, Table, check
from erkenning.recognition.models import DecisionKind as K
from erkenning.recognition.models import DecisionStatus as D
from erkenning.recognition.models import ObjectionStatus as O
from erkenning.recognition.models import RecognitionStatus as R

# Decisions that harm the company: four eyes, and first an intended decision unless an investigation heard it.
HARMFUL = frozenset({K.REFUSE, K.IMPOSE_CONDITIONS, K.SUSPEND, K.WITHDRAW})
# Decisions against the company's interest: never retroactive, and open to an objection that restores.
ADVERSE = HARMFUL | {K.LAPSE}

# The status a decision kind puts a recognition in (None: unchanged; a restoring reinstate uses the
# status the revoked decision found).
TARGET: Mapping[K, R | None] = {
    K.GRANT: R.ACTIVE,
    K.REFUSE: R.REFUSED,
    K.IMPOSE_CONDITIONS: None,
    K.SUSPEND: R.SUSPENDED,
    K.REINSTATE: R.ACTIVE,
    K.WITHDRAW: R.WITHDRAWN,
    K.LAPSE: R.LAPSED,
}


# ---------------------------------------------------------------- recognitions


def _by(*kinds: K, restoring_only: bool = False) -> Rule:
    names = " or ".join(k.value for k in kinds)

    def guard(recognition: Any, caller: Caller, given: Mapping[str, Any]) -> str | None:
        kind = given.get("kind")
        if kind not in kinds:
            return f"only a {names} decision makes this change, not a {getattr(kind, 'value', kind)} decision"
        if restoring_only and not given.get("restoring"):
            return "only the decision that restores what an upheld objection revoked makes this change"
        return None

    return Rule(
        roles=ADVISER_ROLES,
        guard=guard,
        needs=("kind",),
        guard_is_permission=False,
        description=f"by a {names} decision"
        + (" restoring after an upheld objection" if restoring_only else ""),
    )


RECOGNITION_TRANSITIONS: Table[R] = {
    (R.PENDING, R.ACTIVE): _by(K.GRANT),
    (R.PENDING, R.REFUSED): _by(K.REFUSE),
    # Conditions change no status.
    (R.ACTIVE, R.ACTIVE): _by(K.IMPOSE_CONDITIONS),
    (R.ACTIVE, R.SUSPENDED): _by(K.SUSPEND),
    (R.ACTIVE, R.WITHDRAWN): _by(K.WITHDRAW),
    (R.ACTIVE, R.LAPSED): _by(K.LAPSE),
    (R.SUSPENDED, R.ACTIVE): _by(K.REINSTATE),
    (R.SUSPENDED, R.WITHDRAWN): _by(K.WITHDRAW),
    # Undoing a revoked decision: each is the reverse of a move above, made only when restoring.
    (R.REFUSED, R.PENDING): _by(K.REINSTATE, restoring_only=True),
    (R.WITHDRAWN, R.ACTIVE): _by(K.REINSTATE, restoring_only=True),
    (R.WITHDRAWN, R.SUSPENDED): _by(K.REINSTATE, restoring_only=True),
    (R.LAPSED, R.ACTIVE): _by(K.REINSTATE, restoring_only=True),
}


# ---------------------------------------------------------------- decisions


def needs_hearing(decision: Any) -> bool:
    """A harmful decision that no investigation prepared is first put to the company (art. 4:8 Awb)."""
    return decision.kind in HARMFUL and decision.investigation_id is None


def hearing_done(decision: Any) -> bool:
    """The company responded, or its response term has passed."""
    if decision.response_received_at is not None:
        return True
    return decision.response_due is not None and clock.today() > decision.response_due


def four_eyes(decision: Any, caller: Caller, given: Mapping[str, Any]) -> str | None:
    if decision.kind not in HARMFUL:
        return None
    if caller.role is not Role.SENIOR_ADVISER:
        return f"A {decision.kind.value} decision harms the company: a senior adviser must approve it"
    if caller.principal_id == decision.drafted_by:
        return "Four eyes: a senior adviser other than the one who drafted this decision must approve it"
    return None


DECISION_TRANSITIONS: Table[D] = {
    (D.DRAFT, D.INTENDED): Rule(
        roles=ADVISER_ROLES, description="put it to the company as an intended decision"
    ),
    (D.DRAFT, D.APPROVED): Rule(roles=ADVISER_ROLES, guard=four_eyes, description="approve"),
    (D.INTENDED, D.APPROVED): Rule(roles=ADVISER_ROLES, guard=four_eyes, description="approve"),
    (D.APPROVED, D.SENT): Rule(roles=ADVISER_ROLES, description="send to the company; it takes effect"),
    (D.APPROVED, D.DRAFT): Rule(
        roles=ADVISER_ROLES, description="reopen to revise; it must be approved again"
    ),
    (D.DRAFT, D.CANCELLED): Rule(roles=ADVISER_ROLES, description="drop it"),
    (D.INTENDED, D.CANCELLED): Rule(
        roles=ADVISER_ROLES, description="drop it (for example after the response)"
    ),
    (D.APPROVED, D.CANCELLED): Rule(roles=ADVISER_ROLES, description="drop it before it is sent"),
    (D.SENT, D.FINAL): Rule(roles={Role.SYSTEM}, description="the objection term passed without objection"),
    (D.SENT, D.REVOKED): Rule(roles=ADVISER_ROLES, description="revoked by upholding an objection"),
}


def _ready_to_intend(decision: Any, caller: Caller, given: Mapping[str, Any]) -> str | None:
    if not needs_hearing(decision):
        return "Only a harmful decision that does not come from an investigation is put to the company first"
    if decision.intended_on is not None:
        return "This decision was already put to the company"
    return None


def _ready_to_approve(decision: Any, caller: Caller, given: Mapping[str, Any]) -> str | None:
    if not needs_hearing(decision) or hearing_done(decision):
        return None
    if decision.response_due is None:
        return "First put this harmful decision to the company as an intended decision (art. 4:8 Awb)"
    return (
        f"The company may respond until {decision.response_due.isoformat()}; approval is possible once it "
        "has responded or that term has passed"
    )


def _ready_to_finalise(decision: Any, caller: Caller, given: Mapping[str, Any]) -> str | None:
    if decision.objection_deadline is None or clock.today() <= decision.objection_deadline:
        return "The objection term has not passed yet"
    if given.get("objection_pending"):
        return "An objection against this decision is still pending"
    return None


def _ready_to_revoke(decision: Any, caller: Caller, given: Mapping[str, Any]) -> str | None:
    return (
        None if given.get("objection_upheld") else "A sent decision is revoked only by upholding an objection"
    )


READY_DECISION: Mapping[tuple[D, D], Guard] = {
    (D.DRAFT, D.INTENDED): _ready_to_intend,
    (D.DRAFT, D.APPROVED): _ready_to_approve,
    (D.INTENDED, D.APPROVED): _ready_to_approve,
    (D.SENT, D.FINAL): _ready_to_finalise,
    (D.SENT, D.REVOKED): _ready_to_revoke,
}


# ---------------------------------------------------------------- objections


def independent_decider(objection: Any, caller: Caller, given: Mapping[str, Any]) -> str | None:
    """Art. 7:5 Awb: whoever prepared the contested decision does not decide the objection against it."""
    decision = given.get("decision")
    if decision is not None and caller.principal_id in (decision.drafted_by, decision.approved_by):
        return (
            "Whoever drafted or approved the contested decision may not decide the objection (art. 7:5 Awb)"
        )
    return None


OBJECTION_TRANSITIONS: Table[O] = {
    (O.PENDING, O.UPHELD): Rule(
        roles=ADVISER_ROLES,
        guard=independent_decider,
        needs=("reason",),
        description="uphold: revoke the decision and restore what it changed",
    ),
    (O.PENDING, O.REJECTED): Rule(
        roles=ADVISER_ROLES,
        guard=independent_decider,
        needs=("reason",),
        description="reject: the decision stands",
    ),
    (O.PENDING, O.WITHDRAWN): Rule(
        roles=ADVISER_ROLES | {Role.COMPANY}, description="withdrawn by the company"
    ),
}

READY_OBJECTION: Mapping[tuple[O, O], Guard] = {}


# ---------------------------------------------------------------- applying


def move(
    table: Table[S], ready: Mapping[tuple[S, S], Guard], obj: Any, target: S, caller: Caller, **given: Any
) -> S:
    """Check who (403) and what was given (422), then whether now is the moment (409); set the state."""
    current: S = obj.status
    check(table, current, target, obj, caller, given)
    if (guard := ready.get((current, target))) is not None and (
        reason := guard(obj, caller, given)
    ) is not None:
        raise InvalidTransition(reason)
    obj.status = target
    return current


def moves(
    table: Table[S], ready: Mapping[tuple[S, S], Guard], obj: Any, caller: Caller, **context: Any
) -> list[Move]:
    """What this caller may do with `obj` now (inputs the caller must still give are listed, not checked)."""
    found = []
    for (source, target), rule in table.items():
        if source != obj.status:
            continue
        given = {name: "given" for name in rule.needs} | context
        try:
            check(table, source, target, obj, caller, given)
            if (guard := ready.get((source, target))) is not None and guard(obj, caller, given) is not None:
                continue
        except DomainError:
            continue
        found.append(Move(to=target.value, needs=rule.needs, description=rule.description))
    return found
